"""What shop-side code may know of platform accounts: plain data, never ORM rows."""

from dataclasses import dataclass

from .models import User


@dataclass(frozen=True)
class UserBrief:
    id: int
    email: str
    display_name: str
    masked_phone: str


def _brief(user: User) -> UserBrief:
    return UserBrief(id=user.pk, email=user.email or "", display_name=user.display_name,
                     masked_phone=user.masked_phone)


def user_brief(user_id: int) -> UserBrief | None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return _brief(user) if user else None
