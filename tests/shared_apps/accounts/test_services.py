"""Account services that the endpoints do not fully show: housekeeping, the shop-side interface,
and rules enforced outside this app (phone spelling, what axes stores)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from shared_apps.accounts import interface, services, tasks
from shared_apps.accounts.models import HandoffToken, SmsCode, SmsPurpose, User
from tests.conftest import MALL, client_for

from .helpers import PHONE, post_json

pytestmark = pytest.mark.django_db


def test_purge_expired_deletes_only_long_dead_codes_and_tokens(shopper):
    services.sms_code_send(phone=PHONE, purpose=SmsPurpose.REGISTER)
    fresh_url = services.handoff_issue(user=shopper, target_url=f"http://{MALL}/")
    services.handoff_issue(user=shopper, target_url=f"http://{MALL}/accounts/")
    old = timezone.now() - timedelta(days=2)
    SmsCode.objects.update(expires_at=old)
    HandoffToken.objects.filter(pk=HandoffToken.objects.order_by("pk").last().pk).update(expires_at=old)
    assert tasks.purge_expired() == 2
    assert not SmsCode.objects.exists()
    assert HandoffToken.objects.count() == 1
    assert "token=" in fresh_url


def test_user_brief_shows_the_phone_masked(make_user):
    user = make_user.build(email=None, display_name="阿花")
    user.set_phone(PHONE)
    user.save()
    brief = interface.user_brief(user.pk)
    assert brief == interface.UserBrief(id=user.pk, email="", display_name="阿花", masked_phone="138****8000")
    user.is_active = False
    user.save()
    assert interface.user_brief(user.pk) is None
    assert interface.user_brief(987654) is None


def test_register_email_race_on_the_unique_constraint_is_a_conflict(monkeypatch):
    services.user_register_email(email="race@example.com", password="Correct-Horse-42")
    # Pretend the existence check missed the row a concurrent request just wrote.
    monkeypatch.setattr(User.objects, "filter", lambda *a, **k: User.objects.none())
    with pytest.raises(services.Conflict):
        services.user_register_email(email="RACE@example.com", password="Correct-Horse-42")
    monkeypatch.undo()
    assert User.objects.filter(email__iexact="race@example.com").count() == 1


def test_full_width_digits_are_not_a_second_phone_number():
    from backend.lib.validators import normalize_phone

    assert normalize_phone("13８００１３８０００") == PHONE


def test_page_login_failure_does_not_log_the_phone_in_clear():
    client_for(MALL).post("/accounts/login/", {"identifier": "+86 138 0013 8000", "password": "x"})
    attempt = AccessAttempt.objects.get()
    assert "0013" not in attempt.post_data and "8000" not in attempt.post_data


def test_api_login_failure_does_not_log_the_phone_in_clear():
    post_json(client_for(MALL), "/api/v1/auth/login/", {"identifier": "+86 138 0013 8000", "password": "x"})
    attempt = AccessAttempt.objects.get()
    assert "0013" not in attempt.username + attempt.post_data + attempt.get_data
