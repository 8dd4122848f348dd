"""Writes for platform accounts: registration, SMS codes, password reset, cross-host sign-in,
the address book."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.api.errors import Conflict, NotFound, RateLimited, ServiceError, field_error
from backend.lib import hosts, pii, regions
from backend.lib.validators import normalize_phone

from .models import Address, HandoffToken, SmsCode, SmsPurpose, User
from .sms import get_provider

HANDOFF_TTL = timedelta(seconds=60)


def _check_password(password: str, user: User | None = None, *, field: str = "password") -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), code="weak_password",
                           fields={field: exc.messages}) from exc


def password_set(*, user: User, password: str) -> None:
    """Give `user` a new (already validated) password and revoke their API tokens.

    Sessions made with the old password stop working by themselves (Django checks the password
    hash in the session); API tokens do not, so they are deleted here: a reset after a leak must
    shut every door the old password opened.
    """
    user.set_password(password)
    user.save(update_fields=["password"])
    api_tokens_revoke(user=user)


def api_tokens_revoke(*, user: User) -> int:
    """Delete the API tokens of `user` (after a password reset)."""
    from rest_framework.authtoken.models import Token

    return Token.objects.filter(user=user).delete()[0]


def user_find(*, identifier: str) -> User | None:
    """The account signed in with an e-mail address or a phone number, if any."""
    identifier = (identifier or "").strip()
    if "@" in identifier:
        return User.objects.filter(email__iexact=identifier).first()
    try:
        phone = normalize_phone(identifier)
    except ValidationError:
        return None
    return User.objects.filter(phone_hash=pii.lookup_hash(phone)).first()


@transaction.atomic
def user_register_email(*, email: str, password: str, display_name: str = "") -> User:
    """Create an account signed in with an e-mail address; the address is unique ignoring case."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(_("An account with this e-mail address already exists."),
                       code="email_taken", fields={"email": [_("Already registered.")]})
    user = User(email=email, display_name=display_name.strip())
    _check_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent registration won the race
        raise Conflict(_("An account with this e-mail address already exists."),
                       code="email_taken", fields={"email": [_("Already registered.")]}) from exc
    return user


def _code_hash(phone: str, purpose: str, code: str) -> str:
    return pii.lookup_hash(f"sms:{purpose}:{phone}:{code}")


@transaction.atomic
def sms_code_send(*, phone: str, purpose: str, ip: str | None = None, deliver: bool = True) -> None:
    """Send a 6-digit code. One per phone per minute, five per phone per hour, 20 per IP per hour.

    Rate limits are checked under an advisory lock on the phone, so two requests at once cannot
    both pass the interval check. Only a keyed hash of the code is stored; the message goes out
    after commit. With `deliver=False` the code is recorded (and counted against the limits) but
    never sent: the reset flow uses it for unknown numbers so that they answer exactly like known
    ones, limits included.
    """
    phone = normalize_phone(phone)
    phone_hash = pii.lookup_hash(phone)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ["sms:" + phone_hash])
    recent = SmsCode.objects.filter(phone_hash=phone_hash, created_at__gte=now - timedelta(hours=1))
    last = recent.order_by("-created_at").first()
    if last and (now - last.created_at).total_seconds() < settings.SMS_SEND_INTERVAL_SECONDS:
        wait = settings.SMS_SEND_INTERVAL_SECONDS - int((now - last.created_at).total_seconds())
        raise RateLimited(_("A code was sent a moment ago; try again in %(s)d seconds.") % {"s": wait})
    if recent.count() >= settings.SMS_SENDS_PER_HOUR:
        raise RateLimited(_("Too many codes were sent to this number; try again in an hour."))
    if ip and SmsCode.objects.filter(ip=ip, created_at__gte=now - timedelta(hours=1)).count() >= 20:
        raise RateLimited(_("Too many codes were requested from your network; try again later."))
    code = f"{secrets.randbelow(10**6):06d}"
    SmsCode.objects.create(
        phone_hash=phone_hash, purpose=purpose, code_hash=_code_hash(phone, purpose, code),
        created_at=now, expires_at=now + timedelta(seconds=settings.SMS_CODE_TTL_SECONDS), ip=ip,
    )
    if not deliver:
        return
    message = _("[Mall] Your verification code is %(code)s, valid for %(minutes)d minutes.") % {
        "code": code, "minutes": settings.SMS_CODE_TTL_SECONDS // 60,
    }
    provider = get_provider()
    transaction.on_commit(lambda: provider.send(phone=phone, message=message))


def sms_code_consume(*, phone: str, purpose: str, code: str) -> None:
    """Use up the latest code for this phone and purpose, or raise naming what is wrong.

    Wrong guesses count against the code; after SMS_CODE_MAX_ATTEMPTS it is dead. The check runs
    in its own transaction and commits before the error is raised, so callers must not wrap this
    call in a transaction of their own: a rolled-back outer block would undo the count and give
    a guesser unlimited tries.
    """
    phone = normalize_phone(phone)
    with transaction.atomic():
        latest = (
            SmsCode.objects.select_for_update()
            .filter(phone_hash=pii.lookup_hash(phone), purpose=purpose)
            .order_by("-created_at", "-id")
            .first()
        )
        now = timezone.now()
        error = None
        if latest is None:
            error = _("Request a verification code first.")
        elif latest.used_at is not None:
            error = _("This code was already used; request a new one.")
        elif latest.expires_at <= now:
            error = _("The code has expired; request a new one.")
        elif latest.attempts >= settings.SMS_CODE_MAX_ATTEMPTS:
            error = _("Too many wrong codes; request a new one.")
        elif not secrets.compare_digest(latest.code_hash, _code_hash(phone, purpose, (code or "").strip())):
            latest.attempts += 1
            latest.save(update_fields=["attempts"])
            error = _("The code is wrong.")
        else:
            latest.used_at = now
            latest.save(update_fields=["used_at"])
    if error:
        raise ServiceError(error, code="bad_code", fields={"code": [error]})


def user_register_phone(*, phone: str, code: str, password: str, display_name: str = "") -> User:
    """Create an account signed in with a phone number verified by an SMS code.

    Everything that can be checked without the code (number, uniqueness, password strength) is
    checked first, so a mistake there does not burn the code. The code check commits on its own
    (see `sms_code_consume`), which is why this function is not one transaction.
    """
    phone = normalize_phone(phone)
    phone_hash = pii.lookup_hash(phone)
    taken = Conflict(_("An account with this phone number already exists."),
                     code="phone_taken", fields={"phone": [_("Already registered.")]})
    if User.objects.filter(phone_hash=phone_hash).exists():
        raise taken
    user = User(display_name=display_name.strip())
    user.set_phone(phone)
    _check_password(password, user)
    sms_code_consume(phone=phone, purpose=SmsPurpose.REGISTER, code=code)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent registration won the race
        raise taken from exc
    return user


def password_reset_by_sms(*, phone: str, code: str, new_password: str) -> None:
    """Set a new password after an SMS code, and revoke the account's API tokens.

    An unknown number fails exactly like a wrong code (reset codes are only delivered to
    registered numbers). The password is checked before the code so a weak one does not burn it;
    the code check commits on its own, so this function is not one transaction.
    """
    phone = normalize_phone(phone)
    user = User.objects.filter(phone_hash=pii.lookup_hash(phone), is_active=True).first()
    _check_password(new_password, user, field="new_password")
    sms_code_consume(phone=phone, purpose=SmsPurpose.RESET, code=code)
    if user is None:
        message = _("The code is wrong.")
        raise ServiceError(message, code="bad_code", fields={"code": [message]})
    with transaction.atomic():
        password_set(user=user, password=new_password)


def sms_reset_code_send(*, phone: str, ip: str | None) -> None:
    """Send a reset code to a registered number; for any other number record one and send nothing.

    Both paths pass the same rate limits, so neither the answer nor a 429 tells whether the
    number has an account.
    """
    phone = normalize_phone(phone)
    registered = User.objects.filter(phone_hash=pii.lookup_hash(phone), is_active=True).exists()
    sms_code_send(phone=phone, purpose=SmsPurpose.RESET, ip=ip, deliver=registered)


def _handoff_target(target_url: str) -> tuple[str, str, str]:
    """(origin, host name, path with query) of a URL on a mall host, or ServiceError.

    The URL the person is sent to is rebuilt from the parsed host name and port, never copied
    from the input: browsers and urllib disagree about strings like
    `http://evil.example\\@shop.mall/` (urllib sees the shop, a browser goes to evil.example),
    so anything but a plain scheme, host and port is refused.
    """
    from urllib.parse import urlsplit

    refused = ServiceError(_("The destination is not a page of this mall."), code="bad_next",
                           fields={"target": [_("Not a page of this mall.")]})
    if not isinstance(target_url, str) or any(c in target_url for c in "\\\x00\r\n\t "):
        raise refused
    try:
        parts = urlsplit(target_url)
        port = parts.port
    except ValueError as exc:
        raise refused from exc
    if not hosts.is_mall_url(target_url) or parts.username is not None or "@" in parts.netloc:
        raise refused
    hostname = parts.hostname.rstrip(".").lower()
    netloc = f"{hostname}:{port}" if port else hostname
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return f"{parts.scheme}://{netloc}", hostname, path


def handoff_issue(*, user: User, target_url: str) -> str:
    """A URL on the target host that signs `user` in there once, then goes to `target_url`.

    The token is valid for HANDOFF_TTL, on the target's host name only; only its keyed hash is
    stored. Targets outside the mall's hosts are refused (no open redirect).
    """
    from urllib.parse import urlencode

    origin, hostname, path = _handoff_target(target_url)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    HandoffToken.objects.create(
        token_hash=pii.lookup_hash("handoff:" + token), user=user,
        target_host=hostname, created_at=now, expires_at=now + HANDOFF_TTL,
    )
    return f"{origin}/accounts/handoff/accept/?{urlencode({'token': token, 'next': path})}"


@transaction.atomic
def handoff_redeem(*, token: str, host: str) -> User:
    """Trade a handoff token for its user, once, on the host it was issued for.

    The token is claimed with one conditional UPDATE, so two requests racing with the same token
    cannot both win.
    """
    invalid = ServiceError(_("This sign-in link is invalid or has expired."), code="bad_token")
    if not token or not isinstance(token, str) or len(token) > 200 or "\x00" in token:
        raise invalid
    now = timezone.now()
    token_hash = pii.lookup_hash("handoff:" + token)
    claimed = HandoffToken.objects.filter(
        token_hash=token_hash, target_host=host.rstrip(".").lower(), used_at__isnull=True,
        expires_at__gt=now,
    ).update(used_at=now)
    if claimed != 1:
        raise invalid
    user = HandoffToken.objects.select_related("user").get(token_hash=token_hash).user
    if not user.is_active:
        raise invalid
    return user


def purge_expired() -> int:
    """Delete codes and handoff tokens that can no longer be used."""
    cutoff = timezone.now() - timedelta(days=1)
    deleted = SmsCode.objects.filter(expires_at__lt=cutoff).delete()[0]
    deleted += HandoffToken.objects.filter(expires_at__lt=cutoff).delete()[0]
    return deleted


# --- address book ------------------------------------------------------------------------------

MAX_ADDRESSES = 20
ADDRESS_FIELDS = ("recipient_name", "phone", "province_code", "city_code", "district_code",
                  "detail", "postal_code", "label", "is_default")
REGION_FIELDS = ("province_code", "city_code", "district_code")



def _text(data: dict, field: str, *, max_length: int, required: bool) -> str:
    value = data.get(field)
    value = value.strip() if isinstance(value, str) else ("" if value is None else None)
    if value is None:
        raise field_error(field, _("Enter text."))
    if required and not value:
        raise field_error(field, _("This field is required."))
    if len(value) > max_length:
        raise field_error(field, _("At most %(n)d characters.") % {"n": max_length})
    return value


def _address_values(data: dict, *, current: Address | None) -> dict:
    """The cleaned values of the fields present in `data` (all of them when creating); region
    codes are checked as one path together with the current ones that are not being changed."""
    unknown = sorted(set(data) - set(ADDRESS_FIELDS))
    if unknown:
        raise field_error(unknown[0], _("Unknown field."))
    creating = current is None
    values: dict = {}
    if creating or "recipient_name" in data:
        values["recipient_name"] = _text(data, "recipient_name", max_length=40, required=True)
    if creating or "phone" in data:
        try:
            phone = data.get("phone")
            values["phone"] = normalize_phone(phone if isinstance(phone, str) else "")
        except ValidationError as exc:
            raise field_error("phone", exc.messages[0]) from exc
    if creating or "detail" in data:
        values["detail"] = _text(data, "detail", max_length=200, required=True)
    if creating or "postal_code" in data:
        postal = _text(data, "postal_code", max_length=6, required=False)
        if postal and not (len(postal) == 6 and postal.isascii() and postal.isdigit()):
            raise field_error("postal_code", _("A postal code has 6 digits."))
        values["postal_code"] = postal
    if creating or "label" in data:
        values["label"] = _text(data, "label", max_length=20, required=False)
    if "is_default" in data:
        if not isinstance(data["is_default"], bool):
            raise field_error("is_default", _("Must be true or false."))
        values["is_default"] = data["is_default"]
    if creating or any(f in data for f in REGION_FIELDS):
        codes = {}
        for field in REGION_FIELDS:
            raw = data[field] if field in data else getattr(current, field, "")
            codes[field] = raw.strip() if isinstance(raw, str) else ""
        problem = regions.path_error(codes["province_code"], codes["city_code"], codes["district_code"])
        if problem:
            raise field_error(*problem)
        values.update(codes)
    return values


def _lock_book(user_id: int) -> None:
    """Serialise every write to one person's address book on their account row (the default
    flag and the limit are read-then-write rules). FOR NO KEY UPDATE: rows that merely refer to
    the account (sessions, tokens, new addresses) are not held up."""
    if not User.objects.select_for_update(no_key=True).filter(pk=user_id).exists():
        raise NotFound(_("Unknown account."))


def _address_for_update(user_id: int, address_id) -> Address:
    try:
        address_id = int(address_id)
    except (TypeError, ValueError):
        address_id = 0
    address = Address.objects.select_for_update().filter(pk=address_id, user_id=user_id).first()
    if address is None:
        # Someone else's address answers exactly like a missing one.
        raise NotFound(_("No such address."))
    return address


def _apply(address: Address, values: dict) -> list[str]:
    changed = []
    for field, value in values.items():
        if field == "phone":
            address.set_phone(value)
            changed += ["phone_encrypted", "phone_hash"]
        elif field != "is_default":
            setattr(address, field, value)
            changed.append(field)
    return changed


@transaction.atomic
def address_create(*, user: User, data: dict) -> Address:
    """Add an address to `user`'s book (at most MAX_ADDRESSES: 409 address_limit). The first
    address is the default; `is_default: true` makes the new one the default in place of the
    old one. Bad fields: 400 naming the field; region codes must form one path."""
    values = _address_values(data, current=None)
    _lock_book(user.pk)
    count = Address.objects.filter(user_id=user.pk).count()
    if count >= MAX_ADDRESSES:
        raise Conflict(_("An address book holds at most %(n)d addresses; delete one first.")
                       % {"n": MAX_ADDRESSES}, code="address_limit")
    make_default = values.get("is_default", False) or count == 0
    if make_default:
        Address.objects.filter(user_id=user.pk, is_default=True).update(is_default=False)
    address = Address(user_id=user.pk, is_default=make_default)
    _apply(address, values)
    address.save()
    return address


@transaction.atomic
def address_update(*, user: User, address_id: int, data: dict) -> Address:
    """Change fields of one of `user`'s addresses (only those given). `is_default: true` makes
    it the default; `false` on the default is refused (make another one the default instead),
    so a non-empty book always has one. Another person's address: 404."""
    _lock_book(user.pk)
    address = _address_for_update(user.pk, address_id)
    values = _address_values(data, current=address)
    if values.get("is_default") is False and address.is_default:
        raise field_error("is_default", _("Make another address the default instead."))
    changed = _apply(address, values)
    if values.get("is_default") and not address.is_default:
        Address.objects.filter(user_id=user.pk, is_default=True).update(is_default=False)
        address.is_default = True
        changed.append("is_default")
    if changed:
        address.save(update_fields=[*changed, "updated_at"])
    return address


@transaction.atomic
def address_set_default(*, user: User, address_id: int) -> Address:
    """Make one of `user`'s addresses the default (the old default stops being one). Two
    concurrent calls queue on the account row; the partial unique index is the backstop."""
    _lock_book(user.pk)
    address = _address_for_update(user.pk, address_id)
    if not address.is_default:
        Address.objects.filter(user_id=user.pk, is_default=True).update(is_default=False)
        address.is_default = True
        address.save(update_fields=["is_default", "updated_at"])
    return address


@transaction.atomic
def address_delete(*, user: User, address_id: int) -> None:
    """Delete one of `user`'s addresses. Deleting the default makes the newest remaining
    address the default. Orders keep their own copy of the address, so nothing else changes."""
    _lock_book(user.pk)
    address = _address_for_update(user.pk, address_id)
    was_default = address.is_default
    address.delete()
    if was_default:
        newest = Address.objects.filter(user_id=user.pk).order_by("-id").first()
        if newest is not None:
            newest.is_default = True
            newest.save(update_fields=["is_default", "updated_at"])
