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


# --- address book (for checkout and orders) ----------------------------------------------------


@dataclass(frozen=True)
class AddressData:
    """A person's address as checkout copies it into an order: decrypted phone, region codes
    with their names (GB/T 2260), and the whole address as one line."""

    id: int
    user_id: int
    recipient_name: str
    phone: str
    masked_phone: str
    province_code: str
    city_code: str
    district_code: str
    province_name: str
    city_name: str
    district_name: str
    detail: str
    postal_code: str
    label: str
    is_default: bool
    full_text: str  # 广东省深圳市南山区科技园… (region names + detail)


def _address_data(address) -> AddressData:
    from backend.lib import regions

    phone = address.phone
    return AddressData(
        id=address.pk, user_id=address.user_id, recipient_name=address.recipient_name,
        phone=phone, masked_phone=address.masked_phone,
        province_code=address.province_code, city_code=address.city_code,
        district_code=address.district_code,
        province_name=regions.region_name(address.province_code),
        city_name=regions.region_name(address.city_code),
        district_name=regions.region_name(address.district_code),
        detail=address.detail, postal_code=address.postal_code, label=address.label,
        is_default=address.is_default, full_text=address.full_text,
    )


def address_get(*, user_id: int, address_id: int) -> AddressData | None:
    """One of `user_id`'s addresses; None when missing or another person's. One query."""
    from .selectors import address_of

    address = address_of(user_id=user_id, address_id=address_id)
    return _address_data(address) if address else None


def address_default(*, user_id: int) -> AddressData | None:
    """The person's default address (what checkout preselects), or None. One query."""
    from .selectors import addresses_of

    address = addresses_of(user_id=user_id).filter(is_default=True).first()
    return _address_data(address) if address else None


def addresses_list(*, user_id: int) -> list[AddressData]:
    """The person's address book, default first (what checkout offers). One query."""
    from .selectors import addresses_of

    return [_address_data(a) for a in addresses_of(user_id=user_id).order_by("-is_default", "-id")]
