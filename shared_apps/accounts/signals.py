from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

SESSION_HOST_KEY = "_host"


@receiver(user_logged_in)
def bind_session_to_host(sender, request, user, **kwargs):
    """A session belongs to the host it was made on (see HostBoundSessionMiddleware)."""
    try:
        request.session[SESSION_HOST_KEY] = request.get_host().split(":")[0].lower()
    except Exception:  # noqa: BLE001 - a request without a host (test helpers) binds on first use
        pass
