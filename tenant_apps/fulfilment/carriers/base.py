"""What the mall asks of a carrier (SPEC E10), and the registry of carriers by code.

A carrier adapter may
- issue a waybill (电子面单): a tracking number for a new parcel, when the merchant has none;
- register a tracking number for pushes: the carrier then posts tracking events to the
  `callback_url` it is given (the way carrier tracking subscriptions work: one callback URL per
  subscribed number);
- verify and parse such a push: a bad signature or an unreadable body is refused with
  `WebhookRefused`, which the endpoint turns into 401 or 400.

Carriers without an integration yet (the merchant types the tracking number of a parcel handed
to SF, ZTO …) are adapters that do neither (`tracks = False`): their parcels are marked
delivered by the shop's staff.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

TRACKING_NUMBER = re.compile(r"[A-Z0-9-]{4,40}")


@dataclass(frozen=True)
class WaybillRequest:
    """What a label needs: the parcel's sub-order and where it goes."""

    sub_order_number: str
    recipient_name: str
    region: str
    address: str
    pieces: int


@dataclass(frozen=True)
class CarrierEvent:
    """One tracking event as a carrier reported it. `code` is a `models.TrackingCode` value;
    `event_id` is the carrier's own id (or one derived from the tracking number and step), the
    same on every retry of the same push."""

    event_id: str
    tracking_number: str
    code: str
    description: str
    location: str
    occurred_at: datetime


class WebhookRefused(Exception):
    """A push that is not acted on; `status_code` is what the endpoint answers."""

    status_code = 400
    code = "bad_payload"


class BadSignature(WebhookRefused):
    status_code = 401
    code = "bad_signature"


class Carrier:
    """Base adapter: a carrier the merchant types tracking numbers for, with no feed."""

    code: str = ""
    name = ""
    tracks = False  # posts tracking events to the mall
    issues_waybills = False  # can hand out a tracking number itself

    def enabled(self) -> bool:
        return True

    def normalise_tracking_number(self, value: str) -> str:
        return "".join(str(value or "").split()).upper()

    def valid_tracking_number(self, value: str) -> bool:
        return bool(TRACKING_NUMBER.fullmatch(value))

    def create_waybill(self, request: WaybillRequest) -> str:
        raise NotImplementedError(f"{self.code} issues no waybills")

    def register_tracking(self, *, tracking_number: str, callback_url: str) -> None:
        """Ask the carrier to push this number's events to `callback_url` (no feed: nothing)."""

    def parse_webhook(self, *, body: bytes, headers: Mapping[str, str]) -> list[CarrierEvent]:
        raise WebhookRefused(f"{self.code} sends no tracking pushes")


class Registry:
    def __init__(self) -> None:
        self._carriers: dict[str, Carrier] = {}

    def register(self, carrier: Carrier) -> Carrier:
        self._carriers[carrier.code] = carrier
        return carrier

    def get(self, code: str) -> Carrier | None:
        """The enabled carrier with this code, or None."""
        carrier = self._carriers.get(str(code or ""))
        return carrier if carrier is not None and carrier.enabled() else None

    def all(self) -> list[Carrier]:
        return [c for c in self._carriers.values() if c.enabled()]

    def choices(self) -> list[tuple[str, str]]:
        return [(c.code, str(c.name)) for c in self.all()]


registry = Registry()


def _register_builtin() -> None:
    from . import manual, sim

    for carrier in (sim.SimCarrier(), *manual.CARRIERS):
        registry.register(carrier)


_register_builtin()
