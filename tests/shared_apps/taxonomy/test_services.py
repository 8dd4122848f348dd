"""Category tree, attribute templates and standard products through the services and interface."""

import pytest
from django.core.exceptions import ValidationError

from backend.api.errors import Conflict, Forbidden, NotFound, ServiceError
from shared_apps.audit.models import AuditEntry
from shared_apps.taxonomy import interface, services
from shared_apps.taxonomy.models import (
    AttributeDefinition,
    Category,
    StandardProduct,
    StandardProductGtin,
)

from .conftest import EAN, EAN_2, UPC

pytestmark = pytest.mark.django_db


def fields_of(exc_info) -> dict:
    return exc_info.value.fields


# --- categories ----------------------------------------------------------------------------------


def test_category_tree_create_and_audit(operator, digital, phones):
    phones_cat, smart = phones
    assert (phones_cat.level, smart.level, smart.parent_id) == (2, 3, phones_cat.pk)
    entry = AuditEntry.objects.filter(action="taxonomy.category_created", target_id=str(smart.pk)).get()
    assert entry.actor == operator
    assert entry.after == {"code": "smartphones", "name": "智能手机", "name_en": "Smartphones",
                           "parent_id": phones_cat.pk, "sort": 0, "is_active": True}
    info = interface.category_info(smart.pk)
    assert info == interface.CategoryInfo(id=smart.pk, code="smartphones", name="智能手机", name_en="Smartphones",
                                          parent_id=phones_cat.pk, level=3, is_active=True,
                                          path=("digital", "phones", "smartphones"))


def test_category_create_rejects_bad_input(operator, digital, smartphones):
    with pytest.raises(ServiceError) as dup:
        services.category_create(actor=operator, parent_id=digital.pk, code="phones", name="x", name_en="x")
    assert fields_of(dup) == {"code": ["The code phones is already used by another category."]}
    with pytest.raises(ServiceError) as deep:
        services.category_create(actor=operator, parent_id=smartphones.pk, code="flagship", name="x", name_en="x")
    assert fields_of(deep) == {"parent_id": ["Categories are at most 3 levels deep."]}
    with pytest.raises(ServiceError) as slug:
        services.category_create(actor=operator, parent_id=digital.pk, code="Bad Code", name="x", name_en="x")
    assert list(fields_of(slug)) == ["code"]
    with pytest.raises(ServiceError) as parent:
        services.category_create(actor=operator, parent_id=999999, code="ok-code", name="x", name_en="x")
    assert fields_of(parent) == {"parent_id": ["No such parent category."]}
    with pytest.raises(ServiceError) as name:
        services.category_create(actor=operator, parent_id=digital.pk, code="ok-code", name=" ", name_en="x")
    assert list(fields_of(name)) == ["name"]
    assert not Category.objects.filter(code__in=["flagship", "ok-code"]).exists()


def test_only_admin_and_auditor_change_the_taxonomy(auditor, finance, service_agent, shopper, digital):
    created = services.category_create(actor=auditor, parent_id=digital.pk, code="tablets", name="平板",
                                       name_en="Tablets")
    assert created.level == 2
    for person in (finance, service_agent, shopper):
        with pytest.raises(Forbidden):
            services.category_create(actor=person, parent_id=digital.pk, code="watches", name="手表",
                                     name_en="Watches")
    assert not Category.objects.filter(code="watches").exists()


def test_category_code_is_frozen_once_used(operator, digital):
    fresh = services.category_create(actor=operator, parent_id=digital.pk, code="wearable", name="穿戴",
                                     name_en="Wearables")
    renamed = services.category_update(actor=operator, category_id=fresh.pk, code="wearables", name="智能穿戴",
                                       name_en="Wearables", sort=5)
    assert (renamed.code, renamed.name, renamed.sort) == ("wearables", "智能穿戴", 5)
    entry = AuditEntry.objects.get(action="taxonomy.category_updated")
    assert (entry.before, entry.after) == ({"code": "wearable", "name": "穿戴", "sort": 0},
                                           {"code": "wearables", "name": "智能穿戴", "sort": 5})
    services.attribute_create(actor=operator, category_id=fresh.pk, code="strap", data={
        "name": "表带", "name_en": "Strap", "value_type": "text"})
    with pytest.raises(Conflict) as frozen:
        services.category_update(actor=operator, category_id=fresh.pk, code="watches", name="x", name_en="x",
                                 sort=0)
    assert fields_of(frozen) == {"code": ["The code wearables is in use and cannot change."]}
    with pytest.raises(Conflict):
        services.category_update(actor=operator, category_id=digital.pk, name="x", name_en="x", sort=0)
    assert Category.objects.get(pk=digital.pk).name == "手机数码"


def test_category_move_keeps_levels_and_attribute_codes_unique(operator, digital, phones):
    phones_cat, smart = phones
    computers = Category.objects.get(code="computers")
    laptops = services.category_create(actor=operator, parent_id=computers.pk, code="laptops", name="笔记本",
                                       name_en="Laptops")
    # The whole phones subtree would be 4 levels deep under laptops.
    with pytest.raises(ServiceError) as deep:
        services.category_move(actor=operator, category_id=phones_cat.pk, parent_id=laptops.pk)
    assert fields_of(deep) == {"parent_id": ["Categories are at most 3 levels deep."]}
    with pytest.raises(ServiceError) as cycle:
        services.category_move(actor=operator, category_id=phones_cat.pk, parent_id=smart.pk)
    assert list(fields_of(cycle)) == ["parent_id"]
    # computers defines "storage" too, which smartphones define themselves: a move under it is refused.
    services.attribute_create(actor=operator, category_id=computers.pk, code="storage", data={
        "name": "存储", "name_en": "Storage", "value_type": "integer", "unit": "GB"})
    with pytest.raises(Conflict) as clash:
        services.category_move(actor=operator, category_id=smart.pk, parent_id=computers.pk)
    assert list(fields_of(clash)) == ["code"]
    # Smartphones move up to level 2 directly under digital.
    moved = services.category_move(actor=operator, category_id=smart.pk, parent_id=digital.pk)
    assert (moved.parent_id, moved.level) == (digital.pk, 2)
    assert [a.code for a in interface.attributes_for(smart.pk)] == ["colour", "storage", "network", "nfc", "chip"]
    # With a sub-category of its own it no longer fits below level 2.
    foldables = services.category_create(actor=operator, parent_id=smart.pk, code="foldables", name="折叠屏",
                                         name_en="Foldables")
    assert foldables.level == 3
    with pytest.raises(ServiceError):
        services.category_move(actor=operator, category_id=smart.pk, parent_id=phones_cat.pk)
    services.category_move(actor=operator, category_id=foldables.pk, parent_id=laptops.pk)
    services.category_move(actor=operator, category_id=foldables.pk, parent_id=digital.pk)
    assert Category.objects.get(pk=foldables.pk).level == 2
    assert AuditEntry.objects.filter(action="taxonomy.category_moved").count() == 3


def test_deactivate_takes_the_subtree_and_reactivate_needs_an_active_parent(operator, phones):
    phones_cat, smart = phones
    services.category_set_active(actor=operator, category_id=phones_cat.pk, active=False, reason="调整")
    assert list(Category.objects.filter(pk__in=[phones_cat.pk, smart.pk]).values_list("is_active", flat=True)) == [
        False, False]
    with pytest.raises(Conflict) as parent_off:
        services.category_set_active(actor=operator, category_id=smart.pk, active=True)
    assert list(fields_of(parent_off)) == ["parent_id"]
    services.category_set_active(actor=operator, category_id=phones_cat.pk, active=True)
    assert Category.objects.get(pk=smart.pk).is_active is False  # sub-categories stay as they were
    entry = AuditEntry.objects.filter(action="taxonomy.category_deactivated").get()
    assert (entry.reason, entry.after) == ("调整", {"is_active": False, "categories": [phones_cat.pk, smart.pk]})


# --- attributes ----------------------------------------------------------------------------------


def test_attributes_for_is_inherited_and_frozen(digital, phones):
    phones_cat, smart = phones
    attrs = interface.attributes_for(smart.pk)
    assert [(a.code, a.category_id) for a in attrs] == [
        ("colour", digital.pk), ("screen_size", phones_cat.pk), ("storage", smart.pk), ("network", smart.pk),
        ("nfc", smart.pk), ("chip", smart.pk)]
    storage = attrs[2]
    assert storage == interface.AttributeInfo(
        id=storage.id, category_id=smart.pk, code="storage", name="存储容量", name_en="Storage",
        value_type="integer", unit="GB", choices=(), required=False, is_key=True, is_spec=True, sort=1)
    with pytest.raises(AttributeError):
        storage.code = "x"
    assert [a.code for a in interface.attributes_for(phones_cat.pk)] == ["colour", "screen_size"]
    with pytest.raises(ValidationError) as unknown:
        interface.attributes_for(999999)
    assert unknown.value.message_dict == {"category_id": ["No such category."]}


def test_validate_attribute_values_through_the_interface(smartphones):
    assert interface.validate_attribute_values(smartphones.pk, {
        "storage": "256", "screen_size": "6.1", "colour": "黑色", "network": ["5G"], "nfc": True}) == {
        "colour": "黑色", "screen_size": "6.1", "storage": 256, "network": ["5G"], "nfc": True}
    with pytest.raises(ValidationError) as missing:
        interface.validate_attribute_values(smartphones.pk, {"storage": 256})
    assert missing.value.message_dict == {"screen_size": ["Screen size is required."]}
    assert interface.validate_attribute_values(smartphones.pk, {"storage": 256}, partial=True) == {"storage": 256}


def test_attribute_code_unique_up_and_down_the_tree(operator, digital, phones):
    phones_cat, smart = phones
    base = {"name": "颜色", "name_en": "Colour", "value_type": "text"}
    for category in (digital, phones_cat, smart):  # defined on digital: taken on every path through it
        with pytest.raises(ServiceError) as dup:
            services.attribute_create(actor=operator, category_id=category.pk, code="colour", data=base)
        assert list(fields_of(dup)) == ["code"]
    with pytest.raises(ServiceError) as below:  # storage is defined below phones
        services.attribute_create(actor=operator, category_id=phones_cat.pk, code="storage", data=base)
    assert list(fields_of(below)) == ["code"]
    # A sibling business category may reuse the code.
    apparel = Category.objects.get(code="apparel")
    services.attribute_create(actor=operator, category_id=apparel.pk, code="colour", data=base)


@pytest.mark.parametrize(("data", "field"), [
    ({"value_type": "colourful"}, "value_type"),
    ({"value_type": "choice", "choices": []}, "choices"),
    ({"value_type": "choice", "choices": ["红", "红"]}, "choices"),
    ({"value_type": "text", "choices": ["红"]}, "choices"),
    ({"value_type": "text", "unit": "g"}, "unit"),
    ({"value_type": "boolean", "is_spec": True}, "is_spec"),
    ({"value_type": "text", "name": ""}, "name"),
])
def test_attribute_create_bad_input(operator, digital, data, field):
    with pytest.raises(ServiceError) as error:
        services.attribute_create(actor=operator, category_id=digital.pk, code="weight",
                                  data={"name": "重量", "name_en": "Weight", **data})
    assert list(fields_of(error)) == [field]
    assert not AttributeDefinition.objects.filter(code="weight").exists()


def test_attribute_update_keeps_code_and_values_in_use(operator, smartphones):
    network = AttributeDefinition.objects.get(code="network")
    data = {"name": "网络制式", "name_en": "Network", "value_type": "multi_choice", "choices": ["4G", "5G", "6G"],
            "is_key": True}
    updated = services.attribute_update(actor=operator, attribute_id=network.pk, data=data)
    assert (updated.name, updated.choices) == ("网络制式", ["4G", "5G", "6G"])
    with pytest.raises(Conflict) as code:
        services.attribute_update(actor=operator, attribute_id=network.pk, data={**data, "code": "net"})
    assert list(fields_of(code)) == ["code"]
    services.standard_product_create(actor=operator, category_id=smartphones.pk, brand="Apple", model="iPhone 15",
                                     attributes={"network": ["5G"]})
    with pytest.raises(Conflict) as removing:
        services.attribute_update(actor=operator, attribute_id=network.pk, data={**data, "choices": ["4G", "6G"]})
    assert fields_of(removing) == {"choices": ["The value 5G is used by standard products and cannot be removed."]}
    with pytest.raises(Conflict) as retype:
        services.attribute_update(actor=operator, attribute_id=network.pk, data={**data, "value_type": "text",
                                                                                 "choices": []})
    assert list(fields_of(retype)) == ["value_type"]
    with pytest.raises(Conflict):
        services.attribute_delete(actor=operator, attribute_id=network.pk)
    chip = AttributeDefinition.objects.get(code="chip")
    services.attribute_delete(actor=operator, attribute_id=chip.pk)
    assert not AttributeDefinition.objects.filter(code="chip").exists()
    assert AuditEntry.objects.get(action="taxonomy.attribute_deleted").before["code"] == "chip"


# --- standard products ---------------------------------------------------------------------------


def test_standard_product_create_and_find(operator, smartphones):
    product = services.standard_product_create(
        actor=operator, category_id=smartphones.pk, brand=" Apple ", model="iPhone 15  Pro", gtins=[EAN, UPC],
        attributes={"screen_size": "6.1", "storage": 256, "network": ["5G", "4G"]})
    assert (product.brand, product.model, product.key, product.status) == (
        "Apple", "iPhone 15 Pro", "apple|iphone15pro", "active")
    assert product.attributes == {"screen_size": "6.1", "storage": 256, "network": ["4G", "5G"]}
    assert product.gtin_list == ["06901234567892", "00036000291452"]
    expected = interface.StandardProductInfo(
        id=product.pk, category_id=smartphones.pk, brand="Apple", model="iPhone 15 Pro",
        gtins=("06901234567892", "00036000291452"), attributes=product.attributes, status="active",
        proposed_by_shop_id=None, merged_into_id=None)
    assert interface.standard_product_find(gtin=EAN) == expected
    assert interface.standard_product_find(gtin="0036000291452") == expected
    assert interface.standard_product_find(brand="APPLE", model="iphone-15 pro") == expected
    assert interface.standard_product_find(brand="ＡＰＰＬＥ", model="iPhone15Pro") == expected  # full-width
    assert interface.standard_product_find(gtin=EAN_2, brand="apple", model="iPhone 15 Pro") == expected
    assert interface.standard_product_find(gtin=EAN_2) is None
    assert interface.standard_product_find(brand="Apple", model="iPhone 15") is None
    with pytest.raises(ValidationError) as bad:
        interface.standard_product_find(gtin="6901234567893")
    assert list(bad.value.message_dict) == ["gtin"]
    entry = AuditEntry.objects.get(action="taxonomy.standard_product_created")
    assert entry.after["gtins"] == ["06901234567892", "00036000291452"]


def test_standard_product_bad_input_names_the_field(operator, smartphones, digital):
    good = {"actor": operator, "category_id": smartphones.pk, "brand": "Apple", "model": "iPhone 15"}
    services.standard_product_create(**good, gtins=[EAN])
    cases = [
        ({"model": "IPHONE-15"}, Conflict, "model"),
        ({"model": "iPhone 16", "gtins": ["6901234567892"]}, Conflict, "gtins[0]"),
        ({"model": "iPhone 16", "gtins": [UPC, "6901234567893"]}, ServiceError, "gtins[1]"),
        ({"model": "iPhone 16", "category_id": 999999}, ServiceError, "category_id"),
        ({"model": "iPhone 16", "attributes": {"storage": "lots"}}, ServiceError, "attributes.storage"),
        ({"model": "iPhone 16", "attributes": {"network": ["3G"]}}, ServiceError, "attributes.network"),
        ({"model": "iPhone 16", "attributes": {"ram": 8}}, ServiceError, "attributes.ram"),
        ({"model": "iPhone 16", "attributes": {"colour": "黑色"}}, ServiceError, "attributes.colour"),  # not key
        ({"model": "!!!"}, ServiceError, "model"),
        ({"model": "iPhone 16", "gtins": "6901234567892"}, ServiceError, "gtins"),
    ]
    for overrides, error_class, field in cases:
        with pytest.raises(error_class) as error:
            services.standard_product_create(**{**good, **overrides})
        assert list(error.value.fields) == [field], overrides
    assert StandardProduct.objects.count() == 1
    assert StandardProductGtin.objects.count() == 1


def test_propose_approve_reject_merge(operator, auditor, finance, smartphones, shop_a):
    existing = services.standard_product_create(actor=operator, category_id=smartphones.pk, brand="Huawei",
                                                model="Mate 60", gtins=[EAN])
    # Matching a live product by GTIN or brand+model binds to it instead of proposing.
    found, created = interface.standard_product_propose(shop_a.pk, "huawei", "MATE60", smartphones.pk, [], {})
    assert (found.id, created) == (existing.pk, False)
    found, created = interface.standard_product_propose(shop_a.pk, "Other", "Name", smartphones.pk, [EAN], {})
    assert (found.id, created) == (existing.pk, False)

    proposal, created = interface.standard_product_propose(
        shop_a.pk, "Xiaomi", "14 Ultra", smartphones.pk, [EAN_2], {"storage": "512"})
    assert created is True
    assert (proposal.status, proposal.proposed_by_shop_id, proposal.gtins, dict(proposal.attributes)) == (
        "proposed", shop_a.pk, ("04006381333931",), {"storage": 512})
    assert interface.standard_product_find(gtin=EAN_2) is None  # not active yet
    assert interface.standard_product_find(gtin=EAN_2, include_proposed=True).id == proposal.id
    with pytest.raises(ValidationError) as bad:
        interface.standard_product_propose(shop_a.pk, "Xiaomi", "15", smartphones.pk, ["123"], {})
    assert list(bad.value.message_dict) == ["gtins[0]"]

    with pytest.raises(Forbidden):
        services.standard_product_approve(actor=finance, product_id=proposal.id)
    approved = services.standard_product_approve(actor=auditor, product_id=proposal.id)
    assert (approved.status, approved.decided_by) == ("active", auditor)
    with pytest.raises(Conflict):
        services.standard_product_approve(actor=operator, product_id=proposal.id)
    assert AuditEntry.objects.get(action="taxonomy.standard_product_approved").shop_id == shop_a.pk

    second, _ = interface.standard_product_propose(shop_a.pk, "Vivo", "X100", smartphones.pk, [UPC], {})
    with pytest.raises(ServiceError) as no_reason:
        services.standard_product_reject(actor=operator, product_id=second.id, reason=" ")
    assert list(no_reason.value.fields) == ["reason"]
    rejected = services.standard_product_reject(actor=operator, product_id=second.id, reason="型号不存在")
    assert (rejected.status, rejected.decision_reason) == ("rejected", "型号不存在")
    # The rejected proposal frees its GTIN and brand+model.
    again, created = interface.standard_product_propose(shop_a.pk, "vivo", "X100", smartphones.pk, [UPC], {})
    assert created is True and again.id != second.id

    merged_into = services.standard_product_merge(actor=operator, product_id=again.id, into_id=existing.pk)
    assert merged_into.pk == existing.pk
    assert interface.standard_product_get(existing.pk).gtins == ("06901234567892", "00036000291452")
    dup = StandardProduct.objects.get(pk=again.id)
    assert (dup.status, dup.merged_into_id) == ("rejected", existing.pk)
    assert interface.standard_product_find(gtin=UPC).id == existing.pk
    with pytest.raises(ServiceError) as not_active:
        third, _ = interface.standard_product_propose(shop_a.pk, "OPPO", "Find X7", smartphones.pk, [], {})
        services.standard_product_merge(actor=operator, product_id=existing.pk, into_id=third.id)
    assert list(not_active.value.fields) == ["into_id"]
    with pytest.raises(NotFound):
        services.standard_product_approve(actor=operator, product_id=999999)


def test_standard_product_update(operator, smartphones):
    product = services.standard_product_create(actor=operator, category_id=smartphones.pk, brand="Honor",
                                               model="Magic 6", gtins=[EAN])
    other = services.standard_product_create(actor=operator, category_id=smartphones.pk, brand="Honor",
                                             model="Magic 5", gtins=[EAN_2])
    updated = services.standard_product_update(actor=operator, product_id=product.pk, brand="Honor",
                                               model="Magic 6 Pro", gtins=[UPC], attributes={"storage": 512})
    assert (updated.model, updated.gtin_list, updated.attributes) == ("Magic 6 Pro", ["00036000291452"],
                                                                      {"storage": 512})
    assert interface.standard_product_find(gtin=EAN) is None
    with pytest.raises(Conflict) as taken:
        services.standard_product_update(actor=operator, product_id=product.pk, brand="Honor", model="Magic 6 Pro",
                                         gtins=[EAN_2], attributes={})
    assert list(taken.value.fields) == ["gtins[0]"]
    with pytest.raises(Conflict):
        services.standard_product_update(actor=operator, product_id=other.pk, brand="honor", model="magic6pro",
                                         gtins=[], attributes={})
    entry = AuditEntry.objects.get(action="taxonomy.standard_product_updated")
    assert entry.before == {"model": "Magic 6", "gtins": ["06901234567892"], "attributes": {}}
