from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import DisallowedHost
from django.dispatch import receiver

SESSION_HOST_KEY = "_host"


@receiver(user_logged_in)
def bind_session_to_host(sender, request, user, **kwargs):
    """A session belongs to the host it was made on (see HostBoundSessionMiddleware)."""
    try:
        host = request.get_host()
    except (KeyError, DisallowedHost):
        return  # a request without a host (Client.force_login) binds on its first use instead
    request.session[SESSION_HOST_KEY] = host.split(":")[0].lower()
