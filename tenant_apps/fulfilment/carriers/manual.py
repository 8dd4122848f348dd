"""Carriers the merchant hands parcels to and types the tracking number of, with no integration
yet: no waybills, no tracking pushes; the shop's staff record the delivery."""

from django.utils.translation import gettext_lazy as _

from .base import Carrier


class ManualCarrier(Carrier):
    def __init__(self, code: str, name) -> None:
        self.code = code
        self.name = name


CARRIERS = (
    ManualCarrier("sf", _("SF Express")),
    ManualCarrier("zto", _("ZTO Express")),
    ManualCarrier("yto", _("YTO Express")),
    ManualCarrier("sto", _("STO Express")),
    ManualCarrier("yunda", _("Yunda Express")),
    ManualCarrier("ems", _("China Post EMS")),
    ManualCarrier("jd", _("JD Logistics")),
    ManualCarrier("other", _("Other carrier")),
)
