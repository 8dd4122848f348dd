"""Search analytics (搜索分析), the reading side: what operators see over a range of days (in
the mall's time zone) — the most searched queries with their click-through, the queries that
found nothing, click-through by result position, and the daily volume.

Every page of results counts as one search; a search "was clicked" when at least one of its
results was opened, so a click-through rate (CTR) is clicked searches / searches. One SQL
statement per figure, over the `at` index of the range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.api.errors import field_error

DEFAULT_DAYS = 7
MAX_DAYS = 366
LIMIT_MAX = 200
POSITIONS_MAX = 100


@dataclass(frozen=True)
class Period:
    """Whole days, both included, in the mall's time zone."""

    since: date
    until: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.since, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))

    @property
    def end(self) -> datetime:  # excluded
        return datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))

    @property
    def days(self) -> list[date]:
        return [self.since + timedelta(days=n) for n in range((self.until - self.since).days + 1)]


def _day(value, name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise field_error(name, _("Give a date as YYYY-MM-DD.")) from None


def period(*, since=None, until=None) -> Period:
    """The days asked for: `until` defaults to today, `since` to the 7 days ending at `until`.
    An end before the start, or more than 366 days: a 400 naming the field."""
    last = _day(until, "until") or timezone.localdate()
    first = _day(since, "since") or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise field_error("until", _("The end date is before the start date."))
    if (last - first).days + 1 > MAX_DAYS:
        raise field_error("since", _("At most %(n)d days at a time.") % {"n": MAX_DAYS})
    return Period(since=first, until=last)


def _bounded(value, name: str, *, high: int, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if not 1 <= number <= high:
        raise field_error(name, _("A whole number from %(low)d to %(high)d.") % {"low": 1, "high": high})
    return number


def ratio(part: int, whole: int) -> Decimal:
    """part / whole to four places (0.1234 = 12.34 %), 0 when there is nothing to divide."""
    if not whole:
        return Decimal("0.0000")
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _rows(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _range(p: Period) -> dict:
    return {"start": p.start, "end": p.end}


CLICKED = "EXISTS (SELECT 1 FROM search_searchclick c WHERE c.search_id = l.search_id)"


@dataclass(frozen=True)
class Summary:
    searches: int
    zero_results: int
    clicked: int
    searchers: int

    @property
    def zero_rate(self) -> Decimal:
        return ratio(self.zero_results, self.searches)

    @property
    def ctr(self) -> Decimal:
        return ratio(self.clicked, self.searches)


def summary(*, period: Period) -> Summary:
    """Totals of the days: searches, those that found nothing, those clicked, distinct searchers."""
    row = _rows(f"""
        SELECT count(*), count(*) FILTER (WHERE l.zero_results), count(*) FILTER (WHERE {CLICKED}),
               count(DISTINCT l.searcher) FILTER (WHERE l.searcher <> '')
          FROM search_searchlog l WHERE l.at >= %(start)s AND l.at < %(end)s""", _range(period))[0]
    return Summary(*row)


@dataclass(frozen=True)
class QueryStat:
    query: str  # the normalised words
    searches: int
    avg_results: Decimal  # one decimal place
    zero_results: int
    clicked: int

    @property
    def ctr(self) -> Decimal:
        return ratio(self.clicked, self.searches)


def top_queries(*, period: Period, limit=None) -> list[QueryStat]:
    """The most searched queries (by their normalised words; searches without words left out),
    most searched first, with the average number of results and the click-through rate."""
    limit = _bounded(limit, "limit", high=LIMIT_MAX, default=50)
    rows = _rows(f"""
        SELECT l.normalised, count(*), round(avg(l.total), 1), count(*) FILTER (WHERE l.zero_results),
               count(*) FILTER (WHERE {CLICKED})
          FROM search_searchlog l
         WHERE l.at >= %(start)s AND l.at < %(end)s AND l.normalised <> ''
         GROUP BY l.normalised ORDER BY count(*) DESC, l.normalised LIMIT %(limit)s""",
                 {**_range(period), "limit": limit})
    return [QueryStat(query, searches, Decimal(avg), zero, clicked) for query, searches, avg, zero, clicked in rows]


@dataclass(frozen=True)
class ZeroQuery:
    query: str  # the normalised words
    searches: int
    filtered: int  # of which with filters (a filter, not the words, may have emptied them)
    last_at: datetime
    example: str  # the latest spelling a shopper typed


def zero_result_queries(*, period: Period, limit=None) -> list[ZeroQuery]:
    """Queries that found nothing, most frequent first: where a synonym or a spelling is missing."""
    limit = _bounded(limit, "limit", high=LIMIT_MAX, default=50)
    rows = _rows("""
        SELECT l.normalised, count(*), count(*) FILTER (WHERE l.filters <> '{}'::jsonb), max(l.at),
               (array_agg(l.query ORDER BY l.at DESC))[1]
          FROM search_searchlog l
         WHERE l.at >= %(start)s AND l.at < %(end)s AND l.zero_results AND l.normalised <> ''
         GROUP BY l.normalised ORDER BY count(*) DESC, l.normalised LIMIT %(limit)s""",
                 {**_range(period), "limit": limit})
    return [ZeroQuery(*row) for row in rows]


@dataclass(frozen=True)
class PositionStat:
    position: int  # 1 = the first result of the first page
    impressions: int  # searches that showed a result there
    clicks: int  # of those, the ones whose result there was opened

    @property
    def ctr(self) -> Decimal:
        return ratio(self.clicks, self.impressions)


def ctr_by_position(*, period: Period, positions=None) -> list[PositionStat]:
    """Click-through by the place of a result, for places 1 to `positions` (20 by default) that
    some search of the days showed."""
    positions = _bounded(positions, "positions", high=POSITIONS_MAX, default=20)
    rows = _rows("""
        WITH shown AS (
            SELECT p.position, count(*) AS impressions
              FROM search_searchlog l,
                   generate_series((l.page - 1) * l.per_page + 1,
                                   least((l.page - 1) * l.per_page + l.shown, %(positions)s)) AS p(position)
             WHERE l.at >= %(start)s AND l.at < %(end)s
             GROUP BY p.position),
        clicked AS (
            SELECT c.position, count(DISTINCT c.search_id) AS clicks
              FROM search_searchclick c JOIN search_searchlog l ON l.search_id = c.search_id
             WHERE l.at >= %(start)s AND l.at < %(end)s AND c.position <= %(positions)s
             GROUP BY c.position)
        SELECT s.position, s.impressions, coalesce(k.clicks, 0)
          FROM shown s LEFT JOIN clicked k ON k.position = s.position
         ORDER BY s.position""", {**_range(period), "positions": positions})
    return [PositionStat(*row) for row in rows]


@dataclass(frozen=True)
class DayStat:
    day: date
    searches: int
    zero_results: int
    clicked: int
    searchers: int

    @property
    def ctr(self) -> Decimal:
        return ratio(self.clicked, self.searches)


def daily_volume(*, period: Period) -> list[DayStat]:
    """Every day of the range (days without searches included, as zeros), oldest first."""
    rows = _rows(f"""
        SELECT (l.at AT TIME ZONE %(tz)s)::date AS day, count(*), count(*) FILTER (WHERE l.zero_results),
               count(*) FILTER (WHERE {CLICKED}), count(DISTINCT l.searcher) FILTER (WHERE l.searcher <> '')
          FROM search_searchlog l WHERE l.at >= %(start)s AND l.at < %(end)s
         GROUP BY day""", {**_range(period), "tz": settings.TIME_ZONE})
    found = {row[0]: row for row in rows}
    return [DayStat(*found[day]) if day in found else DayStat(day, 0, 0, 0, 0) for day in period.days]
