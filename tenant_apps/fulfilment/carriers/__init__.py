"""Carrier adapters (快递公司接口): one class per carrier behind `base.Carrier`, found by code in
`registry`."""

from .base import registry  # noqa: F401
