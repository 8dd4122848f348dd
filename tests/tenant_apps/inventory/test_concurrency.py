"""Real threads, each with its own database connection, racing for the last units."""


from django_tenants.utils import schema_context

from backend.api.errors import Conflict
from tenant_apps.inventory import selectors, services
from tenant_apps.inventory.models import Reservation
from tenant_apps.inventory.services import MovementLine
from tests.conftest import run_threads

from .conftest import make_location, make_skus, on_hand


def test_fifty_reservations_of_the_last_ten_units_hold_exactly_ten(racing_shop):
    (sku,) = make_skus(racing_shop, 1, "R")
    wh = make_location(racing_shop, "WH")
    store = make_location(racing_shop, "ST")
    with schema_context(racing_shop.schema_name):
        services.movement_post(lines=[MovementLine(sku, wh, 6), MovementLine(sku, store, 4)],
                               kind="purchase_receipt", reference="PO", actor_user_id=1)

    def reserve_one(i):
        with schema_context(racing_shop.schema_name):
            try:
                services.reserve(reference=f"SUB-{i}", items=[(sku, 1)])
                return "held"
            except Conflict:
                return "short"

    outcomes = run_threads(50, reserve_one)
    assert sorted(outcomes).count("held") == 10 and outcomes.count("short") == 40
    with schema_context(racing_shop.schema_name):
        assert Reservation.objects.filter(status="held").count() == 10
        assert selectors.ledger_drift() == []
    assert on_hand(racing_shop, wh, sku) == (6, 6)
    assert on_hand(racing_shop, store, sku) == (4, 4)


def test_crossing_batches_in_opposite_orders_do_not_deadlock(racing_shop):
    skus = make_skus(racing_shop, 20, "X")
    wh = make_location(racing_shop, "WH")

    def post(i):
        lines = [MovementLine(s, wh, 1) for s in (skus if i % 2 else list(reversed(skus)))]
        with schema_context(racing_shop.schema_name):
            services.movement_post(lines=lines, kind="purchase_receipt", reference=f"PO{i}", actor_user_id=1)
        return "ok"

    assert run_threads(16, post) == ["ok"] * 16
    with schema_context(racing_shop.schema_name):
        assert selectors.ledger_drift() == []
    assert on_hand(racing_shop, wh, skus[0]) == (16, 0)
