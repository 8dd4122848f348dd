"""Writes of the comparison engine: the automatic grouping, operators' merges and splits, and the
similarity threshold. The rules themselves are in `rules` (pure functions)."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from backend.api.errors import Conflict, NotFound, ServiceError
from shared_apps.accounts import roles
from shared_apps.audit.services import audit_record
from shared_apps.offers.models import OfferText

from . import rules
from .alerts import alerts_move_on_merge
from .models import ComparisonGroup, GroupAlias, GroupKind, GroupMember, GroupSettings

# Who may look at the grouping in the operator console (auditors review it), and who may change
# it (merge, split, the threshold): administrators only.
READ_ROLES = roles.REVIEW
CHANGE_ROLES = roles.SHOP_LIFECYCLE

# One lock for every writer of groups: two groupings (a sweep and a threshold change, say) would
# otherwise both see an offer ungrouped and both file it, and a merge could race a regrouping.
LOCK_ID = 0x434D5047  # "CMPG"
OFFER_FIELDS = ("id", "shop_id", "sku_id", "title", "brand", "model", "category_id", "standard_product_id",
                "attributes", "spec", "updated_at")


@dataclass(frozen=True)
class GroupingResult:
    offers: int  # offers looked at
    moved: int  # memberships written (new or changed)
    groups_created: int
    groups_deleted: int


def _lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_ID])


def group_settings_get() -> GroupSettings:
    return GroupSettings.objects.get_or_create(pk=1)[0]


def _aliases() -> rules.Aliases:
    from shared_apps.search.models import Synonym

    groups: dict[str, list[str]] = defaultdict(list)
    for group, term in Synonym.objects.values_list("group", "term"):
        if " " not in term:
            groups[group].append(term)
    return rules.Aliases(groups.values())


def _key_codes(category_ids) -> dict[int | None, frozenset[str]]:
    """The key attributes (`is_key`) of each category, inherited ones included."""
    from shared_apps.taxonomy.interface import attributes_for

    codes: dict[int | None, frozenset[str]] = {None: frozenset()}
    for category_id in category_ids:
        if category_id is None:
            continue
        try:
            codes[category_id] = frozenset(a.code for a in attributes_for(category_id) if a.is_key)
        except ValidationError:
            codes[category_id] = frozenset()
    return codes


@transaction.atomic
def group_offers(*, offer_ids=None) -> GroupingResult:
    """File offers into comparison groups by the rules of `rules` (standard product, else brand +
    model, else similar title in the same category): the given offers, or all.

    Members of locked groups (merged or split by an operator) stay where they are. Rules a and b
    touch only the given offers; rule c re-clusters every unkeyed offer of the categories
    concerned, since one changed title can join or part others. Groups left empty are deleted.
    Writes are set-based (one upsert of groups, one of memberships); runs under an advisory lock,
    so concurrent calls queue rather than file one offer twice.
    """
    _lock()
    threshold = float(group_settings_get().similarity_threshold)
    aliases = _aliases()
    locked = GroupMember.objects.filter(offer_id=OuterRef("pk"), group__locked=True)
    offers = OfferText.objects.annotate(locked=Exists(locked)).filter(locked=False)
    if offer_ids is not None:
        offer_ids = list(offer_ids)
        rows = list(offers.filter(pk__in=offer_ids).values(*OFFER_FIELDS))
    else:
        rows = list(offers.values(*OFFER_FIELDS))
    members = GroupMember.objects.filter(offer_id__in=[r["id"] for r in rows]) if offer_ids is not None \
        else GroupMember.objects.all()
    seen = {o: (g, v) for o, g, v in members.values_list("offer_id", "group_id", "offer_version")}
    current = {o: g for o, (g, _v) in seen.items()}
    cached: dict[int, list[str]] = {}
    key_codes = _key_codes({r["category_id"] for r in rows})

    def classify(row):
        found = rules.variant(title=row["title"], attributes=row["attributes"], spec=row["spec"],
                              key_codes=key_codes.get(row["category_id"], ()))
        row["found"] = found
        return rules.offer_key(standard_product_id=row["standard_product_id"], brand=row["brand"],
                               model=row["model"], category_id=row["category_id"], found=found, aliases=aliases)

    keyed: dict[int, tuple[str, str]] = {}
    residual: dict[int, dict] = {}
    for row in rows:
        found_key = classify(row)
        if found_key:
            keyed[row["id"]] = found_key
        else:
            residual[row["id"]] = row
    by_id = {row["id"]: row for row in rows}

    # Rule c for whole categories: those of the given unkeyed offers and those the similar-title
    # groups of any given offer were in (an offer that gained a model leaves its old group).
    categories = {row["category_id"] for row in residual.values()}
    if offer_ids is not None:
        categories |= set(ComparisonGroup.objects.filter(
            pk__in={current[i] for i in by_id if i in current}, kind=GroupKind.SIMILAR_TITLE)
            .values_list("category_id", flat=True))
        known = set(by_id)
        query = Q(category_id__in=[c for c in categories if c is not None])
        if None in categories:
            query |= Q(category_id__isnull=True)
        extra = [r for r in offers.filter(query, standard_product_id__isnull=True).exclude(pk__in=known)
                 .values(*OFFER_FIELDS)] if categories else []
        key_codes.update(_key_codes({r["category_id"] for r in extra} - key_codes.keys()))
        extra_ids = [r["id"] for r in extra]
        for o, g, v in GroupMember.objects.filter(offer_id__in=extra_ids).values_list("offer_id", "group_id",
                                                                                     "offer_version"):
            seen[o], current[o] = (g, v), g
        for row in extra:
            found_key = classify(row)
            if not found_key:
                residual[row["id"]] = row
                by_id[row["id"]] = row
    # Tokens cached on memberships of offers unchanged since (an offer's text is cut once).
    for o, v, t in GroupMember.objects.filter(offer_id__in=list(residual)).exclude(tokens=[]).values_list(
            "offer_id", "offer_version", "tokens"):
        if v == residual[o]["updated_at"]:
            cached[o] = t
    buckets: dict[int | None, list[rules.Profile]] = defaultdict(list)
    tokens_of: dict[int, list[str]] = {}
    for row in residual.values():
        tokens = cached.get(row["id"])
        if tokens is None:
            tokens = rules.title_tokens(row["title"], row["brand"])
        tokens_of[row["id"]] = tokens
        buckets[row["category_id"]].append(rules.profile(
            offer_id=row["id"], title=row["title"], brand=row["brand"], attributes=row["attributes"],
            found=row["found"], aliases=aliases, tokens=tokens))
    clustered = [ids for bucket in buckets.values() for ids in rules.clusters(bucket, threshold)]

    # Which group each key and each cluster goes to.
    keys = {key for key, _kind in keyed.values()}
    group_of_key = dict(ComparisonGroup.objects.filter(key__in=keys).values_list("key", "pk"))
    group_of_key.update({k: g for k, g in GroupAlias.objects.filter(key__in=keys - group_of_key.keys())
                         .values_list("key", "group_id")})
    new_groups: dict[str, ComparisonGroup] = {}
    for offer_id, (key, kind) in sorted(keyed.items()):
        if key not in group_of_key and key not in new_groups:
            new_groups[key] = _group_for(by_id[offer_id], key=key, kind=kind)
    similar_groups = set(ComparisonGroup.objects.filter(
        pk__in={current[i] for ids in clustered for i in ids if i in current},
        kind=GroupKind.SIMILAR_TITLE, locked=False).values_list("pk", flat=True))
    cluster_group: list[int | str] = []
    taken: set[int] = set()
    for ids in sorted(clustered, key=len, reverse=True):
        # Keep a cluster in the group that already holds most of it, so group ids (and what hangs
        # on them: price history, alerts) survive a regrouping.
        votes = Counter(current[i] for i in ids if current.get(i) in similar_groups and current[i] not in taken)
        if votes:
            group_id = votes.most_common(1)[0][0]
            taken.add(group_id)
            cluster_group.append(group_id)
        else:
            key = f"st:{uuid.uuid4().hex}"
            new_groups[key] = _group_for(by_id[ids[0]], key=key, kind=GroupKind.SIMILAR_TITLE)
            cluster_group.append(key)
    if new_groups:
        ComparisonGroup.objects.bulk_create(new_groups.values())
        group_of_key.update({k: g.pk for k, g in new_groups.items()})

    wanted: dict[int, int] = {offer_id: group_of_key[key] for offer_id, (key, _kind) in keyed.items()}
    for ids, target in zip(sorted(clustered, key=len, reverse=True), cluster_group, strict=True):
        group_id = target if isinstance(target, int) else group_of_key[target]
        wanted.update(dict.fromkeys(ids, group_id))
    versions = {offer_id: row["updated_at"] for offer_id, row in by_id.items()}
    moved = [GroupMember(offer_id=offer_id, group_id=group_id, shop_id=by_id[offer_id]["shop_id"],
                         sku_id=by_id[offer_id]["sku_id"], offer_version=versions[offer_id],
                         tokens=tokens_of.get(offer_id, []))
             for offer_id, group_id in wanted.items()
             if seen.get(offer_id) != (group_id, versions[offer_id]) or (offer_id in tokens_of and offer_id not in cached)]
    GroupMember.objects.bulk_create(moved, batch_size=5000, update_conflicts=True, unique_fields=["offer"],
                                    update_fields=["group", "shop_id", "sku_id", "offer_version", "tokens"])
    deleted = ComparisonGroup.objects.filter(~Exists(GroupMember.objects.filter(group=OuterRef("pk")))).delete()
    changed = sum(current.get(offer_id) != group_id for offer_id, group_id in wanted.items())
    return GroupingResult(offers=len(by_id), moved=changed, groups_created=len(new_groups),
                          groups_deleted=deleted[1].get(ComparisonGroup._meta.label, 0))


def _group_for(row: dict, *, key: str, kind: str) -> ComparisonGroup:
    return ComparisonGroup(key=key, kind=kind, title=row["title"][:120], brand=row["brand"][:60],
                           model=row["model"][:60], category_id=row["category_id"],
                           standard_product_id=row["standard_product_id"])


def offers_to_regroup(*, limit: int = 20000) -> list[int]:
    """Offers not grouped yet or changed since they were (one anti-join on the offer's version)."""
    fresh = GroupMember.objects.filter(Q(offer_version__gte=OuterRef("updated_at")) | Q(group__locked=True),
                                       offer_id=OuterRef("pk"))
    return list(OfferText.objects.filter(~Exists(fresh)).order_by("pk").values_list("pk", flat=True)[:limit])


@transaction.atomic
def group_merge(*, group_ids: list[int], actor, reason: str = "") -> ComparisonGroup:
    """Merge groups into the first given one (an operator saw they are one product).

    The merged group is locked: the automatic grouping leaves its members alone, and the keys of
    the groups merged away become its aliases, so offers listed later under them join it too.
    Shoppers' price alerts on the merged-away groups follow (one per shopper). Administrators
    only. Audited as `comparison.group_merge`.
    """
    roles.require_operator(actor, CHANGE_ROLES)
    ids = list(dict.fromkeys(group_ids))
    if len(ids) < 2:
        raise ServiceError(_("Choose at least two groups to merge."), fields={"group_ids": [_("At least two.")]})
    _lock()
    groups = {g.pk: g for g in ComparisonGroup.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    if len(groups) != len(ids):
        raise NotFound(_("No such comparison group."))
    target, others = groups[ids[0]], [groups[i] for i in ids[1:]]
    moved = GroupMember.objects.filter(group__in=others).update(group=target)
    alerts_move_on_merge(from_group_ids=[g.pk for g in others], to_group_id=target.pk)
    old_keys = [g.key for g in others]
    GroupAlias.objects.filter(group__in=others).update(group=target)
    ComparisonGroup.objects.filter(pk__in=[g.pk for g in others]).delete()
    GroupAlias.objects.bulk_create([GroupAlias(key=k, group=target) for k in old_keys])
    target.locked = True
    target.save(update_fields=["locked", "updated_at"])
    audit_record(actor=actor, action="comparison.group_merge", target_type="comparison_group", target_id=target.pk,
                 before={"groups": ids}, after={"group": target.pk, "offers_moved": moved}, reason=reason)
    return target


@transaction.atomic
def group_split(*, group_id: int, offer_ids: list[int], actor, reason: str = "") -> ComparisonGroup:
    """Move some offers of a group into a new group (an operator saw they are another product).

    Both groups are locked, so the automatic grouping keeps the split. Returns the new group.
    Administrators only. Audited as `comparison.group_split`.
    """
    roles.require_operator(actor, CHANGE_ROLES)
    _lock()
    source = ComparisonGroup.objects.select_for_update().filter(pk=group_id).first()
    if source is None:
        raise NotFound(_("No such comparison group."))
    offer_ids = sorted(set(offer_ids))
    members = set(GroupMember.objects.filter(group=source).values_list("offer_id", flat=True))
    if not offer_ids or not set(offer_ids) <= members:
        raise ServiceError(_("Choose offers of this group."), fields={"offer_ids": [_("Not in the group.")]})
    if set(offer_ids) == members:
        raise Conflict(_("Leave at least one offer in the group."))
    first = OfferText.objects.filter(pk=offer_ids[0]).values("title").first() or {"title": source.title}
    split = ComparisonGroup.objects.create(
        key=f"split:{uuid.uuid4().hex}", kind=source.kind, title=first["title"][:120], brand=source.brand,
        model=source.model, category_id=source.category_id, standard_product_id=source.standard_product_id,
        locked=True)
    GroupMember.objects.filter(offer_id__in=offer_ids).update(group=split)
    source.locked = True
    source.save(update_fields=["locked", "updated_at"])
    audit_record(actor=actor, action="comparison.group_split", target_type="comparison_group", target_id=source.pk,
                 before={"group": source.pk}, after={"group": split.pk, "offers": offer_ids}, reason=reason)
    return split


@transaction.atomic
def group_settings_update(*, similarity_threshold: Decimal, actor) -> GroupSettings:
    """Change the similarity threshold (0.30–1.00). Audited with the old and new value; after
    commit every offer is regrouped in the background."""
    roles.require_operator(actor, CHANGE_ROLES)
    try:
        value = Decimal(str(similarity_threshold).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or not Decimal("0.30") <= value <= Decimal("1.00"):
        raise ServiceError(_("The threshold must be between 0.30 and 1.00."),
                           fields={"similarity_threshold": [_("Between 0.30 and 1.00.")]})
    row = GroupSettings.objects.select_for_update().get_or_create(pk=1)[0]
    before = row.similarity_threshold
    row.similarity_threshold, row.updated_by = value, actor
    row.save(update_fields=["similarity_threshold", "updated_by", "updated_at"])
    audit_record(actor=actor, action="comparison.settings_update", target_type="comparison_settings", target_id=1,
                 before={"similarity_threshold": str(before)}, after={"similarity_threshold": str(value)})

    def regroup():
        from .tasks import regroup_all

        regroup_all.delay()

    transaction.on_commit(regroup, robust=True)
    return row
