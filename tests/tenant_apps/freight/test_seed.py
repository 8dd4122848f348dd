"""`seed_demo` gives each demo shop one express template, once."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django_tenants.utils import schema_context

from tenant_apps.freight import interface
from tenant_apps.freight.models import FreightTemplate
from tenants.models import Shop

from .conftest import items

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_demo_shops_an_express_template(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    shops = Shop.objects.filter(subdomain__in=["tea", "gadgets", "books"])
    assert shops.count() == 3
    for shop in shops:
        with schema_context(shop.schema_name):
            assert list(FreightTemplate.objects.values_list("method", "is_active")) == [("express", True)]
            assert interface.quote(method="express", region_code="440305", items=items((1, 1500, "20"))).amount == Decimal("12.00")
            assert interface.quote(method="express", region_code="650102", items=items((1, 500, "20"))).amount == Decimal("20.00")
    from shared_apps.settlement.models import CommissionRule

    rule = CommissionRule.objects.get()  # the demo's platform default commission, made once
    assert (rule.rate, rule.category_id, rule.shop_id) == (Decimal("0.0500"), None, None)
