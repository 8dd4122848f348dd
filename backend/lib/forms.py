"""Showing a service's refusal on a Django form."""

from django import forms


def attach_service_error(form: forms.Form, exc) -> None:
    """Put the error on the fields it names (ServiceError.fields or ValidationError's dict),
    else above the form with its message."""
    fields = getattr(exc, "fields", None) or getattr(exc, "message_dict", None) or {}
    attached = False
    for field, messages in fields.items():
        if field in form.fields:
            for message in messages:
                form.add_error(field, message)
            attached = True
    if not attached:
        message = getattr(exc, "message", None)
        if not isinstance(message, str):
            message = "; ".join(getattr(exc, "messages", [str(exc)]))
        form.add_error(None, message)
