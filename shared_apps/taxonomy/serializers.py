"""Output shapes shared by the operator API and the public read API."""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from .models import ValueType

VALUE_TYPES = " | ".join(ValueType.values)


@extend_schema_field({"type": "object", "additionalProperties": True,
                      "example": {"screen_size": "6.1", "storage": "256", "network": ["5G"]}})
class AttributeValuesField(serializers.JSONField):
    pass


@extend_schema_serializer(component_name="TaxonomyAttribute")
class AttributeOut(serializers.Serializer):
    id = serializers.IntegerField()
    category_id = serializers.IntegerField(help_text="Where it is defined: this category or an ancestor.")
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    value_type = serializers.CharField(help_text=VALUE_TYPES)
    unit = serializers.CharField()
    choices = serializers.ListField(child=serializers.CharField())
    required = serializers.BooleanField()
    is_key = serializers.BooleanField()
    is_spec = serializers.BooleanField()
    sort = serializers.IntegerField()


@extend_schema_serializer(component_name="TaxonomyCategory")
class CategoryOut(serializers.Serializer):
    id = serializers.IntegerField()
    parent_id = serializers.IntegerField(allow_null=True)
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    level = serializers.IntegerField(help_text="1 = business category, up to 3.")
    sort = serializers.IntegerField()
    is_active = serializers.BooleanField()


@extend_schema_serializer(component_name="TaxonomyCategoryNode")
class CategoryNodeOut(CategoryOut):
    path = serializers.ListField(child=serializers.CharField(), help_text="Codes from the top level down.")
    attributes = AttributeOut(many=True, help_text="Effective attributes: inherited first, then its own.")


def node_data(node) -> dict:
    category = node.category
    return {**CategoryOut(category).data, "path": [c.code for c in node.path],
            "attributes": AttributeOut(node.attributes, many=True).data}


@extend_schema_serializer(component_name="TaxonomyStandardProduct")
class StandardProductOut(serializers.Serializer):
    id = serializers.IntegerField()
    category = CategoryOut()
    brand = serializers.CharField()
    model = serializers.CharField()
    gtins = serializers.ListField(child=serializers.CharField(), source="gtin_list",
                                  help_text="GTIN-14 forms (EAN-13 with a leading 0).")
    attributes = AttributeValuesField(help_text="Key attribute values by code.")
    status = serializers.CharField(help_text="active | proposed | rejected")
    proposed_by_shop_id = serializers.IntegerField(allow_null=True)
    merged_into_id = serializers.IntegerField(allow_null=True)
    decision_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
