"""Coupons: creating and deactivating them (operators for the platform, a shop's staff for their
shop), checking one at checkout and taking or giving back its uses with the order.

Who owns a coupon is one rule used by every write here and every read in selectors: the platform
owns the coupons it funds (no shop), a shop owns the coupons it funds (its shop id). A coupon of
another owner is "no such coupon" (404), so an id never tells a shop about another shop's."""

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from backend.api.errors import Conflict, NotFound, ServiceError, field_error
from backend.lib.money import FEN
from shared_apps.accounts import roles
from shared_apps.accounts.models import OperatorRole
from shared_apps.audit.services import audit_record

from .models import Coupon, CouponFunding, CouponUse
from .selectors import owned_by

# Platform coupons are the platform's money: only administrators create or deactivate them
# (there is no marketing role yet); every operator may look.
MANAGE_PLATFORM_COUPONS = frozenset({OperatorRole.ADMIN})

CODE_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9-]{2,30}[A-Z0-9]")
MAX_AMOUNT = Decimal(10_000_000)  # ¥10,000,000: far above any real coupon, below MoneyField's limit
MAX_TOTAL_QUANTITY = 10_000_000
MAX_PER_USER = 100
# Outside these years a datetime is a typo, and year 1 or 9999 shifted by +08:00 cannot be read back.
FIRST_YEAR, LAST_YEAR = 2000, 2099



def coupon_usable(
    *, code: str, user_id: int, shop_id: int | None, field: str, now: datetime | None = None
) -> Coupon:
    """The coupon behind `code` if this user may use it on this shop's lines (shop_id) or on the
    whole order (None, platform coupons); else a 400 that says why, on `field`."""
    now = now or timezone.now()
    coupon = Coupon.objects.filter(code=code.strip().upper()).first()
    if coupon is None or not coupon.is_active:
        raise field_error(field, _("No such coupon."), code="coupon_invalid")
    if shop_id is None and coupon.funded_by != CouponFunding.PLATFORM:
        raise field_error(
            field, _("This is a shop's coupon; enter it with that shop."), code="coupon_invalid"
        )
    if shop_id is not None and coupon.shop_id != shop_id:
        raise field_error(field, _("This coupon is not for this shop."), code="coupon_invalid")
    if not coupon.valid_from <= now < coupon.valid_until:
        raise field_error(field, _("This coupon is not valid now."), code="coupon_invalid")
    if coupon.used_quantity >= coupon.total_quantity:
        raise field_error(field, _("This coupon has run out."), code="coupon_used_up")
    if CouponUse.objects.filter(coupon=coupon, user_id=user_id).count() >= coupon.per_user_limit:
        raise field_error(field, _("You have already used this coupon."), code="coupon_used_up")
    return coupon


def coupons_take(*, order_number: str, user_id: int, uses: list[tuple[Coupon, Decimal]]) -> None:
    """Count the coupons' uses for an order being placed (inside its transaction): the coupon rows
    are locked, so the last use can be taken once, the per-user limit holds under races, and a
    coupon deactivated since it was checked is refused."""
    if not uses:
        return
    locked = {
        c.pk: c
        for c in Coupon.objects.select_for_update()
        .filter(pk__in=[c.pk for c, _a in uses])
        .order_by("pk")
    }
    for coupon, amount in uses:
        current = locked[coupon.pk]
        if not current.is_active:
            raise Conflict(
                _("The coupon %(code)s has just been withdrawn.") % {"code": current.code},
                code="coupon_invalid",
            )
        if current.used_quantity >= current.total_quantity:
            raise Conflict(
                _("The coupon %(code)s has just run out.") % {"code": current.code},
                code="coupon_used_up",
            )
        if (
            CouponUse.objects.filter(coupon=current, user_id=user_id).count()
            >= current.per_user_limit
        ):
            raise Conflict(
                _("You have already used the coupon %(code)s.") % {"code": current.code},
                code="coupon_used_up",
            )
        CouponUse.objects.create(
            coupon=current, user_id=user_id, order_number=order_number, amount=amount
        )
        Coupon.objects.filter(pk=current.pk).update(used_quantity=F("used_quantity") + 1)


def coupons_release(*, order_number: str) -> int:
    """The order expired or was cancelled unpaid: its coupon uses are given back."""
    uses = list(CouponUse.objects.filter(order_number=order_number).values("pk", "coupon_id"))
    for coupon_id in sorted({u["coupon_id"] for u in uses}):
        count = sum(1 for u in uses if u["coupon_id"] == coupon_id)
        Coupon.objects.filter(pk=coupon_id).update(used_quantity=F("used_quantity") - count)
    CouponUse.objects.filter(pk__in=[u["pk"] for u in uses]).delete()
    return len(uses)


# --- checking what people type -----------------------------------------------------------------


def _code(value) -> str:
    code = value.strip().upper() if isinstance(value, str) else ""
    if not CODE_PATTERN.fullmatch(code):
        raise field_error(
            "code",
            _(
                "A code has 4 to 32 letters, digits or hyphens, and starts and ends "
                "with a letter or digit."
            ),
        )
    return code


def _name(value) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not 1 <= len(name) <= 60:
        raise field_error("name", _("Give the coupon a name (up to 60 characters)."))
    return name


def _amount(value, field: str, *, allow_zero: bool) -> Decimal:
    """Yuan with at most two decimals (the fen). Floats and booleans are refused: money never
    travels as a float."""
    if isinstance(value, bool | float) or not isinstance(value, str | int | Decimal):
        raise field_error(field, _("Enter an amount such as 12.50."))
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise field_error(field, _("Enter an amount such as 12.50.")) from None
    if not amount.is_finite():
        raise field_error(field, _("Enter an amount such as 12.50."))
    if amount <= 0 and not allow_zero:
        raise field_error(field, _("The amount must be more than zero."))
    if amount < 0:
        raise field_error(field, _("The amount cannot be negative."))
    if amount > MAX_AMOUNT:  # before quantize: a huge exponent would not fit the decimal context
        raise field_error(field, _("At most ¥%(max)s.") % {"max": f"{MAX_AMOUNT:,}"})
    if amount != amount.quantize(FEN):
        raise field_error(field, _("At most two decimals (fen)."))
    return amount.quantize(FEN)


def _when(value, field: str) -> datetime:
    """An aware datetime. A string without an offset (what a datetime-local input sends) is
    read as mall time, Asia/Shanghai."""
    parsed = None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:  # well-formed but impossible, such as 2026-02-30
            parsed = None
    if parsed is None:
        raise field_error(field, _("Enter a date and time such as 2026-12-01T00:00:00+08:00."))
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise field_error(
            field,
            _("Enter a date between the years %(first)d and %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return (
        parsed
        if timezone.is_aware(parsed)
        else timezone.make_aware(parsed, timezone.get_default_timezone())
    )


def _whole(value, field: str, *, top: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    else:
        number = 0
    if not 1 <= number <= top:
        raise field_error(field, _("A whole number from 1 to %(top)d.") % {"top": top})
    return number


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _checked(data: dict, *, now: datetime) -> dict:
    """The coupon's fields from raw input, every field checked so one answer names every wrong
    one (a form shows them all at once)."""
    checks = {
        "code": lambda: _code(data.get("code")),
        "name": lambda: _name(data.get("name")),
        "amount_off": lambda: _amount(data.get("amount_off"), "amount_off", allow_zero=False),
        "min_goods_amount": lambda: _amount(
            "0" if _blank(data.get("min_goods_amount")) else data.get("min_goods_amount"),
            "min_goods_amount",
            allow_zero=True,
        ),
        "valid_from": lambda: _when(data.get("valid_from"), "valid_from"),
        "valid_until": lambda: _when(data.get("valid_until"), "valid_until"),
        "total_quantity": lambda: _whole(
            data.get("total_quantity"), "total_quantity", top=MAX_TOTAL_QUANTITY
        ),
        "per_user_limit": lambda: _whole(
            1 if _blank(data.get("per_user_limit")) else data.get("per_user_limit"),
            "per_user_limit",
            top=MAX_PER_USER,
        ),
    }
    values: dict = {}
    errors: dict[str, list[str]] = {}
    for field, check in checks.items():
        try:
            values[field] = check()
        except ServiceError as exc:
            errors.update(exc.fields)
    # Rules across fields, once the fields themselves are right.
    if (
        "valid_from" in values
        and "valid_until" in values
        and values["valid_until"] <= values["valid_from"]
    ):
        errors.setdefault("valid_until", []).append(_("The end must be after the start."))
    elif "valid_until" in values and values["valid_until"] <= now:
        errors.setdefault("valid_until", []).append(_("The end must be in the future."))
    threshold, off = values.get("min_goods_amount"), values.get("amount_off")
    # 满100减100 gives the goods away, 满10减100 is two fields swapped: both are mistakes.
    if threshold and off is not None and off >= threshold:
        errors.setdefault("amount_off", []).append(
            _("The amount off must be less than the threshold.")
        )
    if errors:
        field, messages = next(iter(errors.items()))
        raise ServiceError(f"{field}: {messages[0]}", fields=errors)
    return values


def _audit_values(coupon: Coupon) -> dict:
    return {
        "code": coupon.code,
        "name": coupon.name,
        "funded_by": coupon.funded_by,
        "amount_off": str(coupon.amount_off),
        "min_goods_amount": str(coupon.min_goods_amount),
        "valid_from": coupon.valid_from.isoformat(),
        "valid_until": coupon.valid_until.isoformat(),
        "total_quantity": coupon.total_quantity,
        "per_user_limit": coupon.per_user_limit,
    }


# --- creating and deactivating -----------------------------------------------------------------


@transaction.atomic
def coupon_create(*, data: dict, shop_id: int | None, actor=None, ip: str | None = None) -> Coupon:
    """A platform coupon (shop_id None, platform-funded) or a shop coupon (shop-funded, covering
    only that shop's lines). Every field is checked and every wrong one named in one 400; a code
    already used by any coupon, of any owner, is 409 (shoppers type codes, so they are unique
    across the mall). Codes are stored upper-case; datetimes without an offset are mall time.
    Writes an audit entry `coupon.created` in the same transaction. Who may call this is the
    callers' business: `platform_coupon_create` and `shop_coupon_create`."""
    values = _checked(data, now=timezone.now())
    if Coupon.objects.filter(code=values["code"]).exists():
        raise _duplicate()
    try:
        with transaction.atomic():  # a savepoint: a racing twin leaves the outer transaction usable
            coupon = Coupon.objects.create(
                funded_by=CouponFunding.SHOP if shop_id else CouponFunding.PLATFORM,
                shop_id=shop_id,
                **values,
            )
    except IntegrityError:
        raise _duplicate() from None
    audit_record(
        actor=actor,
        action="coupon.created",
        target_type="coupon",
        target_id=coupon.pk,
        shop_id=shop_id,
        after=_audit_values(coupon),
        ip=ip,
    )
    return coupon


def _duplicate() -> Conflict:
    return Conflict(
        _("Another coupon has this code."), code="duplicate", fields={"code": [_("Already taken.")]}
    )


def platform_coupon_create(*, actor, data: dict, ip: str | None = None) -> Coupon:
    """An operator creates a platform-funded coupon; administrators only (403 otherwise)."""
    roles.require_operator(actor, MANAGE_PLATFORM_COUPONS)
    return coupon_create(data=data, shop_id=None, actor=actor, ip=ip)


def shop_coupon_create(*, shop_id: int, actor, data: dict, ip: str | None = None) -> Coupon:
    """A shop's staff create a coupon their shop funds. The shop comes from the host, never from
    the input, so a shop can only ever make its own coupons, never a platform one."""
    if not shop_id:
        raise ValueError("A shop coupon needs its shop.")
    return coupon_create(data=data, shop_id=shop_id, actor=actor, ip=ip)


@transaction.atomic
def coupon_deactivate(
    *, coupon_id: int, shop_id: int | None, actor=None, ip: str | None = None
) -> Coupon:
    """Stop a coupon from being used from now on, by its owner: the platform (shop_id None) or
    that shop. Another owner's coupon is 404, as if it did not exist; an inactive one is 409.
    Orders already placed keep their discount; a checkout racing this is refused when it takes
    the coupon (the row is locked by both). Writes an audit entry `coupon.deactivated`."""
    coupon = Coupon.objects.select_for_update().filter(owned_by(shop_id), pk=coupon_id).first()
    if coupon is None:
        raise NotFound(_("No such coupon."))
    if not coupon.is_active:
        raise Conflict(_("This coupon is already deactivated."), code="already_inactive")
    coupon.is_active = False
    coupon.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="coupon.deactivated",
        target_type="coupon",
        target_id=coupon.pk,
        shop_id=shop_id,
        before={"is_active": True},
        after={"is_active": False},
        ip=ip,
    )
    return coupon


def platform_coupon_deactivate(*, actor, coupon_id: int, ip: str | None = None) -> Coupon:
    """An administrator deactivates a platform coupon; a shop's coupon id is 404 here."""
    roles.require_operator(actor, MANAGE_PLATFORM_COUPONS)
    return coupon_deactivate(coupon_id=coupon_id, shop_id=None, actor=actor, ip=ip)


def shop_coupon_deactivate(*, shop_id: int, actor, coupon_id: int, ip: str | None = None) -> Coupon:
    """A shop's staff deactivate one of their shop's coupons; any other coupon id is 404."""
    if not shop_id:
        raise ValueError("A shop coupon needs its shop.")
    return coupon_deactivate(coupon_id=coupon_id, shop_id=shop_id, actor=actor, ip=ip)


def uses_by_coupon(coupon_ids) -> dict[int, int]:
    return dict(
        CouponUse.objects.filter(coupon_id__in=list(coupon_ids))
        .values_list("coupon_id")
        .annotate(n=Count("id"))
        .values_list("coupon_id", "n")
    )
