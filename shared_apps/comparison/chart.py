"""The price history chart as plain geometry for an inline SVG drawn by the template: no
JavaScript, no chart library. Pure functions, no database.

A price holds until the next point, so the line is drawn in steps (horizontal to the next point's
time, then vertical to its price), and carried on to `now`. A point without a price (nothing in
stock) breaks the line until the next priced point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from backend.lib.money import format_cny

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 84, 16, 16, 32  # room for the axis labels


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str  # the date and price, for the dot's <title>


@dataclass(frozen=True)
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    path: str = ""  # SVG path data of the step line; "" when there is no price to draw
    dots: list[Dot] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    low: Decimal | None = None
    high: Decimal | None = None
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM

    @property
    def empty(self) -> bool:
        return not self.path


def _f(value: float) -> str:
    return f"{value:.1f}"


def price_chart(points, *, now: datetime | None = None) -> Chart:
    """The chart of `points` (objects with `at` and `lowest_price`, oldest first)."""
    priced = [p for p in points if p.lowest_price is not None]
    if not priced:
        return Chart()
    now = max(now or timezone.now(), points[-1].at)
    start = points[0].at
    span = max((now - start).total_seconds(), 1.0)
    low, high = min(p.lowest_price for p in priced), max(p.lowest_price for p in priced)
    margin = (high - low) * Decimal("0.1") or max(low * Decimal("0.05"), Decimal(1))
    bottom_value, top_value = max(low - margin, Decimal(0)), high + margin
    value_span = float(top_value - bottom_value)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(at: datetime) -> float:
        return LEFT + plot_width * (at - start).total_seconds() / span

    def y_of(price: Decimal) -> float:
        return TOP + plot_height * (1 - float(price - bottom_value) / value_span)

    parts: list[str] = []
    dots: list[Dot] = []
    drawing = False
    for index, point in enumerate(points):
        x = x_of(point.at)
        if point.lowest_price is None:
            drawing = False
            continue
        y = y_of(point.lowest_price)
        parts.append(f"V{_f(y)}" if drawing else f"M{_f(x)} {_f(y)}")
        end = points[index + 1].at if index + 1 < len(points) else now
        parts.append(f"H{_f(x_of(end))}")
        drawing = True
        dots.append(Dot(x=x, y=y, label=f"{timezone.localtime(point.at):%Y-%m-%d %H:%M} {format_cny(point.lowest_price)}"))
    middle = (low + high) / 2
    y_ticks = [Tick(position=y_of(v), label=format_cny(v)) for v in dict.fromkeys((high, middle, low))]
    x_ticks = [Tick(position=x_of(at), label=f"{timezone.localtime(at):%m-%d}")
               for at in (start, start + (now - start) / 2, now)]
    return Chart(path=" ".join(parts), dots=dots, y_ticks=y_ticks, x_ticks=x_ticks, low=low, high=high)
