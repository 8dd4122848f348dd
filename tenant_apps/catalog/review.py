"""Moderation and listing of a shop's products: the shop side of the platform's review.

Runs in the shop's schema. The platform's queue (shared_apps.moderation) is told through its
interface; the operator's decision comes back through `decision_apply`, called by the platform
inside this shop's schema. Every move is checked against `transitions.ALLOWED` and recorded in
`ProductStatusChange`; moves that change what the mall shows write the offer outbox.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.api.errors import Conflict, NotFound
from shared_apps.moderation import interface as moderation

from .models import (
    Product,
    ProductImage,
    ProductRevision,
    ProductStatus,
    ProductStatusChange,
    RevisionStatus,
)
from .outbox import TEXT, current_shop_id, outbox_record
from .transitions import ALLOWED, REVIEWED_FIELDS


def _locked(product_id: int) -> Product:
    product = Product.objects.select_for_update().filter(pk=product_id).first()
    if product is None:
        raise NotFound(_("No such product."))
    return product


def _move(product: Product, to_status: str, *, actor_user_id: int | None, reason: str = "") -> None:
    if to_status not in ALLOWED[product.status]:
        raise Conflict(
            _("A product that is %(status)s cannot become %(to)s.")
            % {"status": product.get_status_display(), "to": ProductStatus(to_status).label},
            code="illegal_transition",
        )
    ProductStatusChange.objects.create(product=product, from_status=product.status, to_status=to_status,
                                       actor_user_id=actor_user_id, reason=reason[:500])
    product.status = to_status
    product.status_reason = reason[:500]
    fields = ["status", "status_reason", "updated_at"]
    if to_status == ProductStatus.LISTED:
        product.listed_at = timezone.now()
        fields.append("listed_at")
    product.save(update_fields=fields)


def reviewed_values(product: Product) -> dict:
    return {name: getattr(product, name) for name in REVIEWED_FIELDS}


@transaction.atomic
def submit_for_review(*, product_id: int, actor_user_id: int) -> Product:
    """Send a draft (or a corrected rejected) product to the platform's review queue."""
    product = _locked(product_id)
    if not product.skus.filter(is_active=True).exists():
        raise Conflict(_("Add at least one SKU before submitting."), code="no_sku")
    _move(product, ProductStatus.PENDING, actor_user_id=actor_user_id)
    moderation.enqueue(shop_id=current_shop_id(), product_id=product.pk, kind="new", title=product.title,
                       after=reviewed_values(product))
    return product


@transaction.atomic
def decision_apply(*, product_id: int, revision_id: int | None, approve: bool, reason: str,
                   actor_user_id: int) -> None:
    """The platform's decision on a product or a revision (called in this shop's schema)."""
    product = _locked(product_id)
    if revision_id is None:
        _move(product, ProductStatus.APPROVED if approve else ProductStatus.REJECTED,
              actor_user_id=actor_user_id, reason=reason)
        return
    revision = ProductRevision.objects.select_for_update().filter(pk=revision_id, product=product).first()
    if revision is None or revision.status != RevisionStatus.PENDING:
        raise Conflict(_("This revision is no longer pending."), code="not_pending")
    revision.status = RevisionStatus.APPROVED if approve else RevisionStatus.REJECTED
    revision.reason, revision.decided_at = reason[:500], timezone.now()
    revision.save(update_fields=["status", "reason", "decided_at"])
    if approve:
        _revision_apply(product, revision.data)
        if product.status == ProductStatus.LISTED:
            outbox_record(kind=TEXT, product_id=product.pk)


def _revision_apply(product: Product, data: dict) -> None:
    """Make the reviewed values live. Files named in the revision were stored when proposed."""
    fields = []
    for name, value in data.items():
        if name == "images":
            product.images.all().delete()
            ProductImage.objects.bulk_create([
                ProductImage(product=product, image=entry["image"], thumbnail=entry.get("thumbnail", ""),
                             width=entry.get("width", 0), height=entry.get("height", 0), sort=index)
                for index, entry in enumerate(value)
            ])
        elif name == "video":
            product.video = value
            fields.append("video")
        else:
            setattr(product, name, value)
            fields.append(name)
    product.save(update_fields=[*fields, "updated_at"])


@transaction.atomic
def product_list(*, product_id: int, actor_user_id: int | None) -> Product:
    """Put an approved (or delisted) product on sale: it appears on the storefront and in the mall."""
    product = _locked(product_id)
    _move(product, ProductStatus.LISTED, actor_user_id=actor_user_id)
    outbox_record(kind=TEXT, product_id=product.pk)
    return product


@transaction.atomic
def product_delist(*, product_id: int, actor_user_id: int | None, reason: str = "") -> Product:
    """Take a listed product off sale; it leaves the mall index at once (after commit)."""
    product = _locked(product_id)
    _move(product, ProductStatus.DELISTED, actor_user_id=actor_user_id, reason=reason)
    outbox_record(kind=TEXT, product_id=product.pk)
    return product


def schedule_run(*, now=None) -> tuple[int, int]:
    """List approved/delisted products whose list_at has come, delist listed ones whose delist_at
    has. Returns (listed, delisted). Each product moves in its own transaction."""
    now = now or timezone.now()
    listed = delisted = 0
    due_list = Product.objects.filter(status__in=[ProductStatus.APPROVED, ProductStatus.DELISTED],
                                      list_at__lte=now).exclude(delist_at__lte=now)
    for pk in due_list.values_list("pk", flat=True):
        with transaction.atomic():
            product = _locked(pk)
            if product.status in (ProductStatus.APPROVED, ProductStatus.DELISTED):
                _move(product, ProductStatus.LISTED, actor_user_id=None, reason="scheduled")
                product.list_at = None
                product.save(update_fields=["list_at"])
                outbox_record(kind=TEXT, product_id=pk)
                listed += 1
    for pk in Product.objects.filter(status=ProductStatus.LISTED, delist_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            product = _locked(pk)
            if product.status == ProductStatus.LISTED:
                _move(product, ProductStatus.DELISTED, actor_user_id=None, reason="scheduled")
                product.delist_at = None
                product.save(update_fields=["delist_at"])
                outbox_record(kind=TEXT, product_id=pk)
                delisted += 1
    return listed, delisted
