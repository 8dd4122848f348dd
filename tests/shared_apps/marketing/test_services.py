"""The coupon services: every field checked and named, owners kept apart, audit entries written,
and a deactivated coupon refused even by a checkout already under way."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from backend.api.errors import Conflict, Forbidden, NotFound, ServiceError
from shared_apps.audit.models import AuditEntry
from shared_apps.marketing import selectors, services
from shared_apps.marketing.models import Coupon, CouponStatus, CouponUse
from tests.shared_apps.marketing.conftest import coupon_data, make_coupon

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_platform_coupon_is_created_with_every_value_and_an_audit_entry(operator):
    coupon = services.platform_coupon_create(
        actor=operator,
        ip="203.0.113.9",
        data=coupon_data(
            " spring-10 ", valid_from="2030-01-01T08:00", valid_until="2030-01-31T00:00"
        ),
    )
    coupon.refresh_from_db()
    assert (coupon.code, coupon.name, coupon.funded_by, coupon.shop_id) == (
        "SPRING-10",
        "春季满100减10",
        "platform",
        None,
    )
    assert (coupon.amount_off, coupon.min_goods_amount) == (Decimal("10.00"), Decimal("100.00"))
    # datetime-local input has no offset: it is mall time, Asia/Shanghai
    assert coupon.valid_from == datetime(2030, 1, 1, 8, 0, tzinfo=SHANGHAI)
    assert coupon.valid_until == datetime(2030, 1, 31, 0, 0, tzinfo=SHANGHAI)
    assert (
        coupon.total_quantity,
        coupon.used_quantity,
        coupon.per_user_limit,
        coupon.is_active,
    ) == (500, 0, 2, True)
    entry = AuditEntry.objects.get(action="coupon.created")
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.shop_id, entry.ip) == (
        operator.pk,
        "coupon",
        str(coupon.pk),
        None,
        "203.0.113.9",
    )
    assert entry.after["code"] == "SPRING-10" and entry.after["amount_off"] == "10.00"


def test_defaults_no_threshold_and_one_use_per_shopper(operator):
    coupon = services.platform_coupon_create(
        actor=operator, data=coupon_data(min_goods_amount="", per_user_limit="")
    )
    assert (coupon.min_goods_amount, coupon.per_user_limit) == (Decimal("0.00"), 1)


def test_shop_coupon_is_the_shops_and_funded_by_it(shop_a, merchant_a):
    coupon = services.shop_coupon_create(
        shop_id=shop_a.pk, actor=merchant_a, data=coupon_data("ALPHA-5")
    )
    assert (coupon.funded_by, coupon.shop_id) == ("shop", shop_a.pk)
    assert AuditEntry.objects.get(action="coupon.created").shop_id == shop_a.pk
    with pytest.raises(ValueError):  # a missing shop never falls back to a platform coupon
        services.shop_coupon_create(shop_id=None, actor=merchant_a, data=coupon_data("ALPHA-6"))
    assert Coupon.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("code", ""),
        ("code", "AB"),
        ("code", "-SPRING"),
        ("code", "SPRING-"),
        ("code", "春季券码"),
        ("code", "SPRING 10"),
        ("code", "A" * 33),
        ("code", 12345),
        ("name", ""),
        ("name", "   "),
        ("name", "n" * 61),
        ("amount_off", ""),
        ("amount_off", "0"),
        ("amount_off", "-1"),
        ("amount_off", "1.005"),
        ("amount_off", "abc"),
        ("amount_off", "NaN"),
        ("amount_off", "Infinity"),
        ("amount_off", "1E+40"),
        ("amount_off", 10.5),
        ("amount_off", True),
        ("amount_off", None),
        ("min_goods_amount", "-0.01"),
        ("min_goods_amount", "9.999"),
        ("min_goods_amount", "x"),
        ("valid_from", ""),
        ("valid_from", "tomorrow"),
        ("valid_from", "2026-02-30T10:00"),
        ("valid_from", "0001-01-01T00:00"),
        ("valid_until", "9999-12-31T23:59"),
        ("total_quantity", "0"),
        ("total_quantity", ""),
        ("total_quantity", "1.5"),
        ("total_quantity", "-3"),
        ("total_quantity", "ten"),
        ("total_quantity", "²"),
        ("total_quantity", True),
        ("total_quantity", 10_000_001),
        ("per_user_limit", "0"),
        ("per_user_limit", "101"),
        ("per_user_limit", "x"),
    ],
)
def test_bad_values_name_their_field_and_leave_nothing(operator, field, value):
    with pytest.raises(ServiceError) as caught:
        services.platform_coupon_create(actor=operator, data=coupon_data(**{field: value}))
    assert caught.value.status_code == 400
    assert list(caught.value.fields) == [field]
    assert caught.value.message.startswith(f"{field}: ")
    assert not Coupon.objects.exists() and not AuditEntry.objects.exists()


def test_every_wrong_field_is_named_at_once(operator):
    with pytest.raises(ServiceError) as caught:
        services.platform_coupon_create(
            actor=operator, data={"code": "x", "amount_off": "1.001", "total_quantity": "0"}
        )
    assert sorted(caught.value.fields) == [
        "amount_off",
        "code",
        "name",
        "total_quantity",
        "valid_from",
        "valid_until",
    ]


def test_rules_across_fields(operator):
    now = timezone.localtime()

    def refused(**overrides) -> dict:
        with pytest.raises(ServiceError) as caught:
            services.platform_coupon_create(actor=operator, data=coupon_data(**overrides))
        return caught.value.fields

    start = now + timedelta(days=2)
    assert refused(valid_from=start.isoformat(), valid_until=start.isoformat()) == {
        "valid_until": ["The end must be after the start."]
    }
    assert refused(
        valid_from=start.isoformat(), valid_until=(start - timedelta(minutes=1)).isoformat()
    ) == {"valid_until": ["The end must be after the start."]}
    assert refused(
        valid_from=(now - timedelta(days=3)).isoformat(),
        valid_until=(now - timedelta(days=1)).isoformat(),
    ) == {"valid_until": ["The end must be in the future."]}
    # 满100减100 gives the goods away; 满10减100 has the fields swapped
    assert refused(amount_off="100", min_goods_amount="100") == {
        "amount_off": ["The amount off must be less than the threshold."]
    }
    assert refused(amount_off="100", min_goods_amount="10") == {
        "amount_off": ["The amount off must be less than the threshold."]
    }
    assert not Coupon.objects.exists()
    # no threshold: any amount off (checkout caps it at the goods)
    assert services.platform_coupon_create(
        actor=operator, data=coupon_data(amount_off="100", min_goods_amount="0")
    )


def test_a_code_taken_by_any_coupon_is_409_on_code(operator, shop_a, merchant_a):
    make_coupon(shop_a, "TAKEN-1")
    for create in (
        lambda: services.platform_coupon_create(actor=operator, data=coupon_data("taken-1")),
        lambda: services.shop_coupon_create(
            shop_id=shop_a.pk, actor=merchant_a, data=coupon_data("TAKEN-1")
        ),
    ):
        with pytest.raises(Conflict) as caught:
            create()
        assert (caught.value.status_code, caught.value.code, list(caught.value.fields)) == (
            409,
            "duplicate",
            ["code"],
        )
    assert Coupon.objects.count() == 1


@pytest.mark.parametrize("role_fixture", ["auditor", "finance"])
def test_only_administrators_manage_platform_coupons(request, role_fixture, operator, shopper):
    coupon = make_coupon()
    for user in (request.getfixturevalue(role_fixture), shopper):
        with pytest.raises(Forbidden):
            services.platform_coupon_create(actor=user, data=coupon_data("OTHER-1"))
        with pytest.raises(Forbidden):
            services.platform_coupon_deactivate(actor=user, coupon_id=coupon.pk)
    coupon.refresh_from_db()
    assert coupon.is_active and Coupon.objects.count() == 1


def test_deactivate_only_by_the_owner(operator, shop_a, shop_b, merchant_a, merchant_b):
    platform = make_coupon(None, "MALL-1")
    alpha = make_coupon(shop_a, "ALPHA-1")
    # the platform never deactivates a shop's coupon, a shop never another's nor the platform's
    for call in (
        lambda: services.platform_coupon_deactivate(actor=operator, coupon_id=alpha.pk),
        lambda: services.shop_coupon_deactivate(
            shop_id=shop_b.pk, actor=merchant_b, coupon_id=alpha.pk
        ),
        lambda: services.shop_coupon_deactivate(
            shop_id=shop_a.pk, actor=merchant_a, coupon_id=platform.pk
        ),
        lambda: services.shop_coupon_deactivate(shop_id=shop_a.pk, actor=merchant_a, coupon_id=0),
    ):
        with pytest.raises(NotFound):
            call()
    assert list(Coupon.objects.filter(is_active=False)) == []
    assert not AuditEntry.objects.filter(action="coupon.deactivated").exists()

    services.shop_coupon_deactivate(
        shop_id=shop_a.pk, actor=merchant_a, coupon_id=alpha.pk, ip="198.51.100.1"
    )
    services.platform_coupon_deactivate(actor=operator, coupon_id=platform.pk)
    assert set(Coupon.objects.filter(is_active=False).values_list("code", flat=True)) == {
        "MALL-1",
        "ALPHA-1",
    }
    entry = AuditEntry.objects.get(action="coupon.deactivated", shop_id=shop_a.pk)
    assert (entry.actor_id, entry.target_id, entry.before, entry.after, entry.ip) == (
        merchant_a.pk,
        str(alpha.pk),
        {"is_active": True},
        {"is_active": False},
        "198.51.100.1",
    )
    with pytest.raises(Conflict) as caught:
        services.platform_coupon_deactivate(actor=operator, coupon_id=platform.pk)
    assert caught.value.code == "already_inactive"
    assert AuditEntry.objects.filter(action="coupon.deactivated").count() == 2


def test_selectors_keep_owners_apart(shop_a, shop_b):
    platform = make_coupon(None, "MALL-1")
    a1, a2 = make_coupon(shop_a, "ALPHA-1"), make_coupon(shop_a, "ALPHA-2")
    b1 = make_coupon(shop_b, "BETA-1")
    assert list(selectors.coupons(shop_id=None)) == [platform]
    assert list(selectors.coupons(shop_id=shop_a.pk)) == [a2, a1]  # newest first
    assert list(selectors.coupons(shop_id=shop_b.pk)) == [b1]
    assert selectors.coupon(coupon_id=a1.pk, shop_id=shop_b.pk) is None
    assert selectors.coupon(coupon_id=a1.pk, shop_id=None) is None
    assert selectors.coupon(coupon_id=platform.pk, shop_id=shop_a.pk) is None
    assert selectors.coupon(coupon_id=a1.pk, shop_id=shop_a.pk) == a1


def test_status_at():
    now = timezone.now()
    coupon = Coupon(
        is_active=True,
        valid_from=now,
        valid_until=now + timedelta(days=1),
        total_quantity=2,
        used_quantity=0,
    )
    assert coupon.status_at(now - timedelta(seconds=1)) == CouponStatus.SCHEDULED
    assert coupon.status_at(now) == CouponStatus.ACTIVE
    assert coupon.status_at(now + timedelta(days=1)) == CouponStatus.EXPIRED
    coupon.used_quantity = 2
    assert coupon.status_at(now) == CouponStatus.USED_UP
    coupon.is_active = False
    assert coupon.status_at(now) == CouponStatus.INACTIVE


def test_a_coupon_deactivated_during_checkout_is_refused_when_taken(operator, shopper):
    coupon = make_coupon(None, "MALL-1", min_goods_amount="0")
    checked = services.coupon_usable(
        code="mall-1", user_id=shopper.pk, shop_id=None, field="platform_coupon"
    )
    services.platform_coupon_deactivate(actor=operator, coupon_id=coupon.pk)
    with pytest.raises(Conflict) as caught:
        services.coupons_take(
            order_number="M1", user_id=shopper.pk, uses=[(checked, Decimal("10.00"))]
        )
    assert caught.value.code == "coupon_invalid"
    coupon.refresh_from_db()
    assert coupon.used_quantity == 0 and not CouponUse.objects.exists()
    with pytest.raises(ServiceError) as caught:
        services.coupon_usable(
            code="MALL-1", user_id=shopper.pk, shop_id=None, field="platform_coupon"
        )
    assert caught.value.fields == {"platform_coupon": ["No such coupon."]}
