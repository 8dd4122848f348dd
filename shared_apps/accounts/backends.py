from django.contrib.auth.backends import ModelBackend

from .services import user_find


class IdentifierBackend(ModelBackend):
    """Sign in with an e-mail address or a phone number and a password."""

    def authenticate(self, request, username=None, password=None, identifier=None, **kwargs):
        identifier = identifier or username
        if not identifier or password is None:
            return None
        user = user_find(identifier=identifier)
        if user is None:
            # Hash anyway so a missing account answers as slowly as a wrong password.
            self.user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request, credentials):
    """The identifier axes counts failures against, normalised so case games don't help."""
    value = (credentials or {}).get("username") or (credentials or {}).get("identifier")
    if value is None and request is not None:
        value = request.POST.get("identifier")
    return (value or "").strip().lower()
