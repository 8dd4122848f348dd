"""Who may use this shop's console, for pages and API alike, and what the console reads from the
platform side.

A person gets in only when signed in on this host *and* holding a staff record in this shop's
own schema (on a shop host the connection is already in it). A merchant of another shop, a
consumer or an operator has no record here, so whatever their session or token says, they are
refused; each console section is then opened by `permissions.can(role, section)`.
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
        member = selectors.staff_member_for(user_id=request.user.pk)
        if member is None:
            raise exceptions.PermissionDenied(_(NOT_STAFF))
        if not permissions.can(member.role, view.section_for(request.method)):
            raise exceptions.PermissionDenied(_(ROLE_DENIED))
        request.staff_member = member
        return True


class OnShopHost(BasePermission):
    """API views that need a signed-in person but no staff record (accepting an invitation)."""

    def has_permission(self, request, view) -> bool:
        return getattr(request, "tenant", None) is not None and request.user.is_authenticated
