"""`Idempotency-Key` on unsafe API requests: a retry returns the first response and never acts
twice; the key is per caller and per host; bad keys, reused keys and concurrent duplicates get
clear answers. Exercised on real endpoints (shop categories, stock locations, API tokens)."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone
from django_tenants.utils import schema_context
from drf_spectacular.generators import SchemaGenerator

from backend.api import idempotency
from backend.models import IdempotencyKey
from tenant_apps.catalog.models import ShopCategory
from tenant_apps.inventory.models import Location
from tenant_apps.shop import services as shop_services
from tenant_apps.shop.models import StaffMember
from tests.conftest import client_for, shop_host
from tests.tenant_apps.shop.conftest import add_staff

pytestmark = pytest.mark.django_db
CATEGORIES = "/api/v1/shop/catalog/categories/"
LOCATIONS = "/api/v1/shop/inventory/locations/"
JSON = "application/json"


def post(client, path, data, key=None, **extra):
    if key is not None:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(path, data, content_type=JSON, **extra)


def categories(shop) -> list[str]:
    with schema_context(shop.schema_name):
        return list(ShopCategory.objects.order_by("id").values_list("name", flat=True))


@pytest.fixture
def owner_a(shop_a, merchant_a):
    return client_for(shop_host(shop_a), merchant_a)


def test_a_retry_gets_the_first_response_and_nothing_runs_twice(shop_a, owner_a):
    first = post(owner_a, CATEGORIES, {"name": "Tea"}, key="create-tea-1")
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    again = post(owner_a, CATEGORIES, {"name": "Tea"}, key="create-tea-1")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"] == "application/json"
    assert categories(shop_a) == ["Tea"]
    row = IdempotencyKey.objects.get()
    assert (row.host, row.key, row.method, row.path, row.status_code) == (
        "alpha.mall.localhost",
        "create-tea-1",
        "POST",
        CATEGORIES,
        201,
    )
    assert row.principal == f"user:{owner_a.session['_auth_user_id']}"
    assert row.expires_at - row.created_at == timedelta(hours=24)


def test_without_a_key_every_request_runs(shop_a, owner_a):
    assert post(owner_a, CATEGORIES, {"name": "Tea"}).status_code == 201
    assert post(owner_a, CATEGORIES, {"name": "Tea"}).status_code == 201
    assert categories(shop_a) == ["Tea", "Tea"]
    assert not IdempotencyKey.objects.exists()


def test_the_same_key_for_another_body_or_path_is_refused(shop_a, owner_a):
    assert post(owner_a, CATEGORIES, {"name": "Tea"}, key="k-1").status_code == 201
    other_body = post(owner_a, CATEGORIES, {"name": "Coffee"}, key="k-1")
    assert other_body.status_code == 409
    error = other_body.json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert f"POST {CATEGORIES}" in error["message"]
    assert error["fields"] == {"Idempotency-Key": ["Already used for another request."]}
    other_path = post(owner_a, LOCATIONS, {"name": "Tea", "code": "T"}, key="k-1")
    assert other_path.status_code == 409
    assert other_path.json()["error"]["code"] == "idempotency_key_reused"
    assert categories(shop_a) == ["Tea"]
    with schema_context(shop_a.schema_name):
        assert not Location.objects.exists()


def test_4xx_answers_are_kept_too(shop_a, owner_a):
    first = post(owner_a, LOCATIONS, {"name": "Main", "code": ""}, key="bad-location")
    assert first.status_code == 400
    again = post(owner_a, LOCATIONS, {"name": "Main", "code": ""}, key="bad-location")
    assert (again.status_code, again["Idempotent-Replayed"]) == (400, "true")
    assert again.json() == first.json()
    # 409 from a business rule as well: a duplicate location code.
    assert post(owner_a, LOCATIONS, {"name": "Main", "code": "WH"}, key="loc-1").status_code == 201
    conflict = post(owner_a, LOCATIONS, {"name": "Other", "code": "WH"}, key="loc-2")
    assert conflict.status_code == 409
    replay = post(owner_a, LOCATIONS, {"name": "Other", "code": "WH"}, key="loc-2")
    assert (replay.status_code, replay.content) == (409, conflict.content)
    assert replay["Idempotent-Replayed"] == "true"


def test_a_view_that_fails_releases_the_key(shop_a, merchant_a, monkeypatch):
    from tenant_apps.catalog import services

    client = client_for(shop_host(shop_a), merchant_a)
    client.raise_request_exception = False
    real = services.shop_category_create

    def broken(**kwargs):
        raise RuntimeError("database fell over")

    monkeypatch.setattr(services, "shop_category_create", broken)
    assert post(client, CATEGORIES, {"name": "Tea"}, key="retry-me").status_code == 500
    assert not IdempotencyKey.objects.exists()
    monkeypatch.setattr(services, "shop_category_create", real)
    retried = post(client, CATEGORIES, {"name": "Tea"}, key="retry-me")
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried
    assert categories(shop_a) == ["Tea"]


def test_different_callers_with_the_same_key_do_not_meet(shop_a, owner_a, make_user):
    manager = make_user(email="manager@alpha.example")
    add_staff(shop_a, manager, "manager")
    manager_a = client_for(shop_host(shop_a), manager)
    assert post(owner_a, CATEGORIES, {"name": "Tea"}, key="same").status_code == 201
    second = post(manager_a, CATEGORIES, {"name": "Tea"}, key="same")
    assert second.status_code == 201 and "Idempotent-Replayed" not in second
    assert categories(shop_a) == ["Tea", "Tea"]
    assert IdempotencyKey.objects.count() == 2


def test_the_same_key_on_another_host_does_not_meet(shop_a, shop_b, owner_a, merchant_b):
    owner_b = client_for(shop_host(shop_b), merchant_b)
    assert post(owner_a, CATEGORIES, {"name": "Tea"}, key="same").status_code == 201
    on_b = post(owner_b, CATEGORIES, {"name": "Tea"}, key="same")
    assert on_b.status_code == 201 and "Idempotent-Replayed" not in on_b
    assert categories(shop_a) == ["Tea"] and categories(shop_b) == ["Tea"]
    assert sorted(IdempotencyKey.objects.values_list("host", flat=True)) == [
        "alpha.mall.localhost",
        "beta.mall.localhost",
    ]


def test_api_tokens_are_callers_of_their_own(shop_a, merchant_a):
    with schema_context(shop_a.schema_name):
        member = StaffMember.objects.get(user_id=merchant_a.pk)
        secrets = [
            shop_services.api_token_create(
                shop=shop_a, member=member, actor=merchant_a, name=name, scopes=["catalog:write"]
            ).secret
            for name in ("ERP", "POS")
        ]
    erp, pos = (client_for(shop_host(shop_a)) for _ in range(2))
    erp.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secrets[0]}"
    pos.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secrets[1]}"
    assert post(erp, CATEGORIES, {"name": "Tea"}, key="sync-1").status_code == 201
    assert post(erp, CATEGORIES, {"name": "Tea"}, key="sync-1")["Idempotent-Replayed"] == "true"
    other = post(pos, CATEGORIES, {"name": "Tea"}, key="sync-1")
    assert other.status_code == 201 and "Idempotent-Replayed" not in other
    assert categories(shop_a) == ["Tea", "Tea"]
    principals = set(IdempotencyKey.objects.values_list("principal", flat=True))
    assert len(principals) == 2 and all(p.startswith("auth:") for p in principals)
    assert not any(secret in p for secret in secrets for p in principals)


def test_multipart_uploads_are_parsed_after_the_key_is_checked(shop_a, owner_a, settings, tmp_path):
    """The middleware reads the body to fingerprint it; the view still parses the upload."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tenant_apps.catalog.models import Product, ProductImage
    from tests.factories import png_bytes

    settings.MEDIA_ROOT = tmp_path / "media"
    with schema_context(shop_a.schema_name):
        product = Product.objects.create(title="Teapot")
    path = f"/api/v1/shop/catalog/products/{product.pk}/images/"
    image = png_bytes(300, 300)

    def upload():
        return owner_a.post(
            path,
            {"image": SimpleUploadedFile("pot.png", image, "image/png")},
            HTTP_IDEMPOTENCY_KEY="upload-1",
        )

    first = upload()
    assert first.status_code == 201, first.content
    again = upload()  # the test client sends the same boundary: the same bytes
    assert (again.status_code, again["Idempotent-Replayed"]) == (201, "true")
    assert again.content == first.content
    with schema_context(shop_a.schema_name):
        assert ProductImage.objects.filter(product=product).count() == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "ключ", "tab\there", "nul\x00"])
def test_a_bad_key_is_a_400(shop_a, owner_a, key):
    response = post(owner_a, CATEGORIES, {"name": "Tea"}, key=key)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_idempotency_key"
    assert error["message"] == (
        "The Idempotency-Key header must be 1 to 255 printable ASCII characters."
    )
    assert categories(shop_a) == []


def test_the_longest_key_and_every_printable_character_work(shop_a, owner_a):
    for key in ["k" * 255, "".join(chr(c) for c in range(0x21, 0x7F))]:
        assert post(owner_a, CATEGORIES, {"name": "Tea"}, key=key).status_code == 201
        assert post(owner_a, CATEGORIES, {"name": "Tea"}, key=key)["Idempotent-Replayed"] == "true"
    assert categories(shop_a) == ["Tea", "Tea"]


def test_safe_methods_and_pages_ignore_the_header(shop_a, owner_a):
    assert post(owner_a, CATEGORIES, {"name": "Tea"}).status_code == 201
    for _ in range(2):
        response = owner_a.get(CATEGORIES, HTTP_IDEMPOTENCY_KEY="read-1")
        assert response.status_code == 200 and "Idempotent-Replayed" not in response
    bad = owner_a.get(CATEGORIES, HTTP_IDEMPOTENCY_KEY="ключ")
    assert bad.status_code == 200
    page = owner_a.post("/console/settings/", {"name": "Alpha 2"}, HTTP_IDEMPOTENCY_KEY="p")
    assert page.status_code in (200, 302)
    assert not IdempotencyKey.objects.exists()


def test_a_response_holding_a_secret_is_not_kept(shop_a, owner_a):
    body = {"name": "ERP", "scopes": ["catalog:read"]}
    first = post(owner_a, "/api/v1/shop/api-tokens/", body, key="token-1")
    assert first.status_code == 201 and first.json()["token"].startswith("mshop_")
    row = IdempotencyKey.objects.get()
    assert (row.status_code, row.replayable, bytes(row.body)) == (201, False, b"")
    again = post(owner_a, "/api/v1/shop/api-tokens/", body, key="token-1")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "idempotency_response_not_kept"
    assert "already ran (status 201)" in again.json()["error"]["message"]
    with schema_context(shop_a.schema_name):
        from tenant_apps.shop.models import ShopApiToken

        assert ShopApiToken.objects.count() == 1


def test_a_running_request_holds_its_key(shop_a, owner_a, merchant_a):
    """A claim without a response (the first request still runs) answers 409; once older than
    the claim timeout (its process died) the key can be claimed again."""
    principal = f"user:{merchant_a.pk}"
    post(owner_a, CATEGORIES, {"name": "Tea"}, key="slow")
    IdempotencyKey.objects.filter(key="slow").update(status_code=None)
    busy = post(owner_a, CATEGORIES, {"name": "Tea"}, key="slow")
    assert busy.status_code == 409
    assert busy.json()["error"]["code"] == "idempotency_in_progress"
    assert busy["Retry-After"] == "1"
    IdempotencyKey.objects.filter(key="slow", principal=principal).update(
        created_at=timezone.now() - idempotency.CLAIM_TIMEOUT - timedelta(seconds=1)
    )
    taken_over = post(owner_a, CATEGORIES, {"name": "Tea"}, key="slow")
    assert taken_over.status_code == 201 and "Idempotent-Replayed" not in taken_over
    assert categories(shop_a) == ["Tea", "Tea"]


def test_keys_expire_after_a_day(shop_a, owner_a):
    post(owner_a, CATEGORIES, {"name": "Tea"}, key="old")
    post(owner_a, CATEGORIES, {"name": "Coffee"}, key="fresh")
    IdempotencyKey.objects.filter(key="old").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    # An expired key is a new key: the request runs again.
    assert "Idempotent-Replayed" not in post(owner_a, CATEGORIES, {"name": "Tea"}, key="old")
    IdempotencyKey.objects.filter(key="old").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert idempotency.purge_expired_keys() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]
    assert categories(shop_a) == ["Tea", "Coffee", "Tea"]


def test_the_openapi_document_names_the_header_on_unsafe_operations():
    schema = SchemaGenerator(urlconf="backend.urls_api").get_schema(request=None, public=True)
    assert schema["components"]["parameters"]["IdempotencyKey"]["in"] == "header"
    ref = {"$ref": "#/components/parameters/IdempotencyKey"}
    create = schema["paths"][CATEGORIES]["post"]
    assert ref in create["parameters"]
    assert ref not in schema["paths"][CATEGORIES]["get"].get("parameters", [])


# --- concurrency -------------------------------------------------------------------------------


@pytest.fixture
def racing_shop(transactional_db, merchant_a):
    from tests.conftest import provision

    shop = provision(merchant_a, "idem", "Idem", "Idem Co")
    yield shop
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{shop.schema_name}" CASCADE')


def test_concurrent_duplicates_run_once(racing_shop, merchant_a, monkeypatch):
    """Five copies of one request at once (a double-clicking client with retries): one runs,
    the others are told it is in progress; one category exists."""
    from tenant_apps.catalog import services

    real = services.shop_category_create

    def slow(**kwargs):
        time.sleep(0.5)  # long enough for every copy to arrive while the first runs
        return real(**kwargs)

    monkeypatch.setattr(services, "shop_category_create", slow)
    clients = [client_for(shop_host(racing_shop), merchant_a) for _ in range(5)]
    barrier = threading.Barrier(len(clients))
    answers: list[tuple[int, str]] = []

    def work(client):
        barrier.wait()
        try:
            response = post(client, CATEGORIES, {"name": "Tea"}, key="double-click")
            code = (
                response.json().get("error", {}).get("code", "")
                if response.status_code >= 400
                else ""
            )
            answers.append((response.status_code, code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [(201, "")] + [(409, "idempotency_in_progress")] * 4
    assert categories(racing_shop) == ["Tea"]
    replay = post(clients[0], CATEGORIES, {"name": "Tea"}, key="double-click")
    assert (replay.status_code, replay["Idempotent-Replayed"]) == (201, "true")
    assert categories(racing_shop) == ["Tea"]
