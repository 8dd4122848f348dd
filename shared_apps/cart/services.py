"""Changing carts. A signed-in shopper's cart is keyed by their user id, a guest's by their
session; `cart_merge` moves a guest's lines into the shopper's cart when they sign in."""

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Least
from django.utils.translation import gettext as _

from backend.api.errors import Conflict, NotFound, ServiceError
from shared_apps.offers.selectors import offers_for

from .models import MAX_LINES, MAX_QUANTITY, Cart, CartLine


def whole_quantity(value, *, field: str = "quantity") -> int:
    """A quantity from a client: a whole number from 1 to MAX_QUANTITY (400 naming the field).
    Accepts an integer or a string of digits; 1.5, "2.0", true, "" are refused."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        raise ServiceError(_("%(field)s: enter a whole number.") % {"field": field},
                           fields={field: [_("Enter a whole number.")]})
    if not 1 <= number <= MAX_QUANTITY:
        message = _("Enter a quantity from 1 to %(max)d.") % {"max": MAX_QUANTITY}
        raise ServiceError(f"{field}: {message}", fields={field: [message]})
    return number


def cart_for(*, user_id: int | None = None, session_key: str | None = None, create: bool = True) -> Cart | None:
    """The shopper's (or guest session's) cart, made on first use when `create`."""
    if user_id is None and not session_key:
        raise ValueError("a cart belongs to a user or a session")
    lookup = {"user_id": user_id} if user_id is not None else {"session_key": session_key}
    cart = Cart.objects.filter(**lookup).first()
    if cart is None and create:
        try:
            with transaction.atomic():
                cart = Cart.objects.create(**lookup)
        except IntegrityError:  # made by a concurrent request
            cart = Cart.objects.get(**lookup)
    return cart


@transaction.atomic
def line_add(*, cart: Cart, shop_id, sku_id, quantity=1) -> CartLine:
    """Put a SKU in the cart (or add to its quantity). Only SKUs on sale in an active shop."""
    quantity = whole_quantity(quantity)
    try:
        key = (int(shop_id), int(sku_id))
    except (TypeError, ValueError):
        raise ServiceError(_("shop_id and sku_id are ids."), fields={"sku_id": [_("Not an id.")]}) from None
    offer = offers_for([key]).get(key)
    if offer is None:
        raise NotFound(_("This item is not on sale."), fields={"sku_id": [_("Not on sale.")]})
    if not offer.shop_active:
        raise Conflict(_("This shop is not open at the moment."), code="shop_closed")
    Cart.objects.select_for_update().filter(pk=cart.pk).first()  # one writer per cart at a time
    line = CartLine.objects.filter(cart=cart, shop_id=key[0], sku_id=key[1]).first()
    if line is not None:
        total = line.quantity + quantity
        if total > MAX_QUANTITY:
            raise ServiceError(_("quantity: at most %(max)d of one item.") % {"max": MAX_QUANTITY},
                               fields={"quantity": [_("At most %(max)d of one item.") % {"max": MAX_QUANTITY}]})
        line.quantity = total
        line.selected = True
        line.save(update_fields=["quantity", "selected"])
        return line
    if CartLine.objects.filter(cart=cart).count() >= MAX_LINES:
        raise Conflict(_("A cart holds at most %(n)d different items.") % {"n": MAX_LINES}, code="cart_full")
    line = CartLine.objects.create(cart=cart, shop_id=key[0], sku_id=key[1], product_id=offer.product_id,
                                   quantity=quantity, price_when_added=offer.price)
    Cart.objects.filter(pk=cart.pk).update(updated_at=line.added_at)
    return line


def _line(cart: Cart, line_id) -> CartLine:
    try:
        line = CartLine.objects.filter(cart=cart, pk=int(line_id)).first()
    except (TypeError, ValueError):
        line = None
    if line is None:
        raise NotFound(_("No such line in your cart."))
    return line


def line_update(*, cart: Cart, line_id, quantity=None, selected=None) -> CartLine:
    line = _line(cart, line_id)
    fields = []
    if quantity is not None:
        line.quantity = whole_quantity(quantity)
        fields.append("quantity")
    if selected is not None:
        if not isinstance(selected, bool):
            raise ServiceError(_("selected: true or false."), fields={"selected": [_("True or false.")]})
        line.selected = selected
        fields.append("selected")
    if fields:
        line.save(update_fields=fields)
    return line


def line_remove(*, cart: Cart, line_id) -> None:
    _line(cart, line_id).delete()


def price_acknowledge(*, cart: Cart) -> int:
    """The shopper has seen the new prices: flagged price changes are cleared."""
    changed = 0
    lines = list(cart.lines.all())
    offers = offers_for([(line.shop_id, line.sku_id) for line in lines])
    for line in lines:
        offer = offers.get((line.shop_id, line.sku_id))
        if offer is not None and offer.price != line.price_when_added:
            line.price_when_added = offer.price
            line.save(update_fields=["price_when_added"])
            changed += 1
    return changed


@transaction.atomic
def cart_merge(*, session_key: str, user_id: int) -> int:
    """Move a guest session's lines into the user's cart (quantities of the same SKU add up,
    capped). Returns the lines moved or merged."""
    guest = Cart.objects.select_for_update().filter(session_key=session_key, user_id__isnull=True).first()
    if guest is None:
        return 0
    own = cart_for(user_id=user_id)
    moved = 0
    for line in guest.lines.all():
        mine = CartLine.objects.filter(cart=own, shop_id=line.shop_id, sku_id=line.sku_id).first()
        if mine is not None:
            CartLine.objects.filter(pk=mine.pk).update(
                quantity=Least(F("quantity") + line.quantity, MAX_QUANTITY), selected=True)
        else:
            CartLine.objects.create(cart=own, shop_id=line.shop_id, sku_id=line.sku_id, product_id=line.product_id,
                                    quantity=line.quantity, price_when_added=line.price_when_added)
        moved += 1
    guest.delete()
    return moved


def lines_remove_ordered(*, user_id: int, keys: set[tuple[int, int]]) -> None:
    """After a checkout: the ordered (shop_id, sku_id) lines leave the cart."""
    if not keys:
        return
    ordered = Q()
    for shop_id, sku_id in keys:
        ordered |= Q(shop_id=shop_id, sku_id=sku_id)
    CartLine.objects.filter(ordered, cart__user_id=user_id).delete()  # one DELETE
