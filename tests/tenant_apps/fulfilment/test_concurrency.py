"""Two staff shipping the same lines at the same moment, in real threads with their own
database connections: one parcel leaves, the other is refused with 409, and the sub-order is
shipped once."""


import pytest
from django_tenants.utils import schema_context

from backend.api.errors import Conflict
from shared_apps.orders.models import SubOrder
from tenant_apps.fulfilment import services
from tenant_apps.fulfilment.models import Shipment, ShipmentLine
from tests.conftest import run_threads

from .conftest import make_sub_order


@pytest.mark.parametrize("whole", [True, False], ids=["whole-order", "same-line"])
def test_two_staff_shipping_the_same_lines_at_once(racing_shop, shopper, whole):
    sub = make_sub_order(racing_shop, shopper)
    first_line = sub.lines.order_by("id").first()

    def ship(i):
        lines = None if whole else [services.ShipLine(first_line.pk, 2)]
        with schema_context(racing_shop.schema_name):
            try:
                services.shipment_create(
                    shop=racing_shop,
                    number=sub.number,
                    carrier="sf",
                    tracking_number=f"SF-RACE-{i}",
                    lines=lines,
                    actor_user_id=i + 1,
                )
            except Conflict as exc:
                return exc.code
            return "shipped"

    outcomes = run_threads(2, ship)
    assert sorted(outcomes) == sorted(["shipped", "nothing_to_ship" if whole else "over_shipped"])
    with schema_context(racing_shop.schema_name):
        assert Shipment.objects.count() == 1
        assert sum(ShipmentLine.objects.values_list("quantity", flat=True)) == (3 if whole else 2)
    sub = SubOrder.objects.get(pk=sub.pk)
    assert sub.status == "shipped"
    assert list(sub.status_changes.values_list("to_status", flat=True)) == ["shipped"]


def test_many_staff_each_shipping_one_unit_never_ship_more_than_was_ordered(racing_shop, shopper):
    sub = make_sub_order(racing_shop, shopper, lines=(("R-1", 5, "1.00"),))
    line = sub.lines.get()

    def ship(i):
        with schema_context(racing_shop.schema_name):
            try:
                services.shipment_create(
                    shop=racing_shop,
                    number=sub.number,
                    carrier="sf",
                    tracking_number=f"SF-MANY-{i}",
                    lines=[services.ShipLine(line.pk, 1)],
                    actor_user_id=1,
                )
            except Conflict:
                return "refused"
            return "shipped"

    outcomes = run_threads(8, ship)
    assert outcomes.count("shipped") == 5 and outcomes.count("refused") == 3
    with schema_context(racing_shop.schema_name):
        assert sum(ShipmentLine.objects.values_list("quantity", flat=True)) == 5
