"""Checking uploaded files by their content, not by the name or type the client claims."""

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
DOCUMENT_TYPES = {**IMAGE_TYPES, "application/pdf": "PDF"}
MAX_IMAGE_PIXELS = 40_000_000


def check_upload(upload, *, allowed: dict[str, str], max_bytes: int, min_side: int = 1) -> str:
    """Return the real content type of `upload`, or raise ValidationError saying what is wrong."""
    if upload is None:
        raise ValidationError(_("No file was uploaded."), code="required")
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is %(size).1f MB; the limit is %(limit).0f MB.")
            % {"size": upload.size / 1_048_576, "limit": max_bytes / 1_048_576},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime not in allowed:
        raise ValidationError(
            _("This file type is not accepted; use %(types)s.") % {"types": ", ".join(sorted(set(allowed.values())))},
            code="bad_type",
        )
    if mime.startswith("image/"):
        try:
            with Image.open(upload) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise ValidationError(_("The image has too many pixels."), code="too_large")
                if min(width, height) < min_side:
                    raise ValidationError(
                        _("The image is too small; each side needs at least %(n)d pixels.") % {"n": min_side},
                        code="too_small",
                    )
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
            raise ValidationError(_("The image is damaged or not an image."), code="bad_image") from exc
        finally:
            upload.seek(0)
    return mime
