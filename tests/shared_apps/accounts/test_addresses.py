"""The address book: services, API, pages, the interface checkout reads, PII at rest, one
default per person also under concurrent requests, and other people's addresses being 404."""

import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from backend.api.errors import Conflict, NotFound, ServiceError
from shared_apps.accounts import interface, services
from shared_apps.accounts.models import Address
from tests.conftest import MALL, client_for

from .helpers import post_json

pytestmark = pytest.mark.django_db
API = "/api/v1/addresses/"
JSON = "application/json"
HOME = {"recipient_name": "王小明", "phone": "13800138000", "province_code": "440000", "city_code": "440300",
        "district_code": "440305", "detail": "科技园南区1栋101", "postal_code": "518057", "label": "家"}
OFFICE = {"recipient_name": "王小明", "phone": "+86 139-1234-5678", "province_code": "110000",
          "city_code": "110100", "district_code": "110105", "detail": "建国路88号"}


def add(user, **changes) -> Address:
    return services.address_create(user=user, data={**HOME, **changes})


def selects(queries) -> list[str]:
    """The statements a test counts: django-tenants' `SET search_path` is not a query of ours."""
    return [q["sql"] for q in queries if not q["sql"].startswith("SET search_path")]


def defaults(user) -> list[int]:
    return list(Address.objects.filter(user=user, is_default=True).values_list("pk", flat=True))


# --- services ----------------------------------------------------------------------------------


def test_first_address_is_the_default_and_a_new_default_replaces_it(shopper):
    first = add(shopper)
    second = services.address_create(user=shopper, data=OFFICE)
    assert defaults(shopper) == [first.pk]
    assert second.phone == "13912345678"  # normalised
    third = add(shopper, label="公司", is_default=True)
    assert defaults(shopper) == [third.pk]
    services.address_set_default(user=shopper, address_id=second.pk)
    assert defaults(shopper) == [second.pk]


def test_update_checks_changed_codes_with_the_unchanged_ones(shopper):
    address = add(shopper)
    with pytest.raises(ServiceError) as exc:
        services.address_update(user=shopper, address_id=address.pk, data={"district_code": "110105"})
    assert exc.value.fields == {"district_code": ["This district is not in the chosen city."]}
    updated = services.address_update(user=shopper, address_id=address.pk,
                                      data={"city_code": "440100", "district_code": "440106", "phone": "13912345678"})
    assert (updated.city_code, updated.district_code, updated.phone) == ("440100", "440106", "13912345678")
    address.refresh_from_db()
    assert address.full_text == "广东省广州市天河区科技园南区1栋101"


def test_the_default_cannot_be_unset_directly_and_deleting_it_promotes_the_newest(shopper):
    first, second, third = add(shopper), add(shopper, label="a"), add(shopper, label="b")
    with pytest.raises(ServiceError) as exc:
        services.address_update(user=shopper, address_id=first.pk, data={"is_default": False})
    assert "is_default" in exc.value.fields
    services.address_delete(user=shopper, address_id=first.pk)
    assert defaults(shopper) == [third.pk]
    services.address_delete(user=shopper, address_id=second.pk)
    assert defaults(shopper) == [third.pk]
    services.address_delete(user=shopper, address_id=third.pk)
    assert not Address.objects.filter(user=shopper).exists()


def test_at_most_twenty_addresses(shopper):
    for i in range(services.MAX_ADDRESSES):
        add(shopper, label=str(i))
    with pytest.raises(Conflict) as exc:
        add(shopper)
    assert exc.value.code == "address_limit"
    assert Address.objects.filter(user=shopper).count() == 20


@pytest.mark.parametrize(("changes", "field"), [
    ({"recipient_name": "  "}, "recipient_name"),
    ({"recipient_name": "名" * 41}, "recipient_name"),
    ({"phone": "12345"}, "phone"),
    ({"phone": None}, "phone"),
    ({"detail": ""}, "detail"),
    ({"postal_code": "51805"}, "postal_code"),
    ({"postal_code": "５１８０５７"}, "postal_code"),
    ({"province_code": "999999"}, "province_code"),
    ({"city_code": "110100"}, "city_code"),
    ({"district_code": "440106"}, "district_code"),
    ({"district_code": None}, "district_code"),
    ({"is_default": "yes"}, "is_default"),
    ({"colour": "red"}, "colour"),
])
def test_bad_fields_are_named_and_nothing_is_written(shopper, changes, field):
    with pytest.raises(ServiceError) as exc:
        add(shopper, **changes)
    assert field in exc.value.fields
    assert not Address.objects.exists()


def test_someone_elses_address_is_not_found(shopper, make_user):
    other = make_user()
    theirs = add(other)
    for call in (lambda: services.address_update(user=shopper, address_id=theirs.pk, data={"label": "x"}),
                 lambda: services.address_set_default(user=shopper, address_id=theirs.pk),
                 lambda: services.address_delete(user=shopper, address_id=theirs.pk)):
        with pytest.raises(NotFound):
            call()
    assert Address.objects.get(pk=theirs.pk).label == "家"


def test_phone_is_encrypted_at_rest(shopper):
    address = add(shopper)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_address WHERE id = %s", [address.pk])
        raw = " ".join(str(v) for v in cursor.fetchone())
    assert "13800138000" not in raw and "138****8000" not in raw
    assert Address.objects.get(pk=address.pk).phone == "13800138000"


# --- the interface checkout reads --------------------------------------------------------------


def test_address_get_returns_plain_data_in_one_query(shopper, make_user):
    address = add(shopper)
    with CaptureQueriesContext(connection) as queries:
        data = interface.address_get(user_id=shopper.pk, address_id=address.pk)
    assert len(selects(queries)) == 1
    assert data == interface.AddressData(
        id=address.pk, user_id=shopper.pk, recipient_name="王小明", phone="13800138000", masked_phone="138****8000",
        province_code="440000", city_code="440300", district_code="440305", province_name="广东省",
        city_name="深圳市", district_name="南山区", detail="科技园南区1栋101", postal_code="518057", label="家",
        is_default=True, full_text="广东省深圳市南山区科技园南区1栋101",
    )
    assert interface.address_get(user_id=make_user().pk, address_id=address.pk) is None
    assert interface.address_get(user_id=shopper.pk, address_id=987654) is None
    assert interface.address_default(user_id=shopper.pk) == data


def test_municipality_address_text(shopper):
    address = services.address_create(user=shopper, data=OFFICE)
    assert interface.address_get(user_id=shopper.pk, address_id=address.pk).full_text == "北京市朝阳区建国路88号"


def test_addresses_list_default_first(shopper, make_user):
    first = add(shopper)
    second = services.address_create(user=shopper, data=OFFICE)
    add(make_user())
    assert [a.id for a in interface.addresses_list(user_id=shopper.pk)] == [first.pk, second.pk]
    services.address_set_default(user=shopper, address_id=second.pk)
    assert [(a.id, a.is_default) for a in interface.addresses_list(user_id=shopper.pk)] == [
        (second.pk, True), (first.pk, False)]


# --- concurrency -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_set_default_calls_leave_exactly_one_default(make_user):
    user = make_user()
    ids = [add(user, label=str(i)).pk for i in range(3)]
    for _round in range(5):
        barrier = threading.Barrier(2)
        errors = []

        def make_default(address_id, barrier=barrier, errors=errors):
            barrier.wait()
            try:
                services.address_set_default(user=user, address_id=address_id)
            except Exception as exc:  # noqa: BLE001 — any failure fails the test below
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=make_default, args=(pk,)) for pk in ids[1:]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(defaults(user)) == 1 and defaults(user)[0] in ids[1:]
        services.address_set_default(user=user, address_id=ids[0])


# --- API ---------------------------------------------------------------------------------------


@pytest.fixture
def api(shopper):
    return client_for(MALL, shopper)


def test_api_crud(api, shopper):
    created = post_json(api, API, HOME)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["is_default"] is True and body["city_name"] == "深圳市" and body["full_text"].startswith("广东省深圳市南山区")
    pk = body["id"]
    second = post_json(api, API, OFFICE).json()
    assert [a["id"] for a in api.get(API).json()] == [pk, second["id"]]
    patched = api.patch(f"{API}{pk}/", {"label": "老家"}, content_type=JSON)
    assert patched.status_code == 200 and patched.json()["label"] == "老家"
    made = api.post(f"{API}{second['id']}/default/")
    assert made.status_code == 200 and made.json()["is_default"] is True
    assert api.get(f"{API}{pk}/").json()["is_default"] is False
    assert api.delete(f"{API}{pk}/").status_code == 204
    assert api.get(f"{API}{pk}/").status_code == 404
    assert [a["id"] for a in api.get(API).json()] == [second["id"]]


def test_api_list_query_count_does_not_grow(api, shopper):
    add(shopper)
    api.get(API)  # the first request of a session also touches the session row
    with CaptureQueriesContext(connection) as one:
        api.get(API)
    for i in range(5):
        add(shopper, label=str(i))
    with CaptureQueriesContext(connection) as six:
        assert len(api.get(API).json()) == 6
    assert len(selects(six)) == len(selects(one))


def test_api_others_ids_are_404(api, make_user):
    theirs = add(make_user())
    for response in (api.get(f"{API}{theirs.pk}/"), api.patch(f"{API}{theirs.pk}/", {"label": "x"}, content_type=JSON),
                     api.delete(f"{API}{theirs.pk}/"), api.post(f"{API}{theirs.pk}/default/"),
                     api.get(f"{API}99999999999999999999/"), api.delete(f"{API}99999999999999999999/")):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert Address.objects.get(pk=theirs.pk).label == "家"


@pytest.mark.parametrize(("changes", "field"), [
    ({"district_code": "110105"}, "district_code"),
    ({"city_code": "110100"}, "city_code"),
    ({"province_code": "44"}, "province_code"),
    ({"phone": "hello"}, "phone"),
    ({"recipient_name": ""}, "recipient_name"),
    ({"detail": "x" * 201}, "detail"),
    ({"is_default": "maybe"}, "is_default"),
    ({"province_code": ["440000"]}, "province_code"),
])
def test_api_bad_input_is_400_naming_the_field(api, changes, field):
    response = post_json(api, API, {**HOME, **changes})
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Address.objects.exists()


def test_api_needs_a_sign_in_and_answers_the_limit_with_409(mall_client, api, shopper):
    assert mall_client.get(API).status_code in (401, 403)
    assert post_json(mall_client, API, HOME).status_code in (401, 403)
    for i in range(services.MAX_ADDRESSES):
        add(shopper, label=str(i))
    response = post_json(api, API, HOME)
    assert response.status_code == 409 and response.json()["error"]["code"] == "address_limit"


def test_api_bad_bodies_are_400_not_500(api):
    for body in ("[]", "null", "not json", '{"recipient_name": {"a": 1}}'):
        response = api.post(API, body, content_type=JSON)
        assert response.status_code == 400, body


# --- pages -------------------------------------------------------------------------------------


@pytest.fixture
def pages(shopper):
    return client_for(MALL, shopper)


def form(**changes) -> dict:
    return {**HOME, **changes}


def test_pages_add_edit_default_delete(pages, shopper):
    assert pages.get("/accounts/addresses/").status_code == 200
    new = pages.get("/accounts/addresses/new/")
    html = new.content.decode()
    assert new.status_code == 200 and "accounts/regions.js" in html and 'value="440000"' in html
    response = pages.post("/accounts/addresses/new/", form())
    assert response.status_code == 302 and response["Location"] == "/accounts/addresses/"
    home = Address.objects.get(user=shopper)
    pages.post("/accounts/addresses/new/", form(**OFFICE, label="公司"))
    office = Address.objects.get(user=shopper, label="公司")
    listing = pages.get("/accounts/addresses/").content.decode()
    assert "广东省深圳市南山区科技园南区1栋101" in listing and "138****8000" in listing and "13800138000" not in listing
    edit = pages.get(f"/accounts/addresses/{home.pk}/").content.decode()
    assert 'value="440305" selected' in edit  # the districts of the saved city are listed
    assert pages.post(f"/accounts/addresses/{home.pk}/", form(detail="新地址")).status_code == 302
    assert Address.objects.get(pk=home.pk).detail == "新地址"
    assert pages.post(f"/accounts/addresses/{office.pk}/default/").status_code == 302
    assert defaults(shopper) == [office.pk]
    confirm = pages.get(f"/accounts/addresses/{home.pk}/delete/")
    assert confirm.status_code == 200 and "Delete this address?" in confirm.content.decode()
    assert Address.objects.filter(pk=home.pk).exists()
    assert pages.post(f"/accounts/addresses/{home.pk}/delete/").status_code == 302
    assert not Address.objects.filter(pk=home.pk).exists()


def test_page_without_javascript_refreshes_the_lists_and_names_a_wrong_city(pages):
    refreshed = pages.post("/accounts/addresses/new/", form(city_code="", district_code="", refresh="1"))
    html = refreshed.content.decode()
    assert refreshed.status_code == 200 and 'value="440300"' in html and "深圳市" in html
    assert not Address.objects.exists()
    # Province changed without refreshing: the old city is named as the problem.
    wrong = pages.post("/accounts/addresses/new/", form(province_code="110000"))
    assert wrong.status_code == 400
    assert "This city is not in the chosen province." in wrong.content.decode()
    assert not Address.objects.exists()


def test_pages_refuse_others_addresses_and_anonymous(pages, make_user, mall_client):
    theirs = add(make_user())
    for path in (f"/accounts/addresses/{theirs.pk}/", f"/accounts/addresses/{theirs.pk}/delete/"):
        assert pages.get(path).status_code == 404
    assert pages.post(f"/accounts/addresses/{theirs.pk}/delete/").status_code == 404
    assert pages.post(f"/accounts/addresses/{theirs.pk}/default/").status_code == 404
    assert pages.post(f"/accounts/addresses/{theirs.pk}/", form(detail="x")).status_code == 404
    assert Address.objects.get(pk=theirs.pk).detail == HOME["detail"]
    response = mall_client.get("/accounts/addresses/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/accounts/addresses/")


def test_account_home_links_the_address_book(pages):
    assert "/accounts/addresses/" in pages.get("/accounts/").content.decode()
