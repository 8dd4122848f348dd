"""The shop API's part of the OpenAPI document: valid and without generator warnings."""

from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema


def test_shop_api_schema_is_valid_and_warning_free():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(urlconf="tests.tenant_apps.shop.schema_urls").get_schema(
        request=None, public=True
    )
    validate_schema(schema)
    assert not GENERATOR_STATS, (
        "drf-spectacular warned about the shop API (run manage.py spectacular)"
    )
    operations = {  # the shell's own operations; catalog and inventory test theirs
        (method.upper(), path): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if operation["tags"] == ["shop"]
    }
    assert sorted(operations) == [
        ("DELETE", "/api/v1/shop/invitations/{invitation_id}/"),
        ("DELETE", "/api/v1/shop/staff/{member_id}/"),
        ("GET", "/api/v1/shop/bank-account/"),
        ("GET", "/api/v1/shop/invitations/"),
        ("GET", "/api/v1/shop/me/"),
        ("GET", "/api/v1/shop/order-settings/"),
        ("GET", "/api/v1/shop/profile/"),
        ("GET", "/api/v1/shop/staff/"),
        ("PATCH", "/api/v1/shop/order-settings/"),
        ("PATCH", "/api/v1/shop/profile/"),
        ("PATCH", "/api/v1/shop/staff/{member_id}/"),
        ("POST", "/api/v1/shop/bank-account/change/"),
        ("POST", "/api/v1/shop/invitations/"),
        ("POST", "/api/v1/shop/invitations/accept/"),
    ]
    assert all(op["tags"] == ["shop"] and op["summary"] for op in operations.values())
    assert set(schema["paths"]["/api/v1/shop/profile/"]["patch"]["requestBody"]["content"]) == {
        "multipart/form-data",
        "application/json",
    }
