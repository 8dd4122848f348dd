"""The webhook pages of the merchant console, and that shop B never sees shop A's webhooks."""

import re

import pytest
from django_tenants.utils import schema_context

from tenant_apps.webhooks import services
from tenant_apps.webhooks.models import Delivery, Subscription
from tests.conftest import client_for, shop_host

from .conftest import subscribe

pytestmark = pytest.mark.django_db


def subscriptions_of(shop) -> list[Subscription]:
    with schema_context(shop.schema_name):
        return list(Subscription.objects.order_by("id"))


def test_the_settings_page_links_to_webhooks(owner_a):
    html = owner_a.get("/console/settings/").content.decode()
    assert '<a href="/console/webhooks/" class="button secondary">Manage webhooks</a>' in html


def test_owner_adds_a_subscription_and_sees_its_secret(owner_a, shop_a, receiver):
    page = owner_a.get("/console/webhooks/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "No webhook subscriptions yet." in html
    assert "hmac.compare_digest" in html and "X-Mall-Signature" in html  # how to verify
    assert page["Cache-Control"] == "no-store"

    response = owner_a.post(
        "/console/webhooks/",
        {
            "url": receiver.url,
            "events": ["order.paid", "refund.succeeded"],
            "description": "ERP",
            "is_active": "on",
        },
    )
    (subscription,) = subscriptions_of(shop_a)
    assert response.status_code == 302
    assert response["Location"] == f"/console/webhooks/{subscription.pk}/"
    detail = owner_a.get(response["Location"]).content.decode()
    assert f'value="{subscription.secret}"' in detail
    assert "The webhook subscription was added." in detail
    assert subscription.events == ["order.paid", "refund.succeeded"]
    listing = owner_a.get("/console/webhooks/").content.decode()
    assert receiver.url.replace("&", "&amp;") in listing


def test_bad_input_is_shown_on_the_form(owner_a, shop_a, settings, merchant_a):
    response = owner_a.post(
        "/console/webhooks/", {"url": "ftp://x.example/", "events": ["order.paid"]}
    )
    assert response.status_code == 400
    assert "The URL must start with http:// or https://." in response.content.decode()
    response = owner_a.post(
        "/console/webhooks/", {"url": "http://127.0.0.1/", "events": ["order.lost"]}
    )
    assert response.status_code == 400
    assert (
        "Select a valid choice. order.lost is not one of the available choices."
        in response.content.decode()
    )
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    response = owner_a.post(
        "/console/webhooks/", {"url": "http://10.0.0.5/", "events": ["order.paid"]}
    )
    assert response.status_code == 400
    assert "private or local address (10.0.0.5)" in response.content.decode()
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    for i in range(10):
        subscribe(shop_a, merchant_a, f"http://127.0.0.1:9/{i}")
    full = owner_a.get("/console/webhooks/").content.decode()
    assert "A shop can have at most 10 subscriptions" in full
    response = owner_a.post(
        "/console/webhooks/", {"url": "http://127.0.0.1/", "events": ["order.paid"]}
    )
    assert response.status_code == 400
    assert (
        "A shop can have at most 10 webhook subscriptions; delete one first."
        in response.content.decode()
    )
    assert len(subscriptions_of(shop_a)) == 10


def test_edit_rotate_ping_redeliver_and_delete(
    owner_a, shop_a, merchant_a, receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe(shop_a, merchant_a, receiver.url)
    path = f"/console/webhooks/{subscription.pk}/"
    edited = owner_a.post(
        path, {"url": receiver.url, "events": ["order.shipped"], "description": "WMS"}
    )
    assert edited.status_code == 302
    (saved,) = subscriptions_of(shop_a)
    assert (saved.events, saved.description, saved.is_active) == (["order.shipped"], "WMS", False)
    owner_a.post(path, {"url": receiver.url, "events": ["order.shipped"], "is_active": "on"})

    assert owner_a.post(f"{path}rotate/").status_code == 302
    assert subscriptions_of(shop_a)[0].secret != subscription.secret

    with django_capture_on_commit_callbacks(execute=True):
        pinged = owner_a.post(f"{path}ping/")
    with schema_context(shop_a.schema_name):
        delivery = Delivery.objects.get()
    assert pinged["Location"] == f"/console/webhooks/deliveries/{delivery.pk}/"
    page = owner_a.get(pinged["Location"]).content.decode()
    assert "HTTP 200" in page and '<span class="badge active">Delivered</span>' in page
    assert "{&quot;received&quot;: true}" in page  # the receiver's answer

    with django_capture_on_commit_callbacks(execute=True):
        again = owner_a.post(f"/console/webhooks/deliveries/{delivery.pk}/redeliver/")
    assert again.status_code == 302
    assert len(receiver.requests) == 2
    log = owner_a.get(path).content.decode()
    assert len(re.findall(r'<span class="badge active">Delivered</span>', log)) == 2

    assert owner_a.get(f"{path}delete/").status_code == 200
    assert owner_a.post(f"{path}delete/").status_code == 302
    assert subscriptions_of(shop_a) == []
    assert owner_a.get(path).status_code == 404
    assert owner_a.post(f"{path}rotate/").status_code == 404
    assert owner_a.get(f"/console/webhooks/deliveries/{delivery.pk}/").status_code == 404


def test_a_failed_attempt_shows_its_error(
    owner_a, shop_a, merchant_a, receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe(shop_a, merchant_a, receiver.url)
    receiver.answers.append(500)
    with schema_context(shop_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        delivery = services.subscription_ping(subscription_id=subscription.pk)
    page = owner_a.get(f"/console/webhooks/deliveries/{delivery.pk}/").content.decode()
    assert '<span class="badge pending">Pending</span>' in page
    assert "The receiver answered 500; only 2xx counts as delivered." in page
    assert "Redeliver" not in page  # still pending: the retries go on
    filtered = owner_a.get("/console/webhooks/", {"status": "pending"}).content.decode()
    assert f"/console/webhooks/deliveries/{delivery.pk}/" in filtered
    delivered = owner_a.get("/console/webhooks/", {"status": "delivered"}).content.decode()
    assert f"/console/webhooks/deliveries/{delivery.pk}/" not in delivered


def test_clerks_and_strangers_are_kept_out(shop_a, merchant_a, clerk_a):
    subscription = subscribe(shop_a, merchant_a, "http://127.0.0.1:9/")
    for path in ["/console/webhooks/", f"/console/webhooks/{subscription.pk}/"]:
        assert clerk_a.get(path).status_code == 403
    assert clerk_a.post(f"/console/webhooks/{subscription.pk}/rotate/").status_code == 403
    anonymous = client_for(shop_host(shop_a)).get("/console/webhooks/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert subscriptions_of(shop_a)[0].secret == subscription.secret


def test_shop_b_never_sees_shop_a_webhooks(
    shop_a, shop_b, merchant_a, merchant_b, django_capture_on_commit_callbacks
):
    subscription = subscribe(shop_a, merchant_a, "http://127.0.0.1:9/alpha-only")
    with schema_context(shop_a.schema_name), django_capture_on_commit_callbacks(execute=False):
        delivery = services.subscription_ping(subscription_id=subscription.pk)
    owner_b = client_for(shop_host(shop_b), merchant_b)
    api = "/api/v1/shop/webhooks/"
    assert owner_b.get(f"{api}subscriptions/").json()["count"] == 0
    assert owner_b.get(f"{api}deliveries/").json()["count"] == 0
    assert owner_b.get(f"{api}subscriptions/{subscription.pk}/").status_code == 404
    assert owner_b.get(f"{api}deliveries/{delivery.pk}/").status_code == 404
    assert (
        owner_b.patch(
            f"{api}subscriptions/{subscription.pk}/",
            {"is_active": False},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert owner_b.delete(f"{api}subscriptions/{subscription.pk}/").status_code == 404
    assert owner_b.post(f"{api}subscriptions/{subscription.pk}/rotate-secret/").status_code == 404
    assert owner_b.post(f"{api}subscriptions/{subscription.pk}/ping/").status_code == 404
    assert owner_b.post(f"{api}deliveries/{delivery.pk}/redeliver/").status_code == 404
    page = owner_b.get("/console/webhooks/").content.decode()
    assert "alpha-only" not in page and "No webhook subscriptions yet." in page
    assert owner_b.get(f"/console/webhooks/{subscription.pk}/").status_code == 404
    assert owner_b.get(f"/console/webhooks/deliveries/{delivery.pk}/").status_code == 404
    # Merchant B on A's host: not on A's staff.
    b_on_a = client_for(shop_host(shop_a), merchant_b)
    assert b_on_a.get(f"{api}subscriptions/").status_code == 403
    assert b_on_a.get("/console/webhooks/").status_code == 403
    (kept,) = subscriptions_of(shop_a)
    assert (kept.is_active, kept.secret) == (True, subscription.secret)
    # B's sweep never sends A's deliveries.
    from tenant_apps.webhooks import tasks

    with schema_context(shop_b.schema_name):
        assert tasks.sweep_deliveries() == 0
    with schema_context(shop_a.schema_name):
        assert Delivery.objects.get().attempts == 0
