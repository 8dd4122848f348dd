"""Where a shop's files live in storage: shops/<schema>/public/… (served on the shop's host and
the mall) or shops/<schema>/private/… (only through permission-checked views). The schema in
the path is what keeps one shop's files off another shop's host."""

import uuid

from django.db import connection


def shop_prefix(*, public: bool = True, schema: str | None = None) -> str:
    """The storage prefix of the current (or given) shop's public or private files."""
    return f"shops/{schema or connection.schema_name}/{'public' if public else 'private'}/"


def shop_file_name(kind: str, filename: str, *, public: bool = True, default_ext: str = "bin") -> str:
    """A fresh storage name for an upload of `kind` (logo, products, imports …) in this shop."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else default_ext
    return f"{shop_prefix(public=public)}{kind}/{uuid.uuid4().hex}.{ext}"
