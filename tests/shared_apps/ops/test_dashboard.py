"""The operator console's dashboard: what waits for whom, at a glance."""

import pytest

from shared_apps.onboarding.services import bank_account_change_request
from tests.conftest import OPS, client_for
from tests.shared_apps.ops.conftest import submit_application

pytestmark = pytest.mark.django_db


def test_dashboard_counts_and_recent_audit(
    operator,
    finance,
    make_user,
    shop_a,
    shop_b,
    merchant_a,
    counted_ops_as,
    django_assert_max_num_queries,
):
    first = submit_application(make_user(), n=1)
    submit_application(make_user(), n=2)
    rejected = submit_application(make_user(), n=3)
    submit_application(make_user(), n=4, submit=False)
    client = counted_ops_as(operator)
    client.post(f"/applications/{first.pk}/claim/")
    client.post(f"/applications/{rejected.pk}/reject/", {"reason": "资料不全"})
    client.post(f"/shops/{shop_b.pk}/suspend/", {"reason": "核查"})
    bank_account_change_request(
        shop_id=shop_a.pk,
        actor=merchant_a,
        bank_name="工商银行",
        bank_branch="",
        account_name=shop_a.company_name,
        account_number="6222020000001111",
    )

    # user, application counts, shop counts, pending bank changes, recent audit; each after SET search_path
    with django_assert_max_num_queries(10):
        response = client.get("/")
    assert response.status_code == 200
    data = response.context["data"]
    assert data.applications["waiting"] == 2
    assert data.applications["under_review"] == 1
    assert data.applications["rejected"] == 1
    assert data.shops == {"active": 1, "suspended": 1, "closed": 0}
    assert data.pending_bank_accounts == 1
    assert [e.action for e in data.recent_audit][:3] == [
        "bank_account.change_requested",
        "shop.suspended",
        "application.rejected",
    ]
    html = response.content.decode()
    assert '<div class="stat" id="stat-waiting">2</div>' in html
    assert '<div class="stat" id="stat-shops-suspended">1</div>' in html
    assert "核查" in html

    finance_view = client_for(OPS, finance).get("/")
    assert finance_view.status_code == 200
    assert finance_view.context["data"].recent_audit == []
    assert "核查" not in finance_view.content.decode()
