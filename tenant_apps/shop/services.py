"""Writes inside one shop's schema: its settings, its staff and its API tokens. Sensitive
actions are audited."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.api.errors import Conflict, Forbidden, NotFound, ServiceError, field_error
from backend.lib import hosts, pii
from backend.lib.mail import send_after_commit
from backend.lib.uploads import IMAGE_TYPES, check_upload
from shared_apps.audit.services import audit_record
from tenants import interface as tenancy

from . import permissions
from .models import (
    ApiTokenScope,
    ShopApiToken,
    ShopProfile,
    StaffInvitation,
    StaffMember,
    StaffRole,
)
from .selectors import API_TOKEN_PREFIX, api_token_hash, profile

INVITATION_TTL = timedelta(days=7)
LOGO_MAX_BYTES = 2 * 1024 * 1024
API_TOKEN_NAME_MAX = 60
MAX_ACTIVE_API_TOKENS = 20
API_TOKEN_MAX_LIFETIME = timedelta(days=3660)  # about ten years
# last_used_at is written at most this often per token, not on every request.
API_TOKEN_USE_RESOLUTION = timedelta(minutes=1)


def _require(member: StaffMember | None, section: str) -> StaffMember:
    if member is None or not permissions.can(member.role, section):
        raise Forbidden(_("Your role in this shop does not allow this."))
    return member



@transaction.atomic
def profile_update(*, shop, member: StaffMember | None, actor, data: dict, logo=None,
                   remove_logo: bool = False, ip=None) -> ShopProfile:
    """Change the shop's name, description or logo. The name is mirrored to the mall's record."""
    _require(member, "settings")
    current = ShopProfile.objects.select_for_update().get(pk=profile().pk)
    before = {"name": current.name, "description": current.description, "logo": current.logo.name}
    if "name" in data:
        name = str(data["name"] or "").strip()
        if not 2 <= len(name) <= 60:
            raise field_error("name", _("A shop name has 2 to 60 characters."))
        current.name = name
    if "description" in data:
        description = str(data["description"] or "").strip()
        if len(description) > 2000:
            raise field_error("description", _("At most %(n)d characters.") % {"n": 2000})
        current.description = description
    old_logo = current.logo.name
    if logo is not None:
        try:
            check_upload(logo, allowed=IMAGE_TYPES, max_bytes=LOGO_MAX_BYTES, min_side=32)
        except ValidationError as exc:
            raise field_error("logo", exc.messages[0]) from exc
        current.logo.save(logo.name or "logo", logo, save=False)
    elif remove_logo:
        current.logo = ""
    current.save()
    after = {"name": current.name, "description": current.description, "logo": current.logo.name}
    if after != before:
        changed = [k for k in after if after[k] != before[k]]
        audit_record(actor=actor, action="shop.settings_changed", target_type="shop_profile",
                     target_id=current.pk, shop_id=shop.pk, before={k: before[k] for k in changed},
                     after={k: after[k] for k in changed}, ip=ip)
    if current.name != before["name"]:
        tenancy.shop_rename(shop_id=shop.pk, name=current.name)
    if old_logo and old_logo != current.logo.name:
        storage = current.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    return current


# (field, lowest, highest) of the order settings a shop chooses; after-sales is never shorter
# than the statutory no-reason return period.
ORDER_SETTING_RANGES = (("payment_minutes", 5, 1440), ("auto_complete_days", 1, 30), ("after_sales_days", 7, 90))


@transaction.atomic
def order_settings_update(*, shop, member: StaffMember | None, actor, data: dict, ip=None) -> ShopProfile:
    """Change the shop's order settings: minutes to pay (5–1440), whether paid orders wait for
    the shop's confirmation, days after delivery an order completes by itself (1–30) and days
    the buyer may ask for after-sales (7–90; the shop is settled only after they passed). New
    orders take them; placed orders keep theirs."""
    _require(member, "settings")
    current = ShopProfile.objects.select_for_update().get(pk=profile().pk)
    before = {name: getattr(current, name) for name, _low, _high in ORDER_SETTING_RANGES}
    before["confirm_orders"] = current.confirm_orders
    for name, low, high in ORDER_SETTING_RANGES:
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise field_error(name, _("A whole number from %(low)d to %(high)d.") % {"low": low, "high": high})
        setattr(current, name, value)
    if "confirm_orders" in data:
        if not isinstance(data["confirm_orders"], bool):
            raise field_error("confirm_orders", _("true or false."))
        current.confirm_orders = data["confirm_orders"]
    current.save()
    after = {name: getattr(current, name) for name in before}
    changed = [k for k in after if after[k] != before[k]]
    if changed:
        audit_record(actor=actor, action="shop.order_settings_changed", target_type="shop_profile",
                     target_id=current.pk, shop_id=shop.pk, before={k: before[k] for k in changed},
                     after={k: after[k] for k in changed}, ip=ip)
    return current


@transaction.atomic
def staff_invite(*, shop, member: StaffMember | None, actor, email: str, role: str, ip=None) -> StaffInvitation:
    """Invite a person by e-mail to join the shop's staff with a role; the mail carries a
    single-use link valid for seven days."""
    member = _require(member, "staff")
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise field_error("email", _("Enter a valid e-mail address.")) from exc
    if role not in permissions.grantable_roles(member.role):
        raise Forbidden(_("You cannot grant this role."), fields={"role": [_("You cannot grant this role.")]})
    if StaffMember.objects.filter(email__iexact=email).exists():
        raise Conflict(_("This person is already on the staff."), code="already_staff")
    if StaffInvitation.objects.filter(email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True,
                                      expires_at__gt=timezone.now()).exists():
        raise Conflict(_("An invitation to this address is already open."), code="already_invited")
    token = secrets.token_urlsafe(32)
    invitation = StaffInvitation.objects.create(
        email=email, role=role, token_hash=pii.lookup_hash(f"invite:{connection.schema_name}:{token}"),
        invited_by_user_id=actor.pk, expires_at=timezone.now() + INVITATION_TTL,
    )
    audit_record(actor=actor, action="staff.invited", target_type="staff_invitation", target_id=invitation.pk,
                 shop_id=shop.pk, after={"email": email, "role": role}, ip=ip)
    send_after_commit(
        to=email, template="shop/mail/invitation.txt",
        context={"shop_name": profile().name, "role": StaffRole(role).label,
                 "url": hosts.shop_url(shop.subdomain, f"/console/invitations/accept/?token={token}")},
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, shop, member: StaffMember | None, actor, invitation_id: int, ip=None) -> None:
    _require(member, "staff")
    invitation = StaffInvitation.objects.select_for_update().filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound(_("No such invitation."))
    if not invitation.is_open:
        raise Conflict(_("This invitation is no longer open."), code="not_open")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="staff.invitation_revoked", target_type="staff_invitation",
                 target_id=invitation.pk, shop_id=shop.pk, before={"email": invitation.email}, ip=ip)


@transaction.atomic
def invitation_accept(*, shop, user, token: str, ip=None) -> StaffMember:
    """The invited person, signed in with the invited e-mail address, joins the staff."""
    token_hash = pii.lookup_hash(f"invite:{connection.schema_name}:{token or ''}")
    invitation = StaffInvitation.objects.select_for_update().filter(token_hash=token_hash).first()
    if invitation is None or not invitation.is_open or invitation.expires_at <= timezone.now():
        raise ServiceError(_("This invitation is invalid or has expired."), code="bad_token")
    if (user.email or "").lower() != invitation.email.lower():
        raise Forbidden(_("This invitation was sent to another e-mail address; sign in with that one."))
    if StaffMember.objects.filter(user_id=user.pk).exists():
        raise Conflict(_("You are already on the staff of this shop."), code="already_staff")
    member = StaffMember.objects.create(user_id=user.pk, email=invitation.email,
                                        display_name=user.display_name, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    tenancy.membership_set(shop_id=shop.pk, user_id=user.pk, role=member.role)
    audit_record(actor=user, action="staff.joined", target_type="staff_member", target_id=member.pk,
                 shop_id=shop.pk, after={"role": member.role}, ip=ip)
    return member


def _target(member_id: int) -> StaffMember:
    target = StaffMember.objects.select_for_update().filter(pk=member_id).first()
    if target is None:
        raise NotFound(_("No such staff member."))
    return target


@transaction.atomic
def staff_change_role(*, shop, member: StaffMember | None, actor, member_id: int, role: str, ip=None) -> StaffMember:
    member = _require(member, "staff")
    target = _target(member_id)
    grantable = permissions.grantable_roles(member.role)
    if target.role == StaffRole.OWNER or target.role not in grantable or role not in grantable:
        raise Forbidden(_("You cannot give this person this role."))
    before = target.role
    target.role = role
    target.save(update_fields=["role"])
    tenancy.membership_set(shop_id=shop.pk, user_id=target.user_id, role=role)
    audit_record(actor=actor, action="staff.role_changed", target_type="staff_member", target_id=target.pk,
                 shop_id=shop.pk, before={"role": before}, after={"role": role}, ip=ip)
    return target


@transaction.atomic
def staff_remove(*, shop, member: StaffMember | None, actor, member_id: int, ip=None) -> None:
    member = _require(member, "staff")
    target = _target(member_id)
    if target.role == StaffRole.OWNER or target.role not in permissions.grantable_roles(member.role):
        raise Forbidden(_("You cannot remove this person."))
    target.delete()
    tenancy.membership_remove(shop_id=shop.pk, user_id=target.user_id)
    audit_record(actor=actor, action="staff.removed", target_type="staff_member", target_id=member_id,
                 shop_id=shop.pk, before={"user_id": target.user_id, "role": target.role}, ip=ip)
    _revoke_tokens_of(shop=shop, actor=actor, user_id=target.user_id, ip=ip)


# --- API tokens --------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedApiToken:
    """A new token and its secret. The secret exists only here: show it once, store it nowhere."""

    token: ShopApiToken
    secret: str


def _clean_scopes(scopes) -> list[str]:
    if isinstance(scopes, str) or not isinstance(scopes, list | tuple | set | frozenset):
        raise field_error("scopes", _("Choose at least one scope."))
    chosen = {str(scope) for scope in scopes}
    unknown = sorted(chosen - set(ApiTokenScope.values))
    if unknown:
        raise field_error(
            "scopes",
            _("Unknown scope “%(scope)s”; choose from %(known)s.")
            % {"scope": unknown[0], "known": ", ".join(ApiTokenScope.values)},
        )
    if not chosen:
        raise field_error("scopes", _("Choose at least one scope."))
    return [value for value in ApiTokenScope.values if value in chosen]  # in the table's order


@transaction.atomic
def api_token_create(*, shop, member: StaffMember | None, actor, name: str, scopes,
                     expires_at: datetime | None = None, ip=None) -> IssuedApiToken:
    """Make an API token for the shop's ERP or another program. Only who manages the staff (owner,
    manager) may, and only with scopes whose sections their own role opens. The secret is
    returned once and only its keyed hash is stored; the token acts for `actor`, limited to
    its scopes, until it expires or is revoked. At most 20 tokens are active at a time. Audited."""
    member = _require(member, permissions.TOKENS_SECTION)
    name = str(name or "").strip()
    if not name:
        raise field_error("name", _("Give the token a name, e.g. the program that will use it."))
    if len(name) > API_TOKEN_NAME_MAX:
        raise field_error("name", _("At most %(n)d characters.") % {"n": API_TOKEN_NAME_MAX})
    scopes = _clean_scopes(scopes)
    for scope in scopes:
        if not permissions.can(member.role, permissions.TOKEN_SCOPES[scope][0]):
            raise Forbidden(_("Your role cannot grant the scope %(scope)s.") % {"scope": scope},
                            fields={"scopes": [_("Your role cannot grant this scope.")]})
    now = timezone.now()
    if expires_at is not None:
        if timezone.is_naive(expires_at):
            expires_at = timezone.make_aware(expires_at)
        if expires_at <= now:
            raise field_error("expires_at", _("The expiry must be in the future."))
        if expires_at > now + API_TOKEN_MAX_LIFETIME:
            raise field_error("expires_at", _("The expiry must be within ten years."))
    active = ShopApiToken.objects.filter(revoked_at__isnull=True).exclude(expires_at__lte=now)
    if active.count() >= MAX_ACTIVE_API_TOKENS:
        raise Conflict(
            _("This shop already has %(n)d active API tokens; revoke one first.")
            % {"n": MAX_ACTIVE_API_TOKENS},
            code="too_many_tokens",
        )
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ShopApiToken.objects.create(
        name=name, prefix=secret[: len(API_TOKEN_PREFIX) + 8], secret_hash=api_token_hash(secret),
        scopes=scopes, created_by_user_id=actor.pk, expires_at=expires_at,
    )
    audit_record(actor=actor, action="shop.api_token_created", target_type="shop_api_token",
                 target_id=token.pk, shop_id=shop.pk,
                 after={"name": name, "prefix": token.prefix, "scopes": scopes,
                        "expires_at": expires_at.isoformat() if expires_at else None}, ip=ip)
    return IssuedApiToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, shop, member: StaffMember | None, actor, token_id: int, ip=None) -> ShopApiToken:
    """Revoke a token at once: its next request is refused. A revoked token stays listed (so
    the merchant can see what was revoked and when) and cannot be brought back. Audited."""
    _require(member, permissions.TOKENS_SECTION)
    token = ShopApiToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None:
        raise NotFound(_("No such API token."))
    if token.revoked_at is not None:
        raise Conflict(_("This API token is already revoked."), code="already_revoked")
    token.revoked_at = timezone.now()
    token.revoked_by_user_id = actor.pk
    token.save(update_fields=["revoked_at", "revoked_by_user_id"])
    audit_record(actor=actor, action="shop.api_token_revoked", target_type="shop_api_token",
                 target_id=token.pk, shop_id=shop.pk,
                 before={"name": token.name, "prefix": token.prefix, "scopes": token.scopes}, ip=ip)
    return token


def _revoke_tokens_of(*, shop, actor, user_id: int, ip=None) -> None:
    """A person leaving the staff takes the tokens they made with them."""
    for token in ShopApiToken.objects.select_for_update().filter(
        created_by_user_id=user_id, revoked_at__isnull=True
    ):
        token.revoked_at = timezone.now()
        token.revoked_by_user_id = actor.pk
        token.save(update_fields=["revoked_at", "revoked_by_user_id"])
        audit_record(actor=actor, action="shop.api_token_revoked", target_type="shop_api_token",
                     target_id=token.pk, shop_id=shop.pk, reason="creator left the staff",
                     before={"name": token.name, "prefix": token.prefix, "scopes": token.scopes}, ip=ip)


def api_token_mark_used(*, token: ShopApiToken, now: datetime | None = None) -> None:
    """Note that the token was used, at most once a minute: a busy ERP would otherwise write
    this row on every request. One conditional UPDATE, so concurrent requests do not queue on
    a row lock for it."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < API_TOKEN_USE_RESOLUTION:
        return
    ShopApiToken.objects.filter(pk=token.pk).filter(
        models.Q(last_used_at__isnull=True) | models.Q(last_used_at__lt=now - API_TOKEN_USE_RESOLUTION)
    ).update(last_used_at=now)
    token.last_used_at = now


