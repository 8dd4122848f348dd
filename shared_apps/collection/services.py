"""Writes of data collection: sources, the "collected data" permission, matching again.

Importing files is in `imports`. Every function checks the actor's right first (`access`):
sources and matching need access to collected data; grants need an administrator.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.api.errors import Conflict, NotFound, field_error
from shared_apps.audit.services import audit_record, changed_fields

from . import access, matching
from .models import CollectedDataGrant, ExternalOffer, Source, SourceKind

PERMISSION = "collected_data"
REMATCH_BATCH = 500


def _source_values(*, name, kind, notes) -> dict:
    values = {}
    if name is not None:
        name = " ".join(str(name).split())
        if not name or len(name) > 60:
            raise field_error("name", _("Give the source a name of 1 to 60 characters."))
        values["name"] = name
    if kind is not None:
        if kind not in SourceKind.values:
            raise field_error("kind", _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(SourceKind.values)})
        values["kind"] = kind
    if notes is not None:
        notes = str(notes).strip()
        if len(notes) > 500:
            raise field_error("notes", _("At most 500 characters."))
        values["notes"] = notes
    return values


def _name_taken(name: str, *, other_than: int | None = None) -> bool:
    rows = Source.objects.annotate(lower=Lower("name")).filter(lower=name.lower())
    return rows.exclude(pk=other_than).exists() if other_than else rows.exists()


def _name_conflict():
    return Conflict(_("A source of that name exists already."), code="source_exists",
                    fields={"name": [_("A source of that name exists already.")]})


@transaction.atomic
def source_create(*, actor, name: str, kind: str = SourceKind.MARKETPLACE, notes: str = "") -> Source:
    """Add a source of collected data. Names are unique whatever their case (409). Audited as
    `collection.source_create`."""
    access.require_view(actor)
    values = _source_values(name=name, kind=kind, notes=notes)
    if _name_taken(values["name"]):
        raise _name_conflict()
    try:
        with transaction.atomic():
            source = Source.objects.create(created_by=actor, **values)
    except IntegrityError:  # the same name, added at the same moment by someone else
        raise _name_conflict() from None
    audit_record(actor=actor, action="collection.source_create", target_type="collection_source",
                 target_id=source.pk, after=values)
    return source


@transaction.atomic
def source_update(*, actor, source_id: int, name: str | None = None, kind: str | None = None,
                  notes: str | None = None) -> Source:
    """Rename a source or change its kind or notes (fields left None stay). Audited with the
    values before and after."""
    access.require_view(actor)
    source = Source.objects.select_for_update().filter(pk=source_id).first()
    if source is None:
        raise NotFound(_("No such source."))
    values = _source_values(name=name, kind=kind, notes=notes)
    if "name" in values and _name_taken(values["name"], other_than=source.pk):
        raise _name_conflict()
    before, after = changed_fields({k: getattr(source, k) for k in values}, values)
    if not after:
        return source
    for key, value in after.items():
        setattr(source, key, value)
    try:
        with transaction.atomic():
            source.save(update_fields=[*after, "updated_at"])
    except IntegrityError:
        raise _name_conflict() from None
    audit_record(actor=actor, action="collection.source_update", target_type="collection_source",
                 target_id=source.pk, before=before, after=after)
    return source


# --- the "collected data" permission -----------------------------------------------------------


def _grantee(user_id):
    user = get_user_model().objects.filter(pk=user_id).first() if isinstance(user_id, int) else None
    if user is None:
        raise field_error("user_id", _("No such person."))
    return user


@transaction.atomic
def grant_give(*, actor, user_id: int, reason: str = "", ip: str | None = None) -> CollectedDataGrant:
    """An administrator lets an operator see and import collected data. Only active operators
    other than administrators (who always may) can be granted (400); a grant already in force is a
    409. Audited as `collection.grant`."""
    access.require_manage_grants(actor)
    user = _grantee(user_id)
    if not user.is_operator:
        raise field_error("user_id", _("Only platform operators can be given access to collected data."))
    if user.operator_role in access.ADMINS:
        raise Conflict(_("Administrators always have access to collected data."), code="already_allowed")
    reason = str(reason or "").strip()
    if len(reason) > 300:
        raise field_error("reason", _("At most 300 characters."))
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()  # grants of one person take turns
    if CollectedDataGrant.objects.filter(user=user, revoked_at__isnull=True).exists():
        raise Conflict(_("This operator already has access to collected data."), code="already_granted")
    grant = CollectedDataGrant.objects.create(user=user, granted_by=actor, reason=reason)
    audit_record(actor=actor, action="collection.grant", target_type="user", target_id=user.pk,
                 before={"permission": None}, after={"permission": PERMISSION}, reason=reason, ip=ip)
    return grant


@transaction.atomic
def grant_revoke(*, actor, user_id: int, reason: str = "", ip: str | None = None) -> CollectedDataGrant:
    """An administrator takes the access away again; 404 when no grant is in force. The grant
    stays as a record with who revoked it and when. Audited as `collection.revoke`."""
    access.require_manage_grants(actor)
    reason = str(reason or "").strip()
    if len(reason) > 300:
        raise field_error("reason", _("At most 300 characters."))
    grant = CollectedDataGrant.objects.select_for_update().filter(user_id=user_id, revoked_at__isnull=True).first()
    if grant is None:
        raise NotFound(_("This person has no access to collected data to revoke."))
    grant.revoked_by, grant.revoked_at = actor, timezone.now()
    grant.save(update_fields=["revoked_by", "revoked_at"])
    audit_record(actor=actor, action="collection.revoke", target_type="user", target_id=grant.user_id,
                 before={"permission": PERMISSION}, after={"permission": None}, reason=reason, ip=ip)
    return grant


# --- matching again ----------------------------------------------------------------------------


def rematch(*, offer_ids: list[int] | None = None, only_unmatched: bool = False) -> int:
    """Link offers to comparison groups again (all, the given ones, or those without a group),
    in batches of REMATCH_BATCH, one transaction each: groups come and go as shops list and
    delist, so a link found at import time may have changed. Returns how many are matched."""
    rows = ExternalOffer.objects.all()
    if offer_ids is not None:
        rows = rows.filter(pk__in=offer_ids)
    if only_unmatched:
        rows = rows.filter(group__isnull=True)
    matched, last = 0, 0
    while True:
        with transaction.atomic():
            batch = list(rows.filter(pk__gt=last).select_for_update(skip_locked=True).order_by("pk")
                         .only("pk", "title", "brand", "model", "gtin", "category_id", "group_id", "match_kind")
                         [:REMATCH_BATCH])
            if not batch:
                return matched
            matched += matching.match_offers(batch)
            ExternalOffer.objects.bulk_update(batch, ["group", "match_kind", "matched_at"])
        last = batch[-1].pk


def rematch_start(*, actor, only_unmatched: bool = False) -> None:
    """Queue `rematch` in the background for an operator (after commit)."""
    access.require_view(actor)

    def enqueue():
        from .tasks import rematch_offers

        rematch_offers.delay(only_unmatched=only_unmatched)

    transaction.on_commit(enqueue)
