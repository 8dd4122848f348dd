"""Who may use this shop's console, for pages and API alike, and what the console reads from the
platform side.

A person gets in only when signed in on this host *and* holding a staff record in this shop's
own schema (on a shop host the connection is already in it). A merchant of another shop, a
consumer or an operator has no record here, so whatever their session or token says, they are
refused; each console section is then opened by `permissions.can(role, section)`.

A program (a merchant's ERP) gets into the shop *API* only, with a shop API token
(`auth.ShopTokenAuthentication`): no staff record is asked for, but the token's scopes must open
the view's section for the method (`permissions.token_can`). Console pages never look at
tokens, so a token opens no page.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from . import permissions, selectors
from .models import StaffMember

NOT_STAFF = gettext_noop("You are not on the staff of this shop.")
ROLE_DENIED = gettext_noop("Your role in this shop does not open this section.")
TOKEN_NOT_HERE = gettext_noop(
    "API tokens cannot be used here; sign in to the console as a person to manage API tokens."
)
TOKEN_NO_SECTION = gettext_noop("API tokens cannot use this part of the shop API (%(section)s).")
TOKEN_MISSING_SCOPE = gettext_noop("This API token lacks the scope %(scope)s.")


def api_token_of(request):
    """The shop API token the request authenticated with, or None (a person, or anonymous)."""
    from .models import ShopApiToken

    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ShopApiToken) else None


def console_member(request) -> StaffMember | None:
    """The signed-in person's staff record in the shop whose host this is, or None."""
    if getattr(request, "tenant", None) is None or not request.user.is_authenticated:
        return None
    return selectors.staff_member_for(user_id=request.user.pk)


def console_page(section: str | None):
    """Decorate a console page. Anonymous → the sign-in page of this host, then back here;
    no staff record or a role that does not open `section` → 403. `section=None` asks only for
    a sign-in (the invitation page, for people not on the staff yet). Sets request.staff_member."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if getattr(request, "tenant", None) is None:
                raise Http404("Not a shop host.")
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            request.staff_member = None
            if section is not None:
                member = console_member(request)
                if member is None:
                    raise PermissionDenied(_(NOT_STAFF))
                if not permissions.can(member.role, section):
                    raise PermissionDenied(_(ROLE_DENIED))
                request.staff_member = member
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class IsShopStaff(BasePermission):
    """API: the caller has a staff record in this shop and their role opens the view's section
    for this method (`view.section_for(method)`). Anonymous callers fall through to DRF's
    'not authenticated' answer."""

    def has_permission(self, request, view) -> bool:
        if getattr(request, "tenant", None) is None or not request.user.is_authenticated:
            return False
        token = api_token_of(request)
        if token is not None:
            return self._token_permission(request, view, token)
        member = selectors.staff_member_for(user_id=request.user.pk)
        if member is None:
            raise exceptions.PermissionDenied(_(NOT_STAFF))
        if not permissions.can(member.role, view.section_for(request.method)):
            raise exceptions.PermissionDenied(_(ROLE_DENIED))
        request.staff_member = member
        return True

    @staticmethod
    def _token_permission(request, view, token) -> bool:
        """A token is nobody's staff record: its scopes alone decide, and views that manage
        tokens, staff or money (`token_access = False`, or sections no scope opens) refuse it."""
        request.staff_member = None
        if not getattr(view, "token_access", True):
            raise exceptions.PermissionDenied(_(TOKEN_NOT_HERE))
        section = view.section_for(request.method)
        if permissions.token_can(token.scopes, section, request.method):
            return True
        needed = permissions.scope_needed(section, request.method)
        if needed is None:
            raise exceptions.PermissionDenied(_(TOKEN_NO_SECTION) % {"section": section})
        raise exceptions.PermissionDenied(_(TOKEN_MISSING_SCOPE) % {"scope": needed})


class OnShopHost(BasePermission):
    """API views that need a signed-in person but no staff record (accepting an invitation)."""

    def has_permission(self, request, view) -> bool:
        return getattr(request, "tenant", None) is not None and request.user.is_authenticated
