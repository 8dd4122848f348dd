"""The operators' side of product moderation."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from backend.api.errors import Conflict, NotFound, ServiceError
from shared_apps.accounts import roles
from shared_apps.audit.services import audit_record

from .models import ItemStatus, ModerationItem


@transaction.atomic
def moderation_decide(*, item_id: int, actor, approve: bool, reason: str = "", ip=None) -> ModerationItem:
    """Approve or reject a product or revision. The shop's product moves in the same transaction
    (one database, two schemas); a rejection needs a reason the merchant will see."""
    roles.require_operator(actor, roles.REVIEW)
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ServiceError(_("Say why it is rejected."), code="invalid", fields={"reason": [_("Required.")]})
    if len(reason) > 500:
        raise ServiceError(_("The reason is too long."), code="invalid", fields={"reason": [_("At most 500 characters.")]})
    item = ModerationItem.objects.select_for_update(of=("self",)).select_related("shop").filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("No such moderation item."))
    if item.status != ItemStatus.PENDING:
        raise Conflict(_("This item was already decided or withdrawn."), code="not_pending")
    from tenant_apps.catalog.review import decision_apply

    with schema_context(item.shop.schema_name):
        decision_apply(product_id=item.product_id, revision_id=item.revision_id, approve=approve,
                       reason=reason, actor_user_id=actor.pk)
    item.status = ItemStatus.APPROVED if approve else ItemStatus.REJECTED
    item.reason, item.decided_by, item.decided_at = reason, actor, timezone.now()
    item.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    audit_record(actor=actor, action=f"product.{item.kind}.{item.status}", target_type="product",
                 target_id=item.product_id, shop_id=item.shop_id, before={"status": "pending"},
                 after={"status": item.status, "revision_id": item.revision_id}, reason=reason, ip=ip)
    return item
