"""How the OpenAPI document describes shop API tokens (imported by ShopConfig.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ShopTokenScheme(OpenApiAuthenticationExtension):
    target_class = "tenant_apps.shop.auth.ShopTokenAuthentication"
    name = "shopApiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "mshop_…",
            "description": (
                "A shop API token, made in the merchant console (API tokens) and valid only on "
                "that shop's host. Scopes: catalog:read, catalog:write (the catalog section), "
                "stock:read, stock:write (the inventory section: stock, locations, stocktakes, "
                "purchasing); a write scope also reads. GET needs a read scope, other methods a "
                "write scope (403 names the missing scope). Revoked, expired or unknown tokens "
                "get 401."
            ),
        }

    def get_security_requirement(self, auto_schema):
        view = auto_schema.view
        if not hasattr(view, "section_for") or not getattr(view, "token_access", True):
            return None  # this operation refuses tokens; do not offer them
        return {self.name: []}
