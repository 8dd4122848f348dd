from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from .signals import SESSION_HOST_KEY


class HostBoundSessionMiddleware:
    """Ignores a session cookie replayed on another host than the one that made it.

    Cookies are host-only already; this guards against a cookie copied by hand or by a proxy.
    The replayed session is not flushed (that would sign the owner out on the right host); the
    request just proceeds anonymously with a fresh, empty session.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.session_store = import_module(settings.SESSION_ENGINE).SessionStore

    def __call__(self, request):
        if request.user.is_authenticated:
            host = request.get_host().split(":")[0].lower()
            bound = request.session.get(SESSION_HOST_KEY)
            if bound is None:
                request.session[SESSION_HOST_KEY] = host
            elif bound != host:
                request.session = self.session_store()
                request.user = AnonymousUser()
        return self.get_response(request)
