"""What the platform side may ask of a shop's schema. Call inside that shop's schema_context."""

from .models import ShopProfile, StaffMember, StaffRole


def shop_bootstrap(*, owner_user_id: int, owner_email: str, owner_name: str, shop_name: str) -> None:
    """Fill a freshly provisioned schema: the profile and the owner's staff record."""
    ShopProfile.objects.create(name=shop_name)
    StaffMember.objects.create(user_id=owner_user_id, email=owner_email, display_name=owner_name,
                               role=StaffRole.OWNER)


def order_settings() -> dict:
    """The shop's order settings: payment_minutes, confirm_orders, auto_complete_days,
    after_sales_days."""
    from .selectors import profile

    found = profile()
    return {"payment_minutes": found.payment_minutes, "confirm_orders": found.confirm_orders,
            "auto_complete_days": found.auto_complete_days, "after_sales_days": found.after_sales_days}
