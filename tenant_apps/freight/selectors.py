"""Reads of a shop's freight templates, in the shop's schema."""

from django.db.models import Prefetch, QuerySet

from .models import FreightRegionRule, FreightTemplate
from .pricing import EXCLUDED, Plan, Rate


def templates() -> QuerySet[FreightTemplate]:
    """Every template with its rules (two queries however many), by method, active first."""
    return FreightTemplate.objects.prefetch_related(
        Prefetch("rules", queryset=FreightRegionRule.objects.order_by("sort", "id"))
    )


def template(template_id) -> FreightTemplate | None:
    try:
        pk = int(template_id)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**31:
        return None
    return templates().filter(pk=pk).first()


def active_templates() -> list[FreightTemplate]:
    return list(templates().filter(is_active=True))


def plan(template: FreightTemplate) -> Plan:
    """A template (its rules prefetched) as the pricing arithmetic reads it."""
    by_code: dict[str, Rate | None] = {code: EXCLUDED for code in template.excluded_regions}
    for rule in template.rules.all():
        rate = Rate(rule.first_units, rule.first_price, rule.additional_units, rule.additional_price)
        for code in rule.regions:
            by_code[code] = rate
    default = Rate(template.first_units, template.first_price, template.additional_units,
                   template.additional_price)
    return Plan(method=template.method, basis=template.basis, default=default, by_code=by_code,
                free_threshold=template.free_threshold)
