"""The coupon APIs' part of the OpenAPI document: valid, warning-free, explicit operation ids, and
mounted in the document of every host's API (backend.urls_api)."""

from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema


def _operations(urlconf: str) -> dict:
    schema = SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
    validate_schema(schema)
    return {
        (method.upper(), path): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if "coupons" in path
    }


def test_coupon_apis_are_documented_with_explicit_operation_ids():
    GENERATOR_STATS.reset()
    operations = _operations("tests.shared_apps.marketing.schema_urls")
    assert not GENERATOR_STATS, (
        "drf-spectacular warned about the coupon APIs (run manage.py spectacular)"
    )
    assert {key: op["operationId"] for key, op in operations.items()} == {
        ("GET", "/api/v1/ops/coupons/"): "ops_coupons_list",
        ("POST", "/api/v1/ops/coupons/"): "ops_coupons_create",
        ("GET", "/api/v1/ops/coupons/{id}/"): "ops_coupon_retrieve",
        ("POST", "/api/v1/ops/coupons/{id}/deactivate/"): "ops_coupon_deactivate",
        ("GET", "/api/v1/shop/coupons/"): "shop_coupons_list",
        ("POST", "/api/v1/shop/coupons/"): "shop_coupons_create",
        ("GET", "/api/v1/shop/coupons/{coupon_id}/"): "shop_coupons_retrieve",
        ("POST", "/api/v1/shop/coupons/{coupon_id}/deactivate/"): "shop_coupons_deactivate",
    }
    assert all(op["tags"] == ["coupons"] and op["summary"] for op in operations.values())
    # shop coupons refuse API tokens, so the document does not offer them there
    assert all("shopApiToken" not in str(op.get("security")) for op in operations.values())
    assert set(operations) <= set(_operations("backend.urls_api"))
