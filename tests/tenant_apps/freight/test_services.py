"""Freight template services: the checks on every field, one active template per method, rules
replaced as a whole, names for codes, and an audit row for each change."""

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from backend.api.errors import ServiceError
from shared_apps.audit.models import AuditEntry
from tenant_apps.freight import selectors, services
from tenant_apps.freight.models import FreightRegionRule, FreightTemplate

from .conftest import EXPRESS, make_template

pytestmark = pytest.mark.django_db


def test_create_with_rules_names_and_audit(shop_a, merchant_a):
    with schema_context(shop_a.schema_name):
        template = services.template_create(data={**EXPRESS, "free_threshold": "99", "excluded_regions": "新疆维吾尔自治区, 540000",
                                                  "rules": [{"regions": ["广东省", "深圳市"], "first_price": "6", "additional_price": "1.5"}]},
                                            actor=merchant_a, shop_id=shop_a.pk)
        template = selectors.template(template.pk)
        assert (template.first_price, template.free_threshold, template.excluded_regions) == (
            Decimal("10.00"), Decimal("99.00"), ["650000", "540000"])
        rule = template.rules.get()
        assert (rule.regions, rule.first_units, rule.first_price, rule.additional_price) == (
            ["440000", "440300"], 1, Decimal("6.00"), Decimal("1.50"))
    entry = AuditEntry.objects.get(action="freight.template_create")
    assert entry.shop_id == shop_a.pk and entry.actor_id == merchant_a.pk and entry.after["first_price"] == "10.00"


def test_update_replaces_rules_only_when_given_and_audits_what_changed(shop_a, merchant_a):
    template = make_template(shop_a, rules=[{"regions": ["440000"], "first_price": "6", "additional_price": "1"}])
    with schema_context(shop_a.schema_name):
        services.template_update(template_id=template.pk, data={"first_price": "11.5"}, actor=merchant_a, shop_id=shop_a.pk)
        assert FreightRegionRule.objects.count() == 1
        services.template_update(template_id=template.pk, actor=merchant_a, shop_id=shop_a.pk, data={"rules": [
            {"regions": ["110000"], "first_price": "7", "additional_price": "2"},
            {"regions": ["310000"], "first_units": 2, "first_price": "8", "additional_price": "2"}]})
        assert list(FreightRegionRule.objects.order_by("sort").values_list("regions", "first_units")) == [
            (["110000"], 1), (["310000"], 2)]
        assert FreightTemplate.objects.get().first_price == Decimal("11.50")
    update = AuditEntry.objects.filter(action="freight.template_update").order_by("id").first()
    assert (update.before, update.after) == ({"first_price": "10.00"}, {"first_price": "11.50"})


def test_one_active_template_per_method(shop_a):
    first = make_template(shop_a)
    with pytest.raises(ServiceError) as exc:
        make_template(shop_a, name="Second")
    assert (exc.value.status_code, exc.value.code, list(exc.value.fields)) == (409, "active_template_exists", ["is_active"])
    second = make_template(shop_a, name="Second", is_active=False)
    make_template(shop_a, name="Fast", method="expedited")  # another method is fine
    with schema_context(shop_a.schema_name):
        with pytest.raises(ServiceError):
            services.template_update(template_id=second.pk, data={"is_active": True})
        services.template_update(template_id=first.pk, data={"is_active": False})
        services.template_update(template_id=second.pk, data={"is_active": True})
        assert list(FreightTemplate.objects.filter(is_active=True).values_list("name", flat=True).order_by("name")) == [
            "Fast", "Second"]


def test_the_active_index_is_the_backstop_when_two_requests_race(shop_a, monkeypatch):
    make_template(shop_a)
    # Pretend the existence check ran before the other request committed.
    monkeypatch.setattr(FreightTemplate.objects, "filter", lambda *a, **k: FreightTemplate.objects.none())
    with pytest.raises(ServiceError) as exc:
        make_template(shop_a, name="Racer")
    monkeypatch.undo()
    assert exc.value.status_code == 409
    with schema_context(shop_a.schema_name):
        assert FreightTemplate.objects.count() == 1


@pytest.mark.parametrize(("changes", "field"), [
    ({"name": ""}, "name"),
    ({"name": "x" * 61}, "name"),
    ({"method": "pickup"}, "method"),
    ({"method": "teleport"}, "method"),
    ({"basis": "volume"}, "basis"),
    ({"first_units": 0}, "first_units"),
    ({"first_units": 1.5}, "first_units"),
    ({"first_units": "2.5"}, "first_units"),
    ({"first_units": True}, "first_units"),
    ({"additional_units": 10**9}, "additional_units"),
    ({"first_price": "-1"}, "first_price"),
    ({"first_price": "1.234"}, "first_price"),
    ({"first_price": "abc"}, "first_price"),
    ({"first_price": 1.5}, "first_price"),
    ({"first_price": "Infinity"}, "first_price"),
    ({"additional_price": None}, "additional_price"),
    ({"free_threshold": "-5"}, "free_threshold"),
    ({"is_active": "yes"}, "is_active"),
    ({"excluded_regions": ["999999"]}, "excluded_regions"),
    ({"excluded_regions": 440000}, "excluded_regions"),
    ({"excluded_regions": ["朝阳区"]}, "excluded_regions"),  # two places have that name
    ({"rules": "everywhere"}, "rules"),
    ({"rules": [["440000"]]}, "rules[0]"),
    ({"rules": [{"regions": [], "first_price": "1", "additional_price": "1"}]}, "rules[0].regions"),
    ({"rules": [{"regions": ["440000"], "first_price": "1"}]}, "rules[0].additional_price"),
    ({"rules": [{"regions": ["440000"], "first_price": "1", "additional_price": "1"},
                {"regions": ["110000", "440000"], "first_price": "1", "additional_price": "1"}]}, "rules[1].regions"),
    ({"excluded_regions": ["440000"], "rules": [{"regions": ["440000"], "first_price": "1", "additional_price": "1"}]},
     "rules[0].regions"),
    ({"colour": "red"}, "colour"),
])
def test_bad_input_names_the_field_and_writes_nothing(shop_a, changes, field):
    with pytest.raises(ServiceError) as exc:
        make_template(shop_a, **changes)
    assert exc.value.status_code == 400 and field in exc.value.fields, exc.value.fields
    with schema_context(shop_a.schema_name):
        assert not FreightTemplate.objects.exists() and not FreightRegionRule.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="freight.").exists()


def test_an_ambiguous_name_lists_the_codes(shop_a):
    with pytest.raises(ServiceError) as exc:
        make_template(shop_a, excluded_regions=["朝阳区"])
    assert "110105 北京市朝阳区" in exc.value.message and "220104 吉林省长春市朝阳区" in exc.value.message


def test_excluding_a_code_a_kept_rule_prices_is_refused_on_update(shop_a):
    template = make_template(shop_a, rules=[{"regions": ["440000"], "first_price": "6", "additional_price": "1"}])
    with pytest.raises(ServiceError) as exc, schema_context(shop_a.schema_name):
        services.template_update(template_id=template.pk, data={"excluded_regions": ["440000"]})
    assert "excluded_regions" in exc.value.fields


def test_delete_and_unknown_ids(shop_a, merchant_a):
    template = make_template(shop_a, rules=[{"regions": ["440000"], "first_price": "6", "additional_price": "1"}])
    with schema_context(shop_a.schema_name):
        services.template_delete(template_id=template.pk, actor=merchant_a, shop_id=shop_a.pk)
        assert not FreightTemplate.objects.exists() and not FreightRegionRule.objects.exists()
        for bad in (template.pk, 0, "x", 10**20):
            with pytest.raises(ServiceError) as exc:
                services.template_delete(template_id=bad)
            assert exc.value.status_code == 404
            with pytest.raises(ServiceError):
                services.template_update(template_id=bad, data={"name": "x"})
    assert AuditEntry.objects.get(action="freight.template_delete").before["rules"][0]["regions"] == ["440000"]
