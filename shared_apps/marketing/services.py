"""Coupons: creating them (operators for the platform, a shop's staff for their shop), checking
one at checkout and taking or giving back its uses with the order."""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from backend.api.errors import Conflict, ServiceError
from backend.lib.money import parse_amount

from .models import Coupon, CouponFunding, CouponUse


def _bad(field: str, message: str, code: str = "invalid") -> ServiceError:
    return ServiceError(f"{field}: {message}", code=code, fields={field: [message]})


def coupon_usable(*, code: str, user_id: int, shop_id: int | None, field: str, now: datetime | None = None) -> Coupon:
    """The coupon behind `code` if this user may use it on this shop's lines (shop_id) or on the
    whole order (None, platform coupons); else a 400 that says why, on `field`."""
    now = now or timezone.now()
    coupon = Coupon.objects.filter(code=code.strip().upper()).first()
    if coupon is None or not coupon.is_active:
        raise _bad(field, _("No such coupon."), code="coupon_invalid")
    if shop_id is None and coupon.funded_by != CouponFunding.PLATFORM:
        raise _bad(field, _("This is a shop's coupon; enter it with that shop."), code="coupon_invalid")
    if shop_id is not None and coupon.shop_id != shop_id:
        raise _bad(field, _("This coupon is not for this shop."), code="coupon_invalid")
    if not coupon.valid_from <= now < coupon.valid_until:
        raise _bad(field, _("This coupon is not valid now."), code="coupon_invalid")
    if coupon.used_quantity >= coupon.total_quantity:
        raise _bad(field, _("This coupon has run out."), code="coupon_used_up")
    if CouponUse.objects.filter(coupon=coupon, user_id=user_id).count() >= coupon.per_user_limit:
        raise _bad(field, _("You have already used this coupon."), code="coupon_used_up")
    return coupon


def coupons_take(*, order_number: str, user_id: int, uses: list[tuple[Coupon, Decimal]]) -> None:
    """Count the coupons' uses for an order being placed (inside its transaction): the coupon rows
    are locked, so the last use can be taken once, and the per-user limit holds under races."""
    if not uses:
        return
    locked = {c.pk: c for c in Coupon.objects.select_for_update().filter(pk__in=[c.pk for c, _a in uses]).order_by("pk")}
    for coupon, amount in uses:
        current = locked[coupon.pk]
        if current.used_quantity >= current.total_quantity:
            raise Conflict(_("The coupon %(code)s has just run out.") % {"code": current.code}, code="coupon_used_up")
        if CouponUse.objects.filter(coupon=current, user_id=user_id).count() >= current.per_user_limit:
            raise Conflict(_("You have already used the coupon %(code)s.") % {"code": current.code},
                           code="coupon_used_up")
        CouponUse.objects.create(coupon=current, user_id=user_id, order_number=order_number, amount=amount)
        Coupon.objects.filter(pk=current.pk).update(used_quantity=F("used_quantity") + 1)


def coupons_release(*, order_number: str) -> int:
    """The order expired or was cancelled unpaid: its coupon uses are given back."""
    uses = list(CouponUse.objects.filter(order_number=order_number).values("pk", "coupon_id"))
    for coupon_id in sorted({u["coupon_id"] for u in uses}):
        count = sum(1 for u in uses if u["coupon_id"] == coupon_id)
        Coupon.objects.filter(pk=coupon_id).update(used_quantity=F("used_quantity") - count)
    CouponUse.objects.filter(pk__in=[u["pk"] for u in uses]).delete()
    return len(uses)


def _when(value, field: str) -> datetime:
    parsed = value if isinstance(value, datetime) else parse_datetime(str(value or ""))
    if parsed is None:
        raise _bad(field, _("Enter a date and time such as 2026-12-01T00:00:00+08:00."))
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


@transaction.atomic
def coupon_create(*, data: dict, shop_id: int | None) -> Coupon:
    """A platform coupon (shop_id None, operators) or a shop coupon (the shop's staff)."""
    code = str(data.get("code") or "").strip().upper()
    if not (4 <= len(code) <= 32 and code.replace("-", "").isalnum() and code.isascii()):
        raise _bad("code", _("A code has 4 to 32 letters, digits or hyphens."))
    name = str(data.get("name") or "").strip()
    if not 1 <= len(name) <= 60:
        raise _bad("name", _("Give the coupon a name (up to 60 characters)."))
    errors: dict[str, list[str]] = {}
    amounts = {}
    for field in ("amount_off", "min_goods_amount"):
        try:
            amounts[field] = parse_amount(data.get(field, "0" if field == "min_goods_amount" else None),
                                          field=field, allow_zero=field == "min_goods_amount")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ServiceError(_("Check the amounts."), fields=errors)
    valid_from, valid_until = _when(data.get("valid_from"), "valid_from"), _when(data.get("valid_until"), "valid_until")
    if valid_until <= valid_from:
        raise _bad("valid_until", _("The end must be after the start."))
    numbers = {}
    for field, default, top in (("total_quantity", None, 10_000_000), ("per_user_limit", 1, 100)):
        value = data.get(field, default)
        if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit() or not 1 <= int(value) <= top:
            raise _bad(field, _("A whole number from 1 to %(top)d.") % {"top": top})
        numbers[field] = int(value)
    try:
        with transaction.atomic():
            return Coupon.objects.create(
                code=code, name=name, funded_by=CouponFunding.SHOP if shop_id else CouponFunding.PLATFORM,
                shop_id=shop_id, valid_from=valid_from, valid_until=valid_until, **amounts, **numbers)
    except IntegrityError:
        raise Conflict(_("Another coupon has this code."), code="duplicate", fields={"code": [_("Already taken.")]}) from None


def coupon_deactivate(*, coupon: Coupon) -> Coupon:
    coupon.is_active = False
    coupon.save(update_fields=["is_active"])
    return coupon


def uses_by_coupon(coupon_ids) -> dict[int, int]:
    return dict(CouponUse.objects.filter(coupon_id__in=list(coupon_ids)).values_list("coupon_id")
                .annotate(n=Count("id")).values_list("coupon_id", "n"))
