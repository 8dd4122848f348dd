"""Revisions of moderated products: a buyer-relevant edit of an approved, listed or delisted
product (title, subtitle, category, attributes, description, images, video) waits for the
platform's review while the live version stays on sale. Applying a decision is in `review`.
"""

from django.db import transaction

from shared_apps.moderation import interface as moderation_queue

from .models import Product, ProductRevision, RevisionStatus
from .outbox import current_shop_id


def live_values(product: Product, names) -> dict:
    """The live values of the reviewed fields `names`, as the queue shows them."""
    values = {}
    for name in names:
        if name == "images":
            values[name] = [
                {"image": i.image.name, "thumbnail": i.thumbnail.name, "width": i.width, "height": i.height}
                for i in product.images.all()
            ]
        elif name == "video":
            values[name] = product.video.name
        else:
            values[name] = getattr(product, name)
    return values


@transaction.atomic
def revision_propose(*, product: Product, data: dict, actor_user_id: int) -> ProductRevision:
    """Record `data` as the product's pending revision and put it in the platform's queue.
    A product has at most one pending revision: a second proposal merges into it (and the
    queue entry is replaced by one showing the merged change)."""
    pending = (
        ProductRevision.objects.select_for_update()
        .filter(product=product, status=RevisionStatus.PENDING)
        .first()
    )
    if pending is None:
        pending = ProductRevision.objects.create(product=product, data=data, created_by_user_id=actor_user_id)
    else:
        pending.data = {**pending.data, **data}
        pending.created_by_user_id = actor_user_id
        pending.save(update_fields=["data", "created_by_user_id"])
    moderation_queue.enqueue(
        shop_id=current_shop_id(), product_id=product.pk, kind="revision",
        title=pending.data.get("title", product.title), before=live_values(product, pending.data),
        after=pending.data, revision_id=pending.pk,
    )
    return pending
