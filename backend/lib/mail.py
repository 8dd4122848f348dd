"""Mail goes out from a Celery task after the transaction that caused it commits."""

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def send_after_commit(*, to: str | list[str], template: str, context: dict, language: str = "zh-hans") -> None:
    """Render `template` (.txt; first line is the subject) and send it once the transaction commits."""
    from backend.tasks import send_email

    recipients = [to] if isinstance(to, str) else list(to)
    recipients = [r for r in recipients if r]
    if not recipients:
        return
    with translation.override(language):
        text = render_to_string(template, context).strip()
    subject, _, body = text.partition("\n")
    transaction.on_commit(
        lambda: send_email.delay(to=recipients, subject=subject.strip(), body=body.strip())
    )
