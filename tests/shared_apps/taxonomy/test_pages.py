"""Taxonomy pages of the operator console."""

import pytest

from shared_apps.audit.models import AuditEntry
from shared_apps.taxonomy import services
from shared_apps.taxonomy.models import AttributeDefinition, Category, StandardProduct
from tests.conftest import OPS, client_for

from .conftest import EAN, EAN_2

pytestmark = pytest.mark.django_db


def test_category_pages_create_and_edit(operator, digital, smartphones):
    client = client_for(OPS, operator)
    page = client.get("/taxonomy/categories/")
    assert page.status_code == 200
    assert "智能手机" in page.content.decode()
    assert [n.category.code for n in page.context["nodes"]][:3] == ["digital", "phones", "smartphones"]
    created = client.post("/taxonomy/categories/create/", {"parent_id": digital.pk, "code": "audio", "name": "音频",
                                                           "name_en": "Audio", "sort": 0})
    audio = Category.objects.get(code="audio")
    assert created.status_code == 302 and created["Location"] == f"/taxonomy/categories/{audio.pk}/"
    duplicate = client.post("/taxonomy/categories/create/", {"parent_id": digital.pk, "code": "audio",
                                                             "name": "音频", "name_en": "Audio", "sort": 0})
    assert duplicate.status_code == 400
    assert duplicate.context["form"].errors["code"] == ["The code audio is already used by another category."]

    detail = client.get(f"/taxonomy/categories/{smartphones.pk}/")
    assert [a.code for a in detail.context["attributes"]] == ["colour", "screen_size", "storage", "network", "nfc",
                                                              "chip"]
    added = client.post(f"/taxonomy/categories/{audio.pk}/attributes/create/", {
        "code": "impedance", "name": "阻抗", "name_en": "Impedance", "value_type": "integer", "unit": "Ω",
        "sort": 0})
    assert added.status_code == 302
    bad_choice = client.post(f"/taxonomy/categories/{audio.pk}/attributes/create/", {
        "code": "kind", "name": "类型", "name_en": "Kind", "value_type": "choice", "choices": "", "sort": 0})
    assert bad_choice.status_code == 400
    assert bad_choice.context["attribute_form"].errors["choices"]
    attribute = AttributeDefinition.objects.get(code="impedance")
    edit = client.get(f"/taxonomy/attributes/{attribute.pk}/")
    assert edit.status_code == 200
    saved = client.post(f"/taxonomy/attributes/{attribute.pk}/", {
        "code": "hacked", "name": "阻抗", "name_en": "Impedance", "value_type": "integer", "unit": "ohm", "sort": 2})
    assert saved.status_code == 302
    attribute.refresh_from_db()
    assert (attribute.code, attribute.unit, attribute.sort) == ("impedance", "ohm", 2)
    frozen = client.post(f"/taxonomy/categories/{audio.pk}/update/", {"code": "sound", "name": "音频",
                                                                      "name_en": "Audio", "sort": 0})
    assert frozen.status_code == 409
    assert frozen.context["update_form"].errors["code"] == ["The code audio is in use and cannot change."]
    moved = client.post(f"/taxonomy/categories/{audio.pk}/move/", {"parent_id": smartphones.parent_id})
    assert moved.status_code == 302
    assert Category.objects.get(pk=audio.pk).level == 3
    off = client.post(f"/taxonomy/categories/{audio.pk}/deactivate/", {"reason": "不再使用"})
    assert off.status_code == 302 and not Category.objects.get(pk=audio.pk).is_active
    assert client.post(f"/taxonomy/categories/{audio.pk}/activate/").status_code == 302
    assert client.post(f"/taxonomy/attributes/{attribute.pk}/delete/").status_code == 302
    assert client.get("/taxonomy/categories/999999/").status_code == 404


def test_standard_product_pages(operator, smartphones, shop_a):
    client = client_for(OPS, operator)
    form_page = client.get(f"/taxonomy/standard-products/create/?category_id={smartphones.pk}")
    assert {"attr_screen_size", "attr_storage", "attr_network"} <= set(form_page.context["form"].fields)
    assert "attr_colour" not in form_page.context["form"].fields  # not a key attribute
    bad = client.post("/taxonomy/standard-products/create/", {
        "category_id": smartphones.pk, "brand": "Apple", "model": "iPhone 15", "gtins": "6901234567893",
        "attr_storage": "lots"})
    assert bad.status_code == 400
    assert bad.context["form"].errors["gtins"] == ["The GTIN 6901234567893 has a wrong check digit."]
    assert not StandardProduct.objects.exists()
    created = client.post("/taxonomy/standard-products/create/", {
        "category_id": smartphones.pk, "brand": "Apple", "model": "iPhone 15", "gtins": EAN,
        "attr_storage": "128", "attr_network": ["5G"]})
    product = StandardProduct.objects.get()
    assert created.status_code == 302
    assert product.attributes == {"storage": 128, "network": ["5G"]}
    bad_value = client.post(f"/taxonomy/standard-products/{product.pk}/update/", {
        "brand": "Apple", "model": "iPhone 15", "gtins": EAN, "attr_storage": "lots"})
    assert bad_value.status_code == 400
    assert bad_value.context["edit_form"].errors["attr_storage"] == ["Enter a whole number."]

    proposal, _ = services.standard_product_propose(shop_id=shop_a.pk, category_id=smartphones.pk, brand="Apple",
                                                    model="iPhone 15 (新)", gtins=[EAN_2])
    listing = client.get("/taxonomy/standard-products/?status=proposed")
    assert [p.pk for p in listing.context["page"]] == [proposal.pk]
    assert [p.pk for p in client.get(f"/taxonomy/standard-products/?q={EAN}").context["page"]] == [product.pk]
    detail = client.get(f"/taxonomy/standard-products/{proposal.pk}/")
    assert detail.context["is_proposed"] and 'id="decide"' in detail.content.decode()
    no_reason = client.post(f"/taxonomy/standard-products/{proposal.pk}/reject/", {"reason": ""})
    assert no_reason.status_code == 400
    bad_merge = client.post(f"/taxonomy/standard-products/{proposal.pk}/merge/", {"into_id": proposal.pk})
    assert bad_merge.status_code == 400
    assert bad_merge.context["merge_form"].errors["into_id"]
    merged = client.post(f"/taxonomy/standard-products/{proposal.pk}/merge/", {"into_id": product.pk})
    assert merged.status_code == 302 and merged["Location"] == f"/taxonomy/standard-products/{product.pk}/"
    assert AuditEntry.objects.filter(action="taxonomy.standard_product_merged").count() == 1
    again = client.post(f"/taxonomy/standard-products/{proposal.pk}/approve/")
    assert again.status_code == 409


def test_pages_for_roles(finance, service_agent, shopper, smartphones, digital):
    for person in (finance, service_agent):
        client = client_for(OPS, person)
        page = client.get(f"/taxonomy/categories/{smartphones.pk}/")
        assert page.status_code == 200
        assert 'id="attribute-create"' not in page.content.decode()  # read-only: no forms
        assert client.get("/taxonomy/standard-products/").status_code == 200
        refused = client.post("/taxonomy/categories/create/", {"parent_id": digital.pk, "code": "toys",
                                                               "name": "玩具", "name_en": "Toys", "sort": 0})
        assert refused.status_code == 403
    assert not Category.objects.filter(code="toys").exists()
    assert client_for(OPS, shopper).get("/taxonomy/categories/").status_code == 403
    anonymous = client_for(OPS).get("/taxonomy/categories/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")


def test_list_pages_query_count_does_not_grow(operator, smartphones, settings, django_assert_max_num_queries):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    client = client_for(OPS, operator)
    counts = []
    for n in (1, 6):
        for i in range(n):
            services.standard_product_create(actor=operator, category_id=smartphones.pk, brand="Brand",
                                             model=f"M{n}-{i}", gtins=[])
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as page_queries:
            assert client.get("/taxonomy/standard-products/").status_code == 200
        with CaptureQueriesContext(connection) as api_queries:
            assert client.get("/api/v1/ops/taxonomy/standard-products/").status_code == 200
        with CaptureQueriesContext(connection) as tree_queries:
            assert client.get("/taxonomy/categories/").status_code == 200
        counts.append((len(page_queries), len(api_queries), len(tree_queries)))
    assert counts[0] == counts[1]
