"""Registration with an e-mail address: API and pages."""

import pytest

from shared_apps.accounts.models import User
from tests.conftest import MALL, client_for
from tests.factories import PASSWORD, UserFactory

from .helpers import post_json

pytestmark = pytest.mark.django_db
API = "/api/v1/auth/register/email/"


def test_api_registers_with_argon2_hash_and_signs_in(mall_client):
    response = post_json(mall_client, API, {"email": "  New.Person@Example.COM ", "password": PASSWORD,
                                            "display_name": " 小明 "})
    assert response.status_code == 201
    user = User.objects.get()
    assert response.json() == {"id": user.pk, "email": "new.person@example.com", "display_name": "小明",
                                "masked_phone": "", "operator_role": ""}
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)
    assert user.phone_hash is None and user.phone_encrypted == ""
    assert user.operator_role == "" and user.is_active and not user.is_staff
    # The response carried a session: the same client is now signed in.
    me = mall_client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["id"] == user.pk


def test_api_duplicate_email_ignoring_case_is_409_naming_the_field(mall_client):
    UserFactory(email="taken@example.com")
    response = post_json(mall_client, API, {"email": "TAKEN@Example.com", "password": PASSWORD})
    assert response.status_code == 409
    body = response.json()["error"]
    assert body["code"] == "email_taken"
    assert list(body["fields"]) == ["email"]
    assert User.objects.count() == 1
    assert mall_client.get("/api/v1/me/").status_code == 403


@pytest.mark.parametrize("password", ["short1!", "12345678901", "password123", "new.person@example.com"])
def test_api_weak_password_is_400_naming_password(mall_client, password):
    response = post_json(mall_client, API, {"email": "new.person@example.com", "password": password})
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "weak_password"
    assert list(body["fields"]) == ["password"]
    assert body["fields"]["password"]
    assert not User.objects.exists()


def test_api_password_over_max_length_is_400(mall_client):
    response = post_json(mall_client, API, {"email": "a@example.com", "password": "Aa1!" * 40})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["password"]
    assert not User.objects.exists()


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@example.com", "a b@example.com", "", "x" * 250 + "@example.com"])
def test_api_bad_email_is_400_naming_email(mall_client, email):
    response = post_json(mall_client, API, {"email": email, "password": PASSWORD})
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid"
    assert "email" in body["fields"]
    assert not User.objects.exists()


def test_api_missing_fields_are_named(mall_client):
    response = post_json(mall_client, API, {})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"email", "password"}


def test_page_register_signs_in_and_goes_to_account(mall_client):
    assert mall_client.get("/accounts/register/").status_code == 200
    response = mall_client.post("/accounts/register/", {"email": "Page@Example.com", "password": PASSWORD,
                                                        "display_name": "Page"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/"
    user = User.objects.get()
    assert user.email == "page@example.com"
    assert user.password.startswith("argon2")
    home = mall_client.get("/accounts/")
    assert home.status_code == 200
    assert "page@example.com" in home.content.decode()


def test_page_register_duplicate_email_shows_error_on_the_field(mall_client):
    UserFactory(email="taken@example.com")
    response = mall_client.post("/accounts/register/", {"email": "Taken@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert response.context["form"].errors["email"] == ["Already registered."]
    assert User.objects.count() == 1


def test_page_register_weak_password_and_bad_email(mall_client):
    response = mall_client.post("/accounts/register/", {"email": "ok@example.com", "password": "123"})
    assert response.status_code == 400
    assert "password" in response.context["form"].errors
    response = mall_client.post("/accounts/register/", {"email": "nope", "password": PASSWORD})
    assert response.status_code == 400
    assert "email" in response.context["form"].errors
    assert not User.objects.exists()


def test_page_register_ignores_next_on_another_host(mall_client):
    response = mall_client.post("/accounts/register/", {"email": "n@example.com", "password": PASSWORD,
                                                        "next": "http://evil.example.com/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/"


def test_register_pages_exist_only_on_the_mall_host(shop_a):
    response = client_for(f"alpha.{MALL}").get("/accounts/register/")
    assert response.status_code == 404
