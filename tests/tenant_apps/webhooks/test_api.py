"""The webhooks API at /api/v1/shop/webhooks/: subscriptions CRUD, rotate, ping, the delivery log
and redelivery; owner and managers only; bad input is a 400 naming the field."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from shared_apps.audit.models import AuditEntry
from tenant_apps.shop import services as shop_services
from tenant_apps.shop.models import StaffMember
from tenant_apps.webhooks import services
from tenant_apps.webhooks.models import Delivery, Subscription
from tests.conftest import client_for, shop_host

from .conftest import subscribe

pytestmark = pytest.mark.django_db
API = "/api/v1/shop/webhooks/"
JSON = "application/json"


def error(response) -> dict:
    return response.json()["error"]


def test_owner_subscribes_reads_changes_and_deletes(owner_a, shop_a, receiver):
    created = owner_a.post(
        f"{API}subscriptions/",
        {
            "url": receiver.url,
            "events": ["order.shipped", "order.paid"],
            "description": "ERP",
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["url"] == receiver.url
    assert body["events"] == ["order.paid", "order.shipped"]  # in the table's order
    assert body["is_active"] is True and body["secret"].startswith("whsec_")
    assert len(body["secret"]) == len("whsec_") + 48
    pk = body["id"]
    entry = AuditEntry.objects.get(action="webhooks.subscription_created")
    assert entry.shop_id == shop_a.pk and entry.target_id == str(pk)
    assert body["secret"] not in json.dumps([entry.before, entry.after])

    listed = owner_a.get(f"{API}subscriptions/").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == pk
    assert owner_a.get(f"{API}subscriptions/{pk}/").json()["secret"] == body["secret"]

    changed = owner_a.patch(
        f"{API}subscriptions/{pk}/",
        {"is_active": False, "events": ["refund.succeeded"]},
        content_type=JSON,
    )
    assert changed.status_code == 200
    assert (changed.json()["is_active"], changed.json()["events"]) == (False, ["refund.succeeded"])
    assert changed.json()["url"] == receiver.url
    audit = AuditEntry.objects.get(action="webhooks.subscription_changed")
    assert audit.before == {"events": ["order.paid", "order.shipped"], "is_active": True}

    rotated = owner_a.post(f"{API}subscriptions/{pk}/rotate-secret/")
    assert rotated.status_code == 200 and rotated["Cache-Control"] == "no-store"
    assert rotated.json()["secret"] != body["secret"]
    assert rotated.json()["secret_rotated_at"] is not None

    assert owner_a.delete(f"{API}subscriptions/{pk}/").status_code == 204
    assert owner_a.get(f"{API}subscriptions/{pk}/").status_code == 404
    assert AuditEntry.objects.filter(action="webhooks.subscription_deleted").count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"url": "ftp://files.example.com/", "events": ["order.paid"]},
            "url",
            "The URL must start with http:// or https://.",
        ),
        (
            {"url": "not a url", "events": ["order.paid"]},
            "url",
            "The URL must not contain spaces or control characters.",
        ),
        (
            {"url": "https://user:pw@hooks.example.com/", "events": ["order.paid"]},
            "url",
            "The URL must not contain a user name or password.",
        ),
        ({"url": "http://:80/", "events": ["order.paid"]}, "url", "The URL has no host name."),
        (
            {"url": "http://a.example:99999/", "events": ["order.paid"]},
            "url",
            "This is not a valid URL.",
        ),
        ({"url": "", "events": ["order.paid"]}, "url", None),
        ({"url": "http://127.0.0.1/", "events": ["order.lost"]}, "events", None),
        ({"url": "http://127.0.0.1/", "events": []}, "events", None),
        ({"url": "http://127.0.0.1/", "events": "order.paid"}, "events", None),
        ({"url": "http://127.0.0.1/"}, "events", None),
        (
            {"url": "http://127.0.0.1/", "events": ["order.paid"], "description": "x" * 101},
            "description",
            None,
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field(owner_a, shop_a, data, field, message):
    response = owner_a.post(f"{API}subscriptions/", data, content_type=JSON)
    assert response.status_code == 400, response.content
    assert field in error(response)["fields"]
    if message:
        assert error(response)["fields"][field] == [message]
    with schema_context(shop_a.schema_name):
        assert not Subscription.objects.exists()


def test_an_unknown_event_is_named(owner_a):
    response = owner_a.post(
        f"{API}subscriptions/",
        {"url": "http://127.0.0.1/", "events": ["order.lost"]},
        content_type=JSON,
    )
    assert error(response)["fields"] == {"events": ['"order.lost" is not a valid choice.']}


def test_private_urls_are_refused_unless_allowed(owner_a, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    response = owner_a.post(
        f"{API}subscriptions/",
        {"url": "http://127.0.0.1:9000/", "events": ["ping"]},
        content_type=JSON,
    )
    assert response.status_code == 400
    assert error(response)["fields"]["url"] == [
        (
            "The host 127.0.0.1 points at a private or local address (127.0.0.1); webhooks go to "
            "public addresses only."
        )
    ]
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    allowed = owner_a.post(
        f"{API}subscriptions/",
        {"url": "http://127.0.0.1:9000/", "events": ["ping"]},
        content_type=JSON,
    )
    assert allowed.status_code == 201


def test_at_most_ten_subscriptions(owner_a, shop_a, merchant_a):
    for i in range(10):
        subscribe(shop_a, merchant_a, f"http://127.0.0.1:9000/{i}")
    response = owner_a.post(
        f"{API}subscriptions/", {"url": "http://127.0.0.1/", "events": ["ping"]}, content_type=JSON
    )
    assert response.status_code == 400
    assert error(response)["code"] == "too_many_subscriptions"
    assert error(response)["message"] == (
        "A shop can have at most 10 webhook subscriptions; delete one first."
    )
    assert "non_field_errors" in error(response)["fields"]
    with schema_context(shop_a.schema_name):
        assert Subscription.objects.count() == 10


def test_patch_checks_what_it_changes(owner_a, shop_a, merchant_a):
    subscription = subscribe(shop_a, merchant_a, "http://127.0.0.1:9000/")
    path = f"{API}subscriptions/{subscription.pk}/"
    bad = owner_a.patch(path, {"url": "javascript:alert(1)"}, content_type=JSON)
    assert bad.status_code == 400 and "url" in error(bad)["fields"]
    assert owner_a.patch(path, {"events": ["nope"]}, content_type=JSON).status_code == 400
    assert (
        owner_a.patch(
            f"{API}subscriptions/999999/", {"is_active": False}, content_type=JSON
        ).status_code
        == 404
    )
    assert owner_a.patch(path, {}, content_type=JSON).json()["url"] == "http://127.0.0.1:9000/"


def test_ping_the_delivery_log_and_redeliver(
    owner_a, shop_a, merchant_a, receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe(shop_a, merchant_a, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        pinged = owner_a.post(f"{API}subscriptions/{subscription.pk}/ping/")
    assert pinged.status_code == 202
    delivery_id = pinged.json()["id"]
    assert json.loads(receiver.requests[0]["body"])["event"] == "ping"

    log = owner_a.get(f"{API}deliveries/").json()
    assert log["count"] == 1
    row = log["results"][0]
    assert (row["id"], row["event"], row["status"], row["attempts"], row["last_status_code"]) == (
        delivery_id,
        "ping",
        "delivered",
        1,
        200,
    )

    detail = owner_a.get(f"{API}deliveries/{delivery_id}/").json()
    assert json.loads(detail["body"])["event"] == "ping"
    assert [(a["number"], a["status_code"]) for a in detail["attempt_log"]] == [(1, 200)]

    with django_capture_on_commit_callbacks(execute=True):
        again = owner_a.post(f"{API}deliveries/{delivery_id}/redeliver/")
    assert again.status_code == 202
    assert again.json()["redelivery_of_id"] == delivery_id
    assert again.json()["event_id"] == row["event_id"]
    assert len(receiver.requests) == 2

    filtered = owner_a.get(
        f"{API}deliveries/", {"status": "delivered", "subscription": subscription.pk}
    )
    assert filtered.json()["count"] == 2
    assert owner_a.get(f"{API}deliveries/", {"status": "lost"}).status_code == 400
    assert owner_a.get(f"{API}deliveries/", {"subscription": "abc"}).status_code == 400
    assert owner_a.get(f"{API}deliveries/", {"event": "order.paid"}).json()["count"] == 0
    assert owner_a.get(f"{API}deliveries/999999/").status_code == 404
    assert owner_a.post(f"{API}deliveries/999999/redeliver/").status_code == 404


def test_pending_and_turned_off_cannot_be_redelivered_or_pinged(
    owner_a, shop_a, merchant_a, receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe(shop_a, merchant_a, receiver.url)
    with schema_context(shop_a.schema_name), django_capture_on_commit_callbacks(execute=False):
        pending = services.subscription_ping(subscription_id=subscription.pk)
    refused = owner_a.post(f"{API}deliveries/{pending.pk}/redeliver/")
    assert (refused.status_code, error(refused)["code"]) == (409, "delivery_pending")
    owner_a.patch(f"{API}subscriptions/{subscription.pk}/", {"is_active": False}, content_type=JSON)
    off = owner_a.post(f"{API}subscriptions/{subscription.pk}/ping/")
    assert (off.status_code, error(off)["code"]) == (409, "subscription_inactive")


def test_list_endpoints_do_not_query_per_row(
    owner_a, shop_a, merchant_a, django_capture_on_commit_callbacks
):
    subscription = subscribe(shop_a, merchant_a, "http://127.0.0.1:9/")

    def add_deliveries(n):
        with schema_context(shop_a.schema_name), django_capture_on_commit_callbacks(execute=False):
            for _ in range(n):
                services.subscription_ping(subscription_id=subscription.pk)

    def count(path):
        with CaptureQueriesContext(connection) as queries:
            assert owner_a.get(path).status_code == 200
        return len(queries)

    add_deliveries(1)
    count(f"{API}deliveries/")  # the first request of a session warms caches up
    one = count(f"{API}deliveries/"), count(f"{API}subscriptions/")
    add_deliveries(5)
    for i in range(3):
        subscribe(shop_a, merchant_a, f"http://127.0.0.1:9/{i}")
    assert (count(f"{API}deliveries/"), count(f"{API}subscriptions/")) == one


def test_only_owner_and_managers(shop_a, merchant_a, manager_a, clerk_a):
    subscription = subscribe(shop_a, merchant_a, "http://127.0.0.1:9/")
    assert manager_a.get(f"{API}subscriptions/").status_code == 200
    for method, path in [
        ("get", "subscriptions/"),
        ("post", "subscriptions/"),
        ("get", f"subscriptions/{subscription.pk}/"),
        ("post", f"subscriptions/{subscription.pk}/rotate-secret/"),
        ("get", "deliveries/"),
    ]:
        response = getattr(clerk_a, method)(f"{API}{path}")
        assert response.status_code == 403, path
        assert error(response)["message"] == "Your role in this shop does not open this section."
    assert client_for(shop_host(shop_a)).get(f"{API}subscriptions/").status_code == 403


def test_api_tokens_cannot_touch_webhooks(shop_a, merchant_a):
    with schema_context(shop_a.schema_name):
        member = StaffMember.objects.get(user_id=merchant_a.pk)
        secret = shop_services.api_token_create(
            shop=shop_a,
            member=member,
            actor=merchant_a,
            name="ERP",
            scopes=["catalog:write", "stock:write"],
        ).secret
    client = client_for(shop_host(shop_a))
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    for response in [
        client.get(f"{API}subscriptions/"),
        client.post(
            f"{API}subscriptions/",
            {"url": "http://127.0.0.1/", "events": ["ping"]},
            content_type=JSON,
        ),
    ]:
        assert response.status_code == 403
        assert error(response)["message"] == (
            "API tokens cannot use this part of the shop API (settings)."
        )
    with schema_context(shop_a.schema_name):
        assert Subscription.objects.count() == 0


def test_the_openapi_document_is_valid_and_names_every_operation():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(urlconf="tests.tenant_apps.shop.schema_urls").get_schema(
        request=None, public=True
    )
    validate_schema(schema)
    assert not GENERATOR_STATS
    operations = {
        operation["operationId"]
        for path, item in schema["paths"].items()
        if path.startswith(API)
        for operation in item.values()
    }
    assert operations == {
        "webhooks_subscriptions_list",
        "webhooks_subscriptions_create",
        "webhooks_subscriptions_retrieve",
        "webhooks_subscriptions_update",
        "webhooks_subscriptions_destroy",
        "webhooks_subscriptions_rotate_secret",
        "webhooks_subscriptions_ping",
        "webhooks_deliveries_list",
        "webhooks_deliveries_retrieve",
        "webhooks_deliveries_redeliver",
    }
    events = schema["components"]["schemas"]["WebhookSubscriptionInputRequest"]["properties"][
        "events"
    ]
    assert events["items"]["$ref"] == "#/components/schemas/WebhookEventEnum"


def test_deleting_a_subscription_takes_its_log(
    owner_a, shop_a, merchant_a, django_capture_on_commit_callbacks
):
    subscription = subscribe(shop_a, merchant_a, "http://127.0.0.1:9/")
    with schema_context(shop_a.schema_name), django_capture_on_commit_callbacks(execute=False):
        services.subscription_ping(subscription_id=subscription.pk)
    assert owner_a.delete(f"{API}subscriptions/{subscription.pk}/").status_code == 204
    with schema_context(shop_a.schema_name):
        assert not Delivery.objects.exists()
