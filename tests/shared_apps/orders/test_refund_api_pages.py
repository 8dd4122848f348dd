"""Refunds over HTTP: the shop's API and console pages (roles that may refund, other shops that
may not), the operator's API and pages, and the shopper seeing the refund on the order."""

import pytest

from shared_apps.accounts.models import OperatorRole
from shared_apps.orders.models import OrderRefund
from tests.conftest import MALL, OPS, client_for
from tests.factories import UserFactory
from tests.tenant_apps.shop.conftest import add_staff, host_client

from .conftest import lines_of

pytestmark = pytest.mark.django_db
SHOP_API = "/api/v1/shop/fulfilment/"


def post(client, path, data=None, **headers):
    return client.post(path, data if data is not None else {}, content_type="application/json", **headers)


@pytest.fixture
def owner(paid, merchant_a):
    return host_client(paid.shop, merchant_a)


def test_the_shop_refunds_a_line_over_the_api(paid, owner):
    first = lines_of(paid)[0]
    body = {"lines": [{"line": first.pk, "amount": "20.00", "quantity": 1}], "reason": "scratched", "restock": True}
    answer = post(owner, f"{SHOP_API}orders/{paid.number}/refunds/", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert answer.status_code == 201, answer.content
    refund = answer.json()
    assert (refund["number"], refund["status"], refund["amount"], refund["restocked"], refund["requested_by"]) == (
        f"{paid.number}-R1", "pending", "20.00", True, "shop")
    assert refund["lines"] == [{"line": first.pk, "sku_code": first.sku_code, "title": "Tea", "quantity": 1,
                                "amount": "20.00"}]
    again = post(owner, f"{SHOP_API}orders/{paid.number}/refunds/", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again.json()["number"] == refund["number"]
    assert OrderRefund.objects.count() == 1
    listed = owner.get(f"{SHOP_API}orders/{paid.number}/refunds/").json()
    assert [r["number"] for r in listed] == [refund["number"]]
    assert owner.get(f"{SHOP_API}refunds/?status=pending").json()["count"] == 1
    detail = owner.get(f"{SHOP_API}orders/{paid.number}/").json()
    assert [r["number"] for r in detail["refunds"]] == [refund["number"]]


@pytest.mark.parametrize(("body", "status", "field"), [
    ([1, 2], 400, "non_field_errors"),
    ({"lines": [{"line": 1, "amount": "1"}], "reason": "x", "restock": "yes"}, 400, "restock"),
    ({"lines": [{"line": "one", "amount": "1"}], "reason": "x"}, 400, "lines[0].line"),
    ({"reason": "nothing"}, 400, "lines"),
])
def test_bad_bodies_are_named(paid, owner, body, status, field):
    answer = post(owner, f"{SHOP_API}orders/{paid.number}/refunds/", body)
    assert answer.status_code == status and field in answer.json()["error"]["fields"], answer.content


def test_over_the_cap_is_a_409_naming_the_line(paid, owner):
    first = lines_of(paid)[0]
    answer = post(owner, f"{SHOP_API}orders/{paid.number}/refunds/",
                  {"lines": [{"line": first.pk, "amount": "200.01"}], "reason": "too much"})
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "refund_exceeds_line"
    assert list(answer.json()["error"]["fields"]) == ["lines[0].amount"]


def test_roles_without_refunds_and_other_shops_are_refused(paid, shop_b, merchant_b, make_user):
    clerk = make_user(email="clerk@alpha.example", display_name="Clerk")
    add_staff(paid.shop, clerk, "clerk")
    body = {"lines": [{"line": lines_of(paid)[0].pk, "amount": "1.00"}], "reason": "x"}
    assert post(host_client(paid.shop, clerk), f"{SHOP_API}orders/{paid.number}/refunds/", body).status_code == 403
    other = host_client(shop_b, merchant_b)
    assert post(other, f"{SHOP_API}orders/{paid.number}/refunds/", body).status_code == 404
    assert other.get(f"{SHOP_API}refunds/").json()["count"] == 0
    # B's staff on A's host: not on A's staff.
    assert post(client_for(f"alpha.{MALL}", merchant_b), f"{SHOP_API}orders/{paid.number}/refunds/",
                body).status_code == 403
    assert not OrderRefund.objects.exists()


def test_the_console_refund_form(paid, owner, make_user):
    first, second = lines_of(paid)
    page = owner.get(f"/console/fulfilment/{paid.number}/")
    assert page.status_code == 200 and f'name="amount_{first.pk}"' in page.content.decode()
    form = {"request_key": "form-1", f"amount_{first.pk}": "200.00", f"qty_{first.pk}": "2",
            f"amount_{second.pk}": "50.00", f"qty_{second.pk}": "1", "shipping_amount": "14.00",
            "reason": "out of stock", "restock": "on"}
    done = owner.post(f"/console/fulfilment/{paid.number}/refunds/", form)
    assert done.status_code == 302
    assert owner.post(f"/console/fulfilment/{paid.number}/refunds/", form).status_code == 302  # sent twice
    refund = OrderRefund.objects.get()
    assert refund.amount == paid.paid_amount and refund.restocked
    paid.refresh_from_db()
    assert paid.status == "cancelled"
    page = owner.get(f"/console/fulfilment/{paid.number}/").content.decode()
    assert refund.number in page and "Nothing is left to refund on this order." in page
    assert refund.number in owner.get("/console/fulfilment/refunds/").content.decode()
    refused = owner.post(f"/console/fulfilment/{paid.number}/refunds/",
                         {f"amount_{first.pk}": "1.00", "reason": "again"})
    assert refused.status_code == 409
    assert f"Order {paid.number} is Cancelled: only a paid order can be refunded." in refused.content.decode()
    clerk = make_user(email="clerk@alpha.example", display_name="Clerk")
    add_staff(paid.shop, clerk, "clerk")
    clerk_page = host_client(paid.shop, clerk).get(f"/console/fulfilment/{paid.number}/")
    assert clerk_page.status_code == 200 and "amount_" not in clerk_page.content.decode()
    assert host_client(paid.shop, clerk).get("/console/fulfilment/refunds/").status_code == 403


def test_a_page_form_with_a_bad_amount_shows_the_error(paid, owner):
    first = lines_of(paid)[0]
    answer = owner.post(f"/console/fulfilment/{paid.number}/refunds/", {f"amount_{first.pk}": "abc", "reason": "x"})
    assert answer.status_code == 400 and "Enter an amount such as 12.50." in answer.content.decode()
    assert not OrderRefund.objects.exists()


@pytest.fixture
def service_operator(db):
    return UserFactory(email="cs@example.com", display_name="CS", operator_role=OperatorRole.SERVICE)


def test_operators_refund_any_shops_order(paid, service_operator, auditor, operator):
    first = lines_of(paid)[0]
    body = {"lines": [{"line": first.pk, "amount": "5.00"}], "reason": "complaint 12"}
    assert post(client_for(OPS, auditor), f"/api/v1/ops/sub-orders/{paid.number}/refunds/", body).status_code == 403
    answer = post(client_for(OPS, service_operator), f"/api/v1/ops/sub-orders/{paid.number}/refunds/", body)
    assert answer.status_code == 201 and answer.json()["requested_by"] == "operator"
    admin = client_for(OPS, operator)
    assert admin.get("/api/v1/ops/refunds/").json()["count"] == 1
    order = admin.get(f"/api/v1/ops/orders/{paid.order.number}/").json()
    assert order["user_id"] == paid.user_id
    assert [r["number"] for s in order["sub_orders"] for r in s["refunds"]] == [answer.json()["number"]]
    assert admin.get("/api/v1/ops/orders/?status=paid").json()["count"] == 2
    assert admin.get("/api/v1/ops/orders/nope/").status_code == 404
    retried = post(admin, f"/api/v1/ops/refunds/{answer.json()['number']}/retry/")
    assert retried.status_code == 409 and retried.json()["error"]["code"] == "not_failed"
    assert post(client_for(OPS, service_operator), f"/api/v1/ops/refunds/{answer.json()['number']}/retry/"
                ).status_code == 403


def test_operator_pages(paid, operator, auditor):
    first = lines_of(paid)[0]
    admin = client_for(OPS, operator)
    page = admin.get(f"/orders/{paid.order.number}/").content.decode()
    assert f'name="amount_{first.pk}"' in page
    assert f'name="amount_{first.pk}"' not in client_for(OPS, auditor).get(f"/orders/{paid.order.number}/").content.decode()
    done = admin.post(f"/orders/sub-orders/{paid.number}/refunds/", {f"amount_{first.pk}": "3.00", "reason": "goodwill"})
    assert done.status_code == 302
    assert OrderRefund.objects.get().requested_by == "operator"
    listing = admin.get("/orders/refunds/?status=pending").content.decode()
    assert OrderRefund.objects.get().number in listing
    assert client_for(OPS, auditor).post(f"/orders/sub-orders/{paid.number}/refunds/",
                                         {f"amount_{first.pk}": "3.00", "reason": "x"}).status_code == 403


def test_the_shopper_sees_the_refund_on_the_order(paid, owner, shopper):
    first = lines_of(paid)[0]
    post(owner, f"{SHOP_API}orders/{paid.number}/refunds/", {"lines": [{"line": first.pk, "amount": "8.00"}],
                                                            "reason": "late delivery"})
    mine = client_for(MALL, shopper)
    order = mine.get(f"/api/v1/orders/{paid.order.number}/").json()
    refunds = [r for s in order["sub_orders"] for r in s["refunds"]]
    assert [(r["amount"], r["reason"]) for r in refunds] == [("8.00", "late delivery")]
    assert "late delivery" in mine.get(f"/orders/{paid.order.number}/").content.decode()
