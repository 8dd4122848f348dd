"""Shop API tokens on the wire: `Authorization: Bearer mshop_…` for a merchant's ERP.

A token lives in its shop's schema, so it exists only on that shop's host: on the mall host, the
operator host or another shop's host there is no such token and the request is refused with 401
before anything else is looked at. A valid token authenticates as a *token principal*: the
account of the person who made it (so records such as stock movements and audit entries keep a
real `actor_user_id`), labelled with the token (the audit log shows which token acted), carrying
the token in `request.auth`. What it may do is decided by `access.IsShopStaff` from the token's
scopes, never by the person's staff role. Only shop API views (those with a section) take
tokens; anything else on the host refuses them.

Models are imported inside functions: DRF imports this module while it is itself being imported
(DEFAULT_AUTHENTICATION_CLASSES), possibly before the app registry is ready.
"""

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

KEYWORD = b"bearer"
REALM = 'Bearer realm="shop-api"'


def _bearer(request) -> list[bytes] | None:
    """The parts of an `Authorization: Bearer …` header, or None when there is none."""
    parts = get_authorization_header(request).split()
    if not parts or parts[0].lower() != KEYWORD:
        return None
    return parts


def _refuse_save(*args, **kwargs):
    raise RuntimeError("A shop API token principal is not an account to save.")


def token_principal(user, token):
    """`user` (freshly loaded for this request) dressed as the token acting for them: its name
    in records says which token acted, and it cannot be saved back over the person's account."""
    user.display_name = f"API token {token.prefix}… ({token.name})"[:120]
    user.api_token = token
    user.save = _refuse_save
    user.delete = _refuse_save
    return user


class ShopTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer mshop_…`, valid only on the host of the shop that made the token.

    Unknown, revoked or expired tokens, tokens on another host and tokens on views that do not
    take them are all refused with 401 and a message that says which. A Bearer value that is
    not a shop token is left to other authenticators.
    """

    def authenticate(self, request):
        parts = _bearer(request)
        if parts is None:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Malformed Authorization header; send “Bearer mshop_…”.")
            )
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid API token.")) from None
        from .selectors import API_TOKEN_PREFIX

        if not secret.startswith(API_TOKEN_PREFIX):
            return None
        return self._authenticate_token(request, secret)

    def _authenticate_token(self, request, secret: str):
        from django.db import connection
        from django_tenants.utils import get_public_schema_name

        from . import selectors, services

        if getattr(request, "tenant", None) is None or connection.schema_name == get_public_schema_name():
            raise exceptions.AuthenticationFailed(
                _("Shop API tokens work only on the host of the shop that made them.")
            )
        view = (getattr(request, "parser_context", None) or {}).get("view")
        if not hasattr(view, "section_for"):
            raise exceptions.AuthenticationFailed(
                _("API tokens work only on the shop API (/api/v1/shop/…).")
            )
        token = selectors.api_token_for_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid API token: this shop has no such token."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This API token has been revoked."))
        now = timezone.now()
        if token.is_expired(now):
            raise exceptions.AuthenticationFailed(
                _("This API token expired at %(at)s.")
                % {"at": timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")}
            )
        user = get_user_model()._default_manager.filter(pk=token.created_by_user_id, is_active=True).first()
        if user is None:
            raise exceptions.AuthenticationFailed(
                _("The account that made this API token is deactivated; make a new token.")
            )
        services.api_token_mark_used(token=token, now=now)
        return token_principal(user, token), token

    def authenticate_header(self, request):
        # Only a caller that sent a Bearer token is told to send one again (401); a browser
        # without a session keeps the answer it always had.
        return REALM if _bearer(request) is not None else None
