"""Flash sales (O3): thousands of buyers at once on one SKU, and exactly the units there are.

- **Carved out.** When a sale starts, its quantity is moved (ledger transfers) from the shop's
  online stock into a pool location of its own; a flash order holds its unit from that pool
  only, so the sale can neither sell the shop's normal stock nor be sold by normal checkouts.
- **PostgreSQL is the truth.** A flash order is an ordinary order written in one transaction:
  the hold in the pool (row lock on one balance row), a claim row whose unique (sale, person,
  slot) is the per-person limit, the payment with a short hold (`hold_minutes`). An unpaid one
  expires like any order; its unit goes back to the pool and its claim is freed.
- **Redis turns the crowd away.** In front of PostgreSQL, one atomic DECR per attempt on the
  sale's counter: once the units are taken, later attempts are answered "sold out" without
  touching PostgreSQL, so thousands of buyers never pile up on the pool's row lock. The counter
  is only a gate — a wrong value can cost a retry, never an oversale — and it is rebuilt from
  the pool when Redis lost it (Redis keeps nothing on disk here) and re-synced by beat.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from backend.api.errors import Conflict, NotFound, field_error
from backend.lib.money import parse_amount
from shared_apps.marketing.models import FlashClaim, FlashSale, FlashSaleStatus

from .checkout import (
    LinePlan,
    Plan,
    ShopPlan,
    _address_snapshot,
    _client_token,
    _provider,
    order_write,
)
from .models import DeliveryMethod, Order, PaymentMode

COUNTER_SECONDS = 24 * 3600



def _key(sale_id: int) -> str:
    return f"flash:{sale_id}:left"


# --- running a sale ----------------------------------------------------------------------------


@transaction.atomic
def flash_create(*, shop, data: dict) -> FlashSale:
    """A sale of one of the shop's listed SKUs (the shop's staff set it up)."""
    from tenant_apps.catalog.interface import sellable_skus

    try:
        sku_id = int(data.get("sku_id"))
    except (TypeError, ValueError):
        raise field_error("sku_id", _("Not a SKU id.")) from None
    with schema_context(shop.schema_name):
        sku = sellable_skus([sku_id]).get(sku_id)
    if sku is None:
        raise field_error("sku_id", _("This SKU is not on sale."))
    try:
        price = parse_amount(data.get("price"), field="price", allow_zero=False)
    except Exception as exc:  # ValidationError
        raise field_error("price", _("Enter a price such as 9.90.")) from exc
    numbers = {}
    for field, default, top in (("quantity", None, 1_000_000), ("per_person_limit", 1, 100), ("hold_minutes", 5, 60)):
        value = data.get(field, default)
        if isinstance(value, bool) or not str(value).isdigit() or not 1 <= int(value) <= top:
            raise field_error(field, _("A whole number from 1 to %(top)d.") % {"top": top})
        numbers[field] = int(value)
    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    if not isinstance(starts_at, datetime) or not isinstance(ends_at, datetime) or ends_at <= starts_at:
        raise field_error("ends_at", _("Give a start and a later end."))
    return FlashSale.objects.create(shop=shop, sku_id=sku_id, title=sku.title, price=price,
                                    starts_at=starts_at, ends_at=ends_at, **numbers)


@transaction.atomic
def flash_start(*, sale_id: int) -> FlashSale:
    """Carve the units out of online stock (409 when there are not enough) and open the sale."""
    from tenant_apps.inventory.interface import flash_pool_fill

    sale = FlashSale.objects.select_for_update(of=("self",)).select_related("shop").filter(pk=sale_id).first()
    if sale is None:
        raise NotFound(_("No such flash sale."))
    if sale.status != FlashSaleStatus.SCHEDULED:
        return sale
    with schema_context(sale.shop.schema_name):
        sale.pool_location_id = flash_pool_fill(sku_id=sale.sku_id, quantity=sale.quantity,
                                                reference=f"FLASH-{sale.pk}")
    sale.status = FlashSaleStatus.ACTIVE
    sale.save(update_fields=["pool_location_id", "status"])
    transaction.on_commit(lambda: cache.set(_key(sale.pk), sale.quantity, COUNTER_SECONDS), robust=True)
    return sale


@transaction.atomic
def flash_end(*, sale_id: int) -> FlashSale:
    """Close the sale; unsold units go back online (units held by unpaid orders follow when
    those orders expire or are paid)."""
    from tenant_apps.inventory.interface import flash_pool_return

    sale = FlashSale.objects.select_for_update(of=("self",)).select_related("shop").filter(pk=sale_id).first()
    if sale is None:
        raise NotFound(_("No such flash sale."))
    if sale.status == FlashSaleStatus.ACTIVE:
        with schema_context(sale.shop.schema_name):
            flash_pool_return(sku_id=sale.sku_id, reference=f"FLASH-{sale.pk}-END")
    sale.status = FlashSaleStatus.ENDED
    sale.save(update_fields=["status"])
    transaction.on_commit(lambda: cache.delete(_key(sale.pk)), robust=True)
    return sale


def flash_schedule(*, now=None) -> int:
    """Beat: start sales whose time has come, end those whose time is up, re-sync counters."""
    now = now or timezone.now()
    done = 0
    for pk in FlashSale.objects.filter(status=FlashSaleStatus.SCHEDULED, starts_at__lte=now,
                                       ends_at__gt=now).values_list("pk", flat=True):
        try:
            flash_start(sale_id=pk)
            done += 1
        except Conflict:
            continue  # not enough stock: stays scheduled, the shop sees why in the console
    for pk in FlashSale.objects.filter(status__in=[FlashSaleStatus.ACTIVE, FlashSaleStatus.SCHEDULED],
                                       ends_at__lte=now).values_list("pk", flat=True):
        flash_end(sale_id=pk)
        done += 1
    for sale in FlashSale.objects.filter(status=FlashSaleStatus.ACTIVE).select_related("shop"):
        counter_rebuild(sale)
    return done


def counter_rebuild(sale: FlashSale) -> int:
    """Set the sale's counter to the units free in its pool (PostgreSQL's truth)."""
    from tenant_apps.inventory.interface import flash_pool_available

    with schema_context(sale.shop.schema_name):
        left = flash_pool_available(sku_id=sale.sku_id)
    cache.set(_key(sale.pk), left, COUNTER_SECONDS)
    return left


def units_left(sale: FlashSale) -> int:
    left = cache.get(_key(sale.pk))
    return max(int(left), 0) if left is not None else counter_rebuild(sale)


# --- buying ------------------------------------------------------------------------------------


def sold_out(sale_id) -> bool:
    """What the gate knows without PostgreSQL: the sale's units are all taken (False when the
    counter is missing: the full path decides and rebuilds it)."""
    try:
        left = cache.get(_key(int(sale_id)))
    except (TypeError, ValueError):
        return False
    return left is not None and int(left) <= 0


def _take_from_counter(sale: FlashSale) -> bool:
    """One unit off the gate; False (and put back) when none is left."""
    key = _key(sale.pk)
    try:
        left = cache.decr(key)
    except ValueError:  # Redis lost it (restart): rebuild from the pool, then try again
        counter_rebuild(sale)
        left = cache.decr(key)
    if left < 0:
        cache.incr(key)
        return False
    return True


def _give_back(sale_id: int) -> None:
    try:
        cache.incr(_key(sale_id))
    except ValueError:
        pass  # gone: the next attempt rebuilds it from the pool


def _plan(sale: FlashSale, *, user_id: int, address_id) -> Plan:
    from shared_apps.accounts.interface import address_get
    from tenant_apps.catalog.interface import sellable_skus
    from tenant_apps.freight.interface import items_for, quote
    from tenant_apps.shop.interface import order_settings

    try:
        found = address_get(user_id=user_id, address_id=int(address_id))
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise field_error("address_id", _("No such address in your address book."))
    address = _address_snapshot(found)
    with schema_context(sale.shop.schema_name):
        sku = sellable_skus([sale.sku_id]).get(sale.sku_id)
        if sku is None:
            raise Conflict(_("This item is no longer on sale."), code="not_on_sale")
        shipping = quote(method=DeliveryMethod.EXPRESS, region_code=found.district_code,
                         items=items_for([(sale.sku_id, 1, sale.price)])).amount
        settings_ = order_settings()
    shop_plan = ShopPlan(shop=sale.shop, index=0, delivery_method=DeliveryMethod.EXPRESS,
                         payment_mode=PaymentMode.ONLINE, pickup_location_id=None, pickup_location={}, invoice={},
                         note="", requires_confirmation=settings_["confirm_orders"],
                         payment_minutes=sale.hold_minutes, shipping=shipping,
                         auto_complete_days=settings_["auto_complete_days"],
                         after_sales_days=settings_["after_sales_days"])
    shop_plan.lines.append(LinePlan(shop_id=sale.shop_id, sku_id=sale.sku_id, quantity=1, sellable=sku,
                                    goods=sale.price, unit_price=sale.price))
    return Plan(shops=[shop_plan], address=address)


def flash_buy(*, user_id: int, sale_id, data: dict, use_counter: bool | None = None) -> Order:
    """One unit of a flash sale for this person: an order to pay within the sale's hold.
    409 sold_out / limit_reached / not_active; the same client token returns the same order.
    `use_counter` (default: settings.FLASH_SALE_REDIS_GATE) puts the Redis gate in front."""
    if use_counter is None:
        use_counter = settings.FLASH_SALE_REDIS_GATE
    token = _client_token(data)
    existing = Order.objects.filter(user_id=user_id, client_token=token).first()
    if existing is not None:
        return existing
    provider = _provider(data.get("provider"))
    try:
        sale = FlashSale.objects.select_related("shop").get(pk=int(sale_id))
    except (TypeError, ValueError, FlashSale.DoesNotExist):
        raise NotFound(_("No such flash sale.")) from None
    now = timezone.now()
    if sale.status != FlashSaleStatus.ACTIVE or not sale.starts_at <= now < sale.ends_at:
        raise Conflict(_("This flash sale is not on now."), code="not_active")
    if use_counter and not _take_from_counter(sale):
        raise Conflict(_("Sold out."), code="sold_out")
    try:
        return _flash_order(sale, user_id=user_id, data=data, token=token, provider=provider)
    except BaseException:
        if use_counter:
            _give_back(sale.pk)
        raise


@transaction.atomic
def _flash_order(sale: FlashSale, *, user_id: int, data: dict, token: str, provider: str) -> Order:
    taken = FlashClaim.objects.filter(sale=sale, user_id=user_id).count()
    if taken >= sale.per_person_limit:
        raise Conflict(_("You have bought as many as this sale allows (%(n)d).") % {"n": sale.per_person_limit},
                       code="limit_reached")
    plan = _plan(sale, user_id=user_id, address_id=data.get("address_id"))
    try:
        with transaction.atomic():
            order = order_write(plan=plan, user_id=user_id, token=token, provider=provider,
                                minutes=sale.hold_minutes, pool_location_id=sale.pool_location_id)
            FlashClaim.objects.create(sale=sale, user_id=user_id, slot=taken + 1, order_number=order.number)
    except IntegrityError:  # the same person's other attempt took this slot first
        raise Conflict(_("You have bought as many as this sale allows (%(n)d).") % {"n": sale.per_person_limit},
                       code="limit_reached") from None
    except Conflict as exc:
        if exc.code == "insufficient_stock":
            raise Conflict(_("Sold out."), code="sold_out") from None
        raise
    return order


def claim_release(*, order_number: str) -> None:
    """orders → flash: an unpaid flash order expired or was cancelled. Its claim is freed (the
    person may try again) and its unit counts again at the gate once this commits."""
    claim = FlashClaim.objects.filter(order_number=order_number).first()
    if claim is None:
        return
    sale_id = claim.sale_id
    claim.delete()
    transaction.on_commit(lambda: _give_back(sale_id), robust=True)


def sale_view(sale: FlashSale) -> dict:
    return {"id": sale.pk, "shop_id": sale.shop_id, "sku_id": sale.sku_id, "title": sale.title,
            "price": sale.price, "quantity": sale.quantity, "per_person_limit": sale.per_person_limit,
            "hold_minutes": sale.hold_minutes, "starts_at": sale.starts_at, "ends_at": sale.ends_at,
            "status": sale.status, "left": units_left(sale) if sale.status == FlashSaleStatus.ACTIVE else 0}

