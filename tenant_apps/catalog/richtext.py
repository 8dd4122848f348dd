"""Product descriptions: merchant HTML reduced to an allow-list (nh3, the Ammonia sanitiser).

Kept: p, br, strong, em, ul, ol, li, h2–h4, a[href] with http(s) URLs, img[src] only from this
shop's own public media. Scripts and styles are removed with their content; event handlers,
`javascript:` and other schemes, and any other tag or attribute are dropped.
"""

import nh3
from django.conf import settings

from backend.lib.media import shop_prefix
from backend.views import media_url

TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "h4", "a", "img"}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}}
MAX_CHARS = 50_000


def shop_media_prefixes() -> tuple[str, ...]:
    """URL prefixes of this shop's public media (the media view on disk, the bucket on S3)."""
    prefix = shop_prefix()
    urls = {settings.MEDIA_URL + prefix, media_url(prefix)}
    return tuple(url for url in urls if url)


def _attribute_filter(prefixes: tuple[str, ...]):
    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "a" and attribute == "href":
            return value if value.lower().startswith(("http://", "https://")) else None
        if tag == "img" and attribute == "src":
            if ".." in value or "\\" in value or not value.startswith(prefixes):
                return None
            return value
        if tag == "img" and attribute in {"width", "height"}:
            return value if value.isdigit() and len(value) <= 4 else None
        return value

    return keep


def sanitise_description(html: str) -> str:
    """The allowed part of `html`; never raises on malformed markup."""
    if not html:
        return ""
    cleaned = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https"},
        clean_content_tags={"script", "style"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_attribute_filter(shop_media_prefixes()),
        strip_comments=True,
    )
    # An <img> that lost its src is an empty box: drop it.
    return cleaned.replace("<img>", "").strip()
