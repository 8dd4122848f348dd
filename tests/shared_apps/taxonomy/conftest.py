"""Taxonomy personas and builders: more operator roles and a phone category with attributes."""

import pytest

from shared_apps.accounts.models import OperatorRole
from shared_apps.taxonomy import services
from shared_apps.taxonomy.models import Category
from tests.factories import UserFactory


@pytest.fixture
def finance(db):
    return UserFactory(email="finance@example.com", display_name="Finance", operator_role=OperatorRole.FINANCE)


@pytest.fixture
def service_agent(db):
    return UserFactory(email="service@example.com", display_name="Service", operator_role=OperatorRole.SERVICE)


@pytest.fixture
def digital(db):
    return Category.objects.get(code="digital")


@pytest.fixture
def phones(operator, digital):
    """digital › phones › smartphones, with brand-level and phone-level attributes."""
    phones = services.category_create(actor=operator, parent_id=digital.pk, code="phones", name="手机",
                                      name_en="Phones")
    smartphones = services.category_create(actor=operator, parent_id=phones.pk, code="smartphones",
                                           name="智能手机", name_en="Smartphones")
    services.attribute_create(actor=operator, category_id=digital.pk, code="colour", data={
        "name": "颜色", "name_en": "Colour", "value_type": "choice", "choices": ["黑色", "白色"],
        "is_spec": True})
    services.attribute_create(actor=operator, category_id=phones.pk, code="screen_size", data={
        "name": "屏幕尺寸", "name_en": "Screen size", "value_type": "decimal", "unit": "inch", "is_key": True,
        "required": True})
    services.attribute_create(actor=operator, category_id=smartphones.pk, code="storage", data={
        "name": "存储容量", "name_en": "Storage", "value_type": "integer", "unit": "GB", "is_key": True,
        "is_spec": True, "sort": 1})
    services.attribute_create(actor=operator, category_id=smartphones.pk, code="network", data={
        "name": "网络", "name_en": "Network", "value_type": "multi_choice", "choices": ["4G", "5G"],
        "is_key": True, "sort": 2})
    services.attribute_create(actor=operator, category_id=smartphones.pk, code="nfc", data={
        "name": "NFC", "name_en": "NFC", "value_type": "boolean", "sort": 3})
    services.attribute_create(actor=operator, category_id=smartphones.pk, code="chip", data={
        "name": "芯片", "name_en": "Chip", "value_type": "text", "sort": 4})
    phones.refresh_from_db()
    smartphones.refresh_from_db()
    return phones, smartphones


@pytest.fixture
def smartphones(phones):
    return phones[1]


# Valid GTINs (check digit verified): EAN-13, UPC-A, GTIN-8.
EAN = "6901234567892"
EAN_2 = "4006381333931"
UPC = "036000291452"
EAN8 = "96385074"

