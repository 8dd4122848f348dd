"""Product images and videos: checked by content, size and dimensions; thumbnails made here.

Files go under shops/<schema>/public/ (see models.product_*_path), so the media view serves
them only on this shop's host.
"""

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from backend.lib.uploads import IMAGE_TYPES, check_upload

IMAGE_MAX_BYTES = 10 * 1024 * 1024
IMAGE_MIN_SIDE = 200
IMAGE_MAX_SIDE = 6000
THUMB_SIDE = 400
VIDEO_TYPES = {"video/mp4": "MP4", "video/webm": "WebM"}
VIDEO_MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class CheckedImage:
    width: int
    height: int
    thumbnail: ContentFile


def check_image(upload) -> CheckedImage:
    """Check a product image and make its thumbnail (≤ 400 px, WebP). Raises ValidationError."""
    check_upload(upload, allowed=IMAGE_TYPES, max_bytes=IMAGE_MAX_BYTES, min_side=IMAGE_MIN_SIDE)
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            width, height = image.size
            if max(width, height) > IMAGE_MAX_SIDE:
                raise ValidationError(
                    _("The image is too large; each side may have at most %(n)d pixels.") % {"n": IMAGE_MAX_SIDE},
                    code="too_large",
                )
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
            image.thumbnail((THUMB_SIDE, THUMB_SIDE))
            buffer = io.BytesIO()
            image.save(buffer, "WEBP", quality=80)
    except (OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("The image is damaged or not an image."), code="bad_image") from exc
    finally:
        upload.seek(0)
    return CheckedImage(width=width, height=height, thumbnail=ContentFile(buffer.getvalue(), name="thumb.webp"))


def check_video(upload) -> str:
    """Check a product video (MP4 or WebM by content, ≤ 50 MB); returns its content type."""
    return check_upload(upload, allowed=VIDEO_TYPES, max_bytes=VIDEO_MAX_BYTES)
