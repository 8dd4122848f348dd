"""Payment providers by code.

ALL_PROVIDERS lists every code the mall knows; PROVIDERS the ones available here, read afresh
on each use (Alipay and WeChat Pay need keys in the settings; the sandbox can be switched off),
so `code in PROVIDERS` and `", ".join(PROVIDERS)` always tell the truth."""

from collections.abc import Sequence

from .alipay import AlipayProvider
from .base import Provider
from .offline import OfflineProvider
from .sandbox import SandboxProvider
from .wechat import WechatProvider

_PROVIDERS: dict[str, Provider] = {p.code: p for p in
                                   (SandboxProvider(), AlipayProvider(), WechatProvider(), OfflineProvider())}
ALL_PROVIDERS: list[str] = list(_PROVIDERS)


def get(code: str) -> Provider:
    try:
        return _PROVIDERS[code]
    except KeyError:
        raise LookupError(f"Unknown payment provider {code!r}.") from None


def enabled_codes() -> list[str]:
    return [code for code, provider in _PROVIDERS.items() if provider.enabled()]


class _Available(Sequence):
    def __getitem__(self, index):
        return enabled_codes()[index]

    def __len__(self) -> int:
        return len(enabled_codes())

    def __contains__(self, code) -> bool:
        return code in enabled_codes()

    def __repr__(self) -> str:
        return repr(enabled_codes())


PROVIDERS: Sequence[str] = _Available()
