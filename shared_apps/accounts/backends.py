from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from backend.lib import pii
from backend.lib.validators import normalize_phone

from .models import User
from .services import user_find

# axes keeps the counted identifier in AccessAttempt.username (255 characters).
AXES_USERNAME_MAX = 255


class IdentifierBackend(ModelBackend):
    """Sign in with an e-mail address or a phone number and a password."""

    def authenticate(self, request, username=None, password=None, identifier=None, **kwargs):
        identifier = identifier or username
        if not identifier or not isinstance(identifier, str) or password is None:
            return None
        user = user_find(identifier=identifier)
        if user is None:
            # Hash anyway so a missing account answers as slowly as a wrong password.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request, credentials):
    """The identifier axes counts failures against: one key per account, whatever the spelling.

    E-mail addresses are stripped and lower-cased. A phone number is normalised first, so that
    "+86 138 0013 8000" and "13800138000" share one counter (otherwise each spelling would get
    its own five tries), and then replaced by its keyed hash: axes stores this value in its
    tables and logs, and phone numbers are never kept in clear.
    """
    value = (credentials or {}).get("username") or (credentials or {}).get("identifier")
    if value is None and request is not None:
        value = getattr(request, "POST", {}).get("identifier")
    value = str(value or "").strip().lower()
    if value and "@" not in value:
        try:
            return "phone:" + pii.lookup_hash(normalize_phone(value))
        except ValidationError:
            pass
    return value[:AXES_USERNAME_MAX]
