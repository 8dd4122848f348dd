"""Writes inside one shop's schema: its settings and its staff. Sensitive actions are audited."""

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.api.errors import Conflict, Forbidden, NotFound, ServiceError
from backend.lib import hosts, pii
from backend.lib.mail import send_after_commit
from backend.lib.uploads import IMAGE_TYPES, check_upload
from shared_apps.audit.services import audit_record
from tenants import interface as tenancy

from . import permissions
from .models import ShopProfile, StaffInvitation, StaffMember, StaffRole
from .selectors import profile

INVITATION_TTL = timedelta(days=7)
LOGO_MAX_BYTES = 2 * 1024 * 1024


def _require(member: StaffMember | None, section: str) -> StaffMember:
    if member is None or not permissions.can(member.role, section):
        raise Forbidden(_("Your role in this shop does not allow this."))
    return member


def _invalid(field: str, message: str) -> ServiceError:
    return ServiceError(f"{field}: {message}", code="invalid", fields={field: [message]})


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
            raise _invalid("name", _("A shop name has 2 to 60 characters."))
        current.name = name
    if "description" in data:
        description = str(data["description"] or "").strip()
        if len(description) > 2000:
            raise _invalid("description", _("At most %(n)d characters.") % {"n": 2000})
        current.description = description
    old_logo = current.logo.name
    if logo is not None:
        try:
            check_upload(logo, allowed=IMAGE_TYPES, max_bytes=LOGO_MAX_BYTES, min_side=32)
        except ValidationError as exc:
            raise _invalid("logo", exc.messages[0]) from exc
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


@transaction.atomic
def staff_invite(*, shop, member: StaffMember | None, actor, email: str, role: str, ip=None) -> StaffInvitation:
    """Invite a person by e-mail to join the shop's staff with a role; the mail carries a
    single-use link valid for seven days."""
    member = _require(member, "staff")
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise _invalid("email", _("Enter a valid e-mail address.")) from exc
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


