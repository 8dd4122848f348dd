"""A shop's freight templates (运费模板): what delivery costs where.

A template prices one delivery method (express, expedited or same-city) by piece or by weight:
the first N units cost `first_price`, every further step of `additional_units` (started) costs
`additional_price`. Region rules override that default for sets of region codes (GB/T 2260
province, city or district codes; the most specific match wins), excluded regions are not
delivered to, and goods worth at least `free_threshold` ship free. Pickup at an offline store is
not priced by templates (it is free); a shop without any active template offers only pickup.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.lib.money import MoneyField


class DeliveryMethod(models.TextChoices):
    """The methods a template prices. Pickup (到店自提) is a method too, but never priced here."""

    EXPRESS = "express", _("Express")
    EXPEDITED = "expedited", _("Expedited")
    SAME_CITY = "same_city", _("Same-city delivery")


PICKUP = "pickup"


class FreightBasis(models.TextChoices):
    PIECE = "piece", _("By piece")
    WEIGHT = "weight", _("By weight")


class FreightTemplate(models.Model):
    """How one delivery method is priced. Units are pieces or grams, after `basis`."""

    name = models.CharField(max_length=60)
    method = models.CharField(max_length=12, choices=DeliveryMethod.choices)
    basis = models.CharField(max_length=8, choices=FreightBasis.choices, default=FreightBasis.PIECE)
    first_units = models.PositiveIntegerField(default=1)
    first_price = MoneyField()
    additional_units = models.PositiveIntegerField(default=1)
    additional_price = MoneyField()
    # Goods amount (before discounts) from which delivery is free; None: never free.
    free_threshold = MoneyField(null=True, blank=True)
    excluded_regions = ArrayField(models.CharField(max_length=6), default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["method", "-is_active", "id"]
        constraints = [
            models.UniqueConstraint(fields=["method"], condition=Q(is_active=True),
                                    name="freight_one_active_template_per_method"),
            models.CheckConstraint(condition=Q(first_units__gte=1) & Q(additional_units__gte=1),
                                   name="freight_template_units_positive"),
            models.CheckConstraint(condition=Q(first_price__gte=0) & Q(additional_price__gte=0)
                                   & (Q(free_threshold__isnull=True) | Q(free_threshold__gte=0)),
                                   name="freight_template_amounts_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class FreightRegionRule(models.Model):
    """Prices for a set of regions, overriding the template's default there. A region code is in
    at most one rule of a template and never also excluded (the services check it)."""

    template = models.ForeignKey(FreightTemplate, on_delete=models.CASCADE, related_name="rules")
    regions = ArrayField(models.CharField(max_length=6))
    first_units = models.PositiveIntegerField(default=1)
    first_price = MoneyField()
    additional_units = models.PositiveIntegerField(default=1)
    additional_price = MoneyField()
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(first_units__gte=1) & Q(additional_units__gte=1),
                                   name="freight_rule_units_positive"),
            models.CheckConstraint(condition=Q(first_price__gte=0) & Q(additional_price__gte=0),
                                   name="freight_rule_amounts_not_negative"),
        ]
