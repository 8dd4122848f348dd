from .models import ShopProfile, StaffInvitation, StaffMember


def profile() -> ShopProfile:
    """The current schema's profile (made at provisioning; recreated if somehow missing)."""
    found = ShopProfile.objects.order_by("id").first()
    return found or ShopProfile.objects.create(name="")


def staff_member_for(*, user_id: int | None) -> StaffMember | None:
    if not user_id:
        return None
    return StaffMember.objects.filter(user_id=user_id).first()


def staff_list():
    return StaffMember.objects.all()


def open_invitations():
    return StaffInvitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True)
