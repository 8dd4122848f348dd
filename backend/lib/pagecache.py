"""Whole-page cache for what anonymous visitors see on a shop's storefront.

A storefront page is the same for every visitor who is not signed in, so it is rendered once and
then served from Redis. Two rules keep it exact:

- **Versioned, not expired.** Each shop has one storefront version (a cache key; the cache's key
  function puts the schema in every key, so shops never share entries). A cached page remembers
  the version it was rendered at and is used only while that version is current. Whatever
  changes what a storefront shows calls `storefront_changed()`, which moves the version on after
  the transaction commits: catalog writes (model signals below), stock crossing zero and price
  changes (the offer outbox, see tenant_apps/catalog/outbox.py), the shop's profile. The version
  and the page come back in one round trip.
- **Nothing personal is stored.** Only GET/HEAD of visitors who are not signed in and have no
  pending messages are cached. The one per-visitor part of such a page, the CSRF token of the
  language form, is cut out before storing and a fresh one put in on every hit (which also
  sets the visitor's CSRF cookie, as rendering would have).

Losing Redis costs speed only: every request then renders (and a lost version key just means
one round of misses). A version bump that fails because Redis is unreachable at commit is made
again by the offer outbox's drain once Redis is back; pages also expire after PAGE_SECONDS.
"""

from __future__ import annotations

import hashlib
import re
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

VERSION_KEY = "storefront:version"
PAGE_SECONDS = 600  # bounds how long a version bump lost to a Redis outage can matter
CSRF_SLOT = b"\x00csrf\x00"
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def storefront_changed() -> None:
    """Move this shop's storefront version on once the current transaction commits (at once
    outside one). Several calls in one transaction make one change."""
    schema = connection.schema_name
    open_savepoints = set(connection.savepoint_ids)
    for sids, func, _robust in connection.run_on_commit:
        # One already queued in this same block does the job (a rollback drops both or none).
        if getattr(func, "storefront_schema", None) == schema and sids == open_savepoints:
            return

    def bump():
        # The key function reads the schema from the connection; commit hooks run in the
        # schema that was current when they were registered, but be explicit.
        from django_tenants.utils import schema_context

        with schema_context(schema):
            cache.set(VERSION_KEY, time.time_ns(), timeout=None)

    bump.storefront_schema = schema
    transaction.on_commit(bump, robust=True)


def _cacheable(request) -> bool:
    if not settings.STOREFRONT_PAGE_CACHE or request.method not in ("GET", "HEAD"):
        return False
    if getattr(request, "tenant", None) is None:
        return False
    if request.user.is_authenticated or request.COOKIES.get("messages"):
        return False
    session = getattr(request, "session", None)
    return session is None or not session.get("_messages")


def _page_key(request) -> str:
    digest = hashlib.blake2b(request.get_full_path().encode(), digest_size=16).hexdigest()
    return f"storefront:page:{get_language()}:{digest}"


def storefront_page(view):
    """Serve the view's 200 answers to anonymous visitors from the page cache."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        key = _page_key(request)
        try:
            found = cache.get_many([VERSION_KEY, key])
        except Exception:  # noqa: BLE001 - Redis down: render, as without a cache
            return view(request, *args, **kwargs)
        version = found.get(VERSION_KEY)
        entry = found.get(key)
        if version is not None and entry is not None and entry[0] == version:
            _version, content_type, body = entry
            if CSRF_SLOT in body:
                body = body.replace(CSRF_SLOT, get_token(request).encode())
            response = HttpResponse(body, content_type=content_type)
            response["X-Page-Cache"] = "hit"
            return response
        if version is None:  # first visit since Redis started: a version before rendering
            cache.add(VERSION_KEY, time.time_ns(), timeout=None)
            version = cache.get(VERSION_KEY)
        # The page is stored under the version read *before* rendering: a change committed
        # meanwhile has moved the version on, so this page is never served as current.
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies and version:
            body = CSRF_INPUT.sub(lambda m: m.group(0).replace(m.group(1), CSRF_SLOT), response.content)
            try:
                cache.set(key, (version, response["Content-Type"], body), timeout=PAGE_SECONDS)
            except Exception:  # noqa: BLE001, S110 - Redis down: the answer stands
                pass
            response["X-Page-Cache"] = "miss"
        return response

    return wrapped


def _changed(sender, **kwargs) -> None:
    if not kwargs.get("raw"):  # fixtures loading
        storefront_changed()


def watch(*models) -> None:
    """Move the storefront version on whenever a row of these models is saved or deleted (or a
    many-to-many of theirs changes). Bulk writes bypass signals: those paths queue offer
    refreshes, and the outbox calls `storefront_changed()` itself."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for model in models:
        post_save.connect(_changed, sender=model, dispatch_uid=f"pagecache-save-{model._meta.label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"pagecache-delete-{model._meta.label}")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(_changed, sender=field.remote_field.through,
                                dispatch_uid=f"pagecache-m2m-{model._meta.label}-{field.name}")
