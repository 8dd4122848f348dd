"""Search analytics (搜索分析), the writing side: every search made on the mall and every result a
shopper opens, recorded without slowing the search down.

The search path (the page `/search/` and the API `/api/v1/search/`) calls `search_logged`, which
pushes one JSON line onto a Redis list (one RPUSH, tens of microseconds; the p95 budget of a
search is 50 ms) and returns the search's id. A click (`click_logged`, from the page's redirect
beacon or the API's click endpoint) pushes a line onto the same list, so a click always comes
after its search. Every few seconds the beat task `search_log_drain` moves the list into
PostgreSQL (`log_drain`): one bulk insert of searches, then one of their clicks.

Redis keeps only what has not been drained yet; losing it loses a few seconds of statistics,
never a search. When Redis does not answer, searches go on unlogged: the logging never raises and
stops trying for a few seconds, so an outage costs no search more than one short timeout.
Nothing in a line identifies a person: `searcher` is a keyed hash of the user, session or client.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

import redis
from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from backend.api.errors import field_error
from backend.lib import hosts
from backend.lib.ip import client_ip

from .models import SearchClick, SearchLog

log = logging.getLogger(__name__)

# The filters recorded (the request parameters of the page and the API), their values as given, capped.
FILTERS = ("category", "brand", "shop", "price_min", "price_max", "in_stock", "rating_min", "pickup_city")
QUERY_CHARS = 200
VALUE_CHARS = 60
SOURCES = ("page", "api")
POSITION_MAX = 6000  # the deepest result a shopper can see: 100 pages of 60
FAST_TIMEOUT = 0.05  # seconds a search may wait for Redis before it gives up logging
PAUSE_AFTER_FAILURE = 5.0  # seconds without trying Redis after it failed
DRAIN_CHUNK = 5000  # lines per bulk insert
DRAIN_LOCK_SECONDS = 120
SMALL = 32767  # PositiveSmallIntegerField's top

_paused_until = 0.0
_pause_lock = threading.Lock()


def _key(name: str) -> str:
    """A Redis key of this deployment: the cache's prefix is in it, so test runs and deployments
    sharing one Redis never drain each other's lists."""
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "") or "mall"
    return f"search-analytics:{prefix}:{name}"


PENDING, DRAINING, DRAIN_LOCK = "pending", "draining", "drain-lock"


@cache
def _client(*, fast: bool) -> redis.Redis:
    """One client (and connection pool) per process and kind: the search path's waits at most
    FAST_TIMEOUT, the drain's waits like any worker."""
    timeout = FAST_TIMEOUT if fast else 10.0
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=timeout, socket_connect_timeout=timeout)


def _push(line: dict) -> bool:
    global _paused_until
    if time.monotonic() < _paused_until:
        return False
    try:
        _client(fast=True).rpush(_key(PENDING), json.dumps(line, ensure_ascii=False, separators=(",", ":")))
    except redis.RedisError as exc:
        with _pause_lock:
            _paused_until = time.monotonic() + PAUSE_AFTER_FAILURE
        log.warning("search analytics: Redis did not take a line (%s); pausing %ss", exc, PAUSE_AFTER_FAILURE)
        return False
    return True


# --- the search path ---------------------------------------------------------------------------


def searcher_hash(request) -> str:
    """Who searched, as a keyed hash: the signed-in user, else the session, else the client's
    address and browser. Stable for a person, meaningless to anyone reading the table."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        who = f"user:{user.pk}"
    else:
        session = getattr(request, "session", None)
        key = getattr(session, "session_key", None) if session is not None else None
        if key:
            who = f"session:{key}"
        else:
            who = f"client:{client_ip(request) or ''}|{request.META.get('HTTP_USER_AGENT', '')[:200]}"
    return salted_hmac("search.analytics.searcher", who, algorithm="sha256").hexdigest()[:24]


def search_logged(request, results, *, source: str) -> str:
    """Record one search (its words and filters from the request's parameters, its answer from
    `results`) and return its id, which the shopper's client sends back with a click. One RPUSH;
    never raises."""
    search_id = uuid.uuid4().hex
    try:
        params = request.GET
        hits = len(results.hits)
        line = {
            "k": "s", "id": search_id, "at": time.time(),
            "q": str(params.get("q", "")).strip()[:QUERY_CHARS],
            "f": {name: str(params[name])[:VALUE_CHARS] for name in FILTERS if params.get(name)},
            "s": str(params.get("sort") or "relevance")[:16], "p": int(results.page), "pp": int(results.per_page),
            "n": hits, "t": int(results.total), "e": bool(results.estimated), "src": source,
            "who": searcher_hash(request),
        }
    except Exception:  # statistics must never fail a search
        log.exception("search analytics: could not describe a search")
        return search_id
    _push(line)
    return search_id


def click_url(*, search_id: str, position: int, offer_id: int, target: str) -> str:
    """The page's link for a result: the click beacon, which records the click and redirects to
    `target`. ':' and '/' stay readable in the target (both are legal in a query string)."""
    from urllib.parse import urlencode

    query = urlencode({"search_id": search_id, "position": position, "offer_id": offer_id, "to": target},
                      safe=":/")
    return f"/search/click/?{query}"


def page_logged(request, results, hits: list[dict]) -> str:
    """The search page's hook: record the search and give each hit (a dict with the result `hit`
    and its `url`) a `click_url` through the click beacon."""
    search_id = search_logged(request, results, source="page")
    first = (results.page - 1) * results.per_page + 1
    for n, item in enumerate(hits):
        item["click_url"] = click_url(search_id=search_id, position=first + n, offer_id=item["hit"].offer_id,
                                      target=item["url"])
    return search_id


# --- clicks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Click:
    search_id: str
    position: int
    offer_id: int


def _whole(value, name: str, *, high: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= high:
        raise field_error(name, _("A whole number from %(low)d to %(high)d.") % {"low": 1, "high": high})
    return number


def click_check(*, search_id, position, offer_id) -> Click:
    """A click's parameters checked: a search id as the search answered it, a position from 1 (the
    first result of the first page), an offer id. Anything else: a 400 naming the field."""
    try:
        parsed = uuid.UUID(str(search_id or "").strip())
    except ValueError:
        raise field_error("search_id", _("Give the search_id the search answered with.")) from None
    return Click(search_id=parsed.hex, position=_whole(position, "position", high=POSITION_MAX),
                 offer_id=_whole(offer_id, "offer_id", high=2**62))


def click_logged(click: Click) -> None:
    """Record a click (one RPUSH; never raises). It is kept only if its search was logged and the
    position was on the page that search showed (checked when drained)."""
    _push({"k": "c", "id": uuid.uuid4().hex, "at": time.time(), "sid": click.search_id, "pos": click.position,
           "offer": click.offer_id})


def redirect_target(value) -> str:
    """Where a click beacon may send the shopper: a page of the mall's own hosts (the mall, a
    shop, the operator console), as an absolute http(s) URL or a path of this host. Anything
    else (another site, a scheme-relative `//x`, a backslash or control character that browsers
    read differently from us, credentials in the URL): a 400 naming `to`, never a redirect."""
    from urllib.parse import urlsplit

    from django.utils.http import url_has_allowed_host_and_scheme

    target = str(value or "")
    refused = field_error("to", _("Give a link to a page of this mall."))
    if not target or len(target) > 2000 or "\\" in target or any(ord(c) < 33 or ord(c) == 127 for c in target):
        raise refused
    try:
        parts = urlsplit(target)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        raise refused from None
    if parts.scheme or parts.netloc:
        if not port_ok or parts.username is not None or parts.password is not None or not hosts.is_mall_url(target):
            raise refused
        allowed = {parts.hostname}
    else:
        if not target.startswith("/") or target.startswith("//"):
            raise refused
        allowed = set()
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=allowed):
        raise refused
    return target


# --- the drain ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drained:
    searches: int
    clicks: int


def _normalised(raw: str, memo: dict[str, str]) -> str:
    """The grouping key of a query: the tokenizer's words ("iPhone  15" and "iphone 15" are one
    query), else the casefolded text (emoji-only queries stay visible)."""
    if raw not in memo:
        from .text import normalise, query_terms

        words = " ".join(t.word for t in query_terms(raw))
        memo[raw] = (words or " ".join(normalise(raw).split()))[:QUERY_CHARS]
    return memo[raw]


def _moment(value) -> datetime:
    return datetime.fromtimestamp(float(value), tz=UTC)


def _count(value, high: int, *, low: int = 0) -> int:
    number = int(value)
    if not low <= number <= high:
        raise ValueError(f"{number} is outside {low}..{high}")
    return number


def _rows(lines: list[bytes]) -> tuple[list[SearchLog], list[SearchClick]]:
    """The lines as unsaved rows. A line that does not parse, or whose numbers the columns could
    not hold, is dropped with a warning: one bad line must not block the list for ever."""
    searches, clicks, memo = [], [], {}
    for raw in lines:
        try:
            line = json.loads(raw)
            if line["k"] == "s":
                searches.append(SearchLog(
                    search_id=uuid.UUID(line["id"]), at=_moment(line["at"]), query=str(line["q"])[:QUERY_CHARS],
                    normalised=_normalised(str(line["q"]), memo), filters=dict(line["f"]),
                    sort=str(line["s"])[:16], page=_count(line["p"], SMALL, low=1),
                    per_page=_count(line["pp"], SMALL, low=1), shown=_count(line["n"], SMALL),
                    total=_count(line["t"], 2**31 - 1), estimated=bool(line["e"]), zero_results=int(line["t"]) == 0,
                    source=str(line["src"])[:8], searcher=str(line["who"])[:24]))
            elif line["k"] == "c":
                clicks.append(SearchClick(click_id=uuid.UUID(line["id"]), search_id=uuid.UUID(line["sid"]),
                                          at=_moment(line["at"]), position=_count(line["pos"], POSITION_MAX, low=1),
                                          offer_id=_count(line["offer"], 2**62, low=1)))
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError, OSError):
            log.warning("search analytics: dropped a malformed line %r", raw[:200])
    return searches, clicks


def _store(lines: list[bytes]) -> Drained:
    """One chunk into PostgreSQL in one transaction. A line already stored (a chunk retried after
    a crash) is skipped by its unique id; a click is kept only when its search is stored and the
    position was on that search's page."""
    searches, clicks = _rows(lines)
    with transaction.atomic():
        SearchLog.objects.bulk_create(searches, ignore_conflicts=True, batch_size=DRAIN_CHUNK)
        pages = {
            search_id: ((page - 1) * per_page + 1, (page - 1) * per_page + shown)
            for search_id, page, per_page, shown in SearchLog.objects.filter(
                search_id__in={c.search_id for c in clicks}).values_list("search_id", "page", "per_page", "shown")
        }
        kept = [c for c in clicks if c.search_id in pages and pages[c.search_id][0] <= c.position
                <= pages[c.search_id][1]]
        SearchClick.objects.bulk_create(kept, ignore_conflicts=True, batch_size=DRAIN_CHUNK)
    return Drained(searches=len(searches), clicks=len(kept))


def log_drain(*, chunk: int = DRAIN_CHUNK, max_chunks: int = 100) -> Drained:
    """Move what the search path pushed into `SearchLog` and `SearchClick`, a chunk at a time.

    The pending list is renamed whole (atomic: pushes after it start a new list) and read from
    the renamed copy; each chunk is inserted in one transaction and only then trimmed from Redis,
    so a crash at any point loses nothing and a retry inserts nothing twice (unique ids). One
    drain at a time (a Redis lock); a drain that finds another running returns at once. Returns
    how many searches and kept clicks it stored."""
    client = _client(fast=False)
    token = uuid.uuid4().hex
    if not client.set(_key(DRAIN_LOCK), token, nx=True, ex=DRAIN_LOCK_SECONDS):
        return Drained(0, 0)
    searches = clicks = 0
    try:
        for _n in range(max_chunks):
            if not client.exists(_key(DRAINING)):
                try:
                    client.rename(_key(PENDING), _key(DRAINING))
                except redis.ResponseError:  # nothing pending
                    break
            lines = client.lrange(_key(DRAINING), 0, chunk - 1)
            if not lines:
                client.delete(_key(DRAINING))
                continue
            stored = _store(lines)
            searches, clicks = searches + stored.searches, clicks + stored.clicks
            client.ltrim(_key(DRAINING), len(lines), -1)
    finally:
        # Only our own lock: after DRAIN_LOCK_SECONDS another drain may hold it.
        client.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
                    1, _key(DRAIN_LOCK), token)
    return Drained(searches=searches, clicks=clicks)


def logs_purge(*, days: int | None = None, batch: int = 10_000) -> int:
    """Delete searches (and their clicks, by cascade) older than `days` (SEARCH_LOG_DAYS, 180):
    analytics look back months, not years, and the table grows with every search. In batches,
    so no statement holds many locks for long. Returns searches deleted."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    days = days if days is not None else int(getattr(settings, "SEARCH_LOG_DAYS", 180))
    cutoff = timezone.now() - timedelta(days=days)
    deleted = 0
    while True:
        ids = list(SearchLog.objects.filter(at__lt=cutoff).order_by("at").values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        deleted += SearchLog.objects.filter(pk__in=ids).delete()[1].get(SearchLog._meta.label, 0)
