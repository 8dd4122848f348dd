"""Property: any sequence of movements, reservations, releases and commits keeps every balance
equal to the ledger (and reserved equal to held reservations) and never negative."""

import pytest
from django.db import transaction
from django_tenants.utils import schema_context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.api.errors import ServiceError
from tenant_apps.inventory import selectors, services
from tenant_apps.inventory.models import StockBalance
from tenant_apps.inventory.services import MovementLine

pytestmark = pytest.mark.django_db

KINDS = ["purchase_receipt", "sale", "sale_return", "purchase_return", "adjustment", "stocktake_variance"]
step = st.one_of(
    st.tuples(st.just("move"), st.sampled_from(KINDS), st.integers(0, 1), st.integers(0, 1), st.integers(-5, 5)),
    st.tuples(st.just("reserve"), st.integers(0, 4), st.integers(0, 1), st.integers(1, 4)),
    st.tuples(st.just("release"), st.integers(0, 4)),
    st.tuples(st.just("commit"), st.integers(0, 4)),
    st.tuples(st.just("transfer"), st.integers(0, 1), st.integers(1, 3)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, max_size=25))
def test_balances_always_equal_the_ledger(shop_a, stock_a, steps):
    skus, locs = [stock_a["sku1"], stock_a["sku2"]], [stock_a["wh"], stock_a["st"]]
    with schema_context(shop_a.schema_name):
        sid = transaction.savepoint()  # each example starts from an empty ledger
        try:
            for s in steps:
                try:
                    if s[0] == "move":
                        _, kind, sku, loc, qty = s
                        services.movement_post(lines=[MovementLine(skus[sku], locs[loc], qty)], kind=kind,
                                               reference="P", actor_user_id=1)
                    elif s[0] == "reserve":
                        services.reserve(reference=f"R{s[1]}", items=[(skus[s[2]], s[3])])
                    elif s[0] == "release":
                        services.release(reference=f"R{s[1]}")
                    elif s[0] == "commit":
                        services.commit(reference=f"R{s[1]}")
                    else:
                        services.transfer(from_location_id=locs[0], to_location_id=locs[1],
                                          items=[(skus[s[1]], s[2])], actor_user_id=1)
                except ServiceError:
                    pass  # a refusal must leave nothing behind; the invariant below proves it
                assert selectors.ledger_drift() == []
                assert not StockBalance.objects.filter(on_hand__lt=0).exists()
                assert not StockBalance.objects.filter(reserved__lt=0).exists()
        finally:
            transaction.savepoint_rollback(sid)
