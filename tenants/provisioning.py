"""Making shop schemas fast.

Running every migration for each new shop takes seconds and grows with the project. Instead the
project keeps one *template schema* migrated like any shop (``migrate_schemas`` migrates it first
and then re-captures its DDL), and a new shop's schema is either

* a *ready schema* from the pool, built from that DDL in advance and renamed into place
  (``ALTER SCHEMA ... RENAME`` is a catalog update: milliseconds), or
* when the pool is empty, a replay of the captured DDL (a few hundred milliseconds at most).

Both run inside the caller's transaction, so an approval that fails leaves no schema behind.
Every ready schema carries the fingerprint of the migrations it was built from; after a
migration the stale ones are dropped and the pool is refilled in the background.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from tenants.models import ReadySchema, TemplateSnapshot

SENTINEL = "__shop_schema__"
POOL_PREFIX = "pool_"
SHOP_PREFIX = "s_"
COLUMN_OPTIONS = re.compile(r"^ALTER TABLE ONLY \S+ ALTER COLUMN \S+ SET \(.*\);$")


class ProvisioningError(RuntimeError):
    pass


def template_schema() -> str:
    return settings.SHOP_TEMPLATE_SCHEMA


def schema_name_for(subdomain: str) -> str:
    """Schema of the shop at a subdomain. Subdomains hold no underscores, so this is one-to-one."""
    return SHOP_PREFIX + subdomain.lower().replace("-", "_")


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def schema_exists(schema: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema])
        return cursor.fetchone() is not None


def _fingerprint_sql(schema: str) -> str:
    return (
        "SELECT md5(coalesce(string_agg(app || '.' || name, ',' ORDER BY app, name), '')) "
        f"FROM {quote(schema)}.django_migrations"
    )


def schema_fingerprint(schema: str) -> str | None:
    """Digest of the migrations recorded in a schema, or None if it has no migration table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = 'django_migrations'",
            [schema],
        )
        if cursor.fetchone() is None:
            return None
        cursor.execute(_fingerprint_sql(schema))
        return cursor.fetchone()[0]


def schemas_behind(schemas: list[str], fingerprint: str, batch: int = 250) -> list[str]:
    """The schemas whose recorded migrations differ from `fingerprint`, in a few queries.

    Exact: a schema is skipped only when its set of applied migrations is identical to the
    template's, so a single pending migration in a single shop is still found.
    """
    if not schemas:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname FROM pg_tables WHERE tablename = 'django_migrations' "
            "AND schemaname = ANY(%s)",
            [list(schemas)],
        )
        with_table = {row[0] for row in cursor.fetchall()}
        behind = [s for s in schemas if s not in with_table]
        present = [s for s in schemas if s in with_table]
        for start in range(0, len(present), batch):
            chunk = present[start : start + batch]
            sql = " UNION ALL ".join(
                f"SELECT %s, ({_fingerprint_sql(s)})" for s in chunk
            )
            cursor.execute(sql, chunk)
            behind.extend(name for name, digest in cursor.fetchall() if digest != fingerprint)
    return behind


# --- the template and its DDL snapshot ------------------------------------------------------

def pg_dump_binary() -> str:
    """pg_dump from the embedded PostgreSQL when installed (it is newer), else from PATH."""
    configured = os.environ.get("PG_DUMP")
    if configured:
        return configured
    spec = importlib.util.find_spec("pgserver")
    if spec and spec.origin:
        bundled = Path(spec.origin).parent / "pginstall" / "bin" / "pg_dump"
        if bundled.exists():
            return str(bundled)
    found = shutil.which("pg_dump")
    if not found:
        raise ProvisioningError("pg_dump was not found; install the PostgreSQL client or pgserver")
    return found


def _pg_dump(*args: str) -> str:
    db = settings.DATABASES["default"]
    command = [pg_dump_binary(), "--no-owner", "--no-privileges", *args]
    host = db.get("HOST") or (db.get("OPTIONS") or {}).get("host")  # a socket dir may sit in OPTIONS
    if host:
        command += ["-h", host]
    if db.get("PORT"):
        command += ["-p", str(db["PORT"])]
    if db.get("USER"):
        command += ["-U", db["USER"]]
    command += ["-d", db["NAME"]]
    environment = dict(os.environ, PGPASSWORD=db.get("PASSWORD") or "")
    result = subprocess.run(command, capture_output=True, text=True, env=environment)
    if result.returncode != 0:
        raise ProvisioningError(f"pg_dump failed: {result.stderr.strip()}")
    return result.stdout


def _clean_dump(text: str, schema: str) -> str:
    """Strip session settings and comments; put a sentinel where the schema name stood."""
    kept = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("--") or stripped.startswith("\\"):
            continue
        if stripped.startswith("SET ") or stripped.startswith("SELECT pg_catalog.set_config"):
            continue
        if COLUMN_OPTIONS.match(stripped):
            continue  # per-column storage options: Django sets none; some servers stamp their own
        kept.append(line)
    body = "\n".join(kept)
    return re.sub(rf"(?<![\w$]){re.escape(schema)}(?![\w$])", SENTINEL, body)


def capture_template_ddl() -> TemplateSnapshot:
    """Dump the template schema's DDL and migration records; store it under its fingerprint."""
    schema = template_schema()
    fingerprint = schema_fingerprint(schema)
    if fingerprint is None:
        raise ProvisioningError(f"template schema {schema} is not migrated")
    existing = TemplateSnapshot.objects.filter(fingerprint=fingerprint).first()
    if existing:
        return existing
    structure = _pg_dump("--schema-only", "--no-comments", f"--schema={schema}")
    records = _pg_dump(
        "--data-only", "--inserts", f"--table={schema}.django_migrations"
    )
    ddl = _clean_dump(structure, schema) + "\n" + _clean_dump(records, schema)
    if "CREATE SCHEMA " + SENTINEL not in ddl:
        raise ProvisioningError("pg_dump output did not contain the template schema")
    snapshot = TemplateSnapshot.objects.create(fingerprint=fingerprint, ddl=ddl)
    TemplateSnapshot.objects.exclude(pk=snapshot.pk).delete()
    return snapshot


def current_snapshot() -> TemplateSnapshot:
    """The latest captured template DDL; captured now if missing (e.g. after a table flush)."""
    snapshot = TemplateSnapshot.objects.order_by("-created_at", "-id").first()
    if snapshot is not None:
        return snapshot
    if schema_fingerprint(template_schema()) is None:
        raise ProvisioningError(
            "the shop template is not prepared: run `manage.py migrate_schemas` first"
        )
    return capture_template_ddl()


def replay_template(schema: str, snapshot: TemplateSnapshot | None = None) -> None:
    """Create `schema` from the captured template DDL, in the current transaction."""
    snapshot = snapshot or current_snapshot()
    ddl = snapshot.ddl.replace(SENTINEL, quote(schema))
    with connection.cursor() as cursor:
        cursor.execute(ddl)


# --- the pool of ready schemas --------------------------------------------------------------

@transaction.atomic
def take_schema(*, schema: str) -> str:
    """Make `schema` exist, built from the current template: a pool rename, else a replay.

    Runs in the caller's transaction; SKIP LOCKED lets concurrent approvals take different
    ready schemas instead of queueing on one.
    """
    snapshot = current_snapshot()
    ready = (
        ReadySchema.objects.select_for_update(skip_locked=True)
        .filter(fingerprint=snapshot.fingerprint)
        .order_by("id")
        .first()
    )
    if ready is not None:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER SCHEMA {quote(ready.schema_name)} RENAME TO {quote(schema)}")
        ready.delete()
        return "pool"
    replay_template(schema, snapshot)
    return "clone"


def pool_discard_stale() -> int:
    """Drop ready schemas built from an older template. Returns how many were dropped."""
    snapshot = TemplateSnapshot.objects.order_by("-created_at", "-id").first()
    stale = ReadySchema.objects.all()
    if snapshot is not None:
        stale = stale.exclude(fingerprint=snapshot.fingerprint)
    dropped = 0
    for ready in stale:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA IF EXISTS {quote(ready.schema_name)} CASCADE")
            ready.delete()
            dropped += 1
    return dropped


def pool_refill(*, size: int | None = None) -> int:
    """Build ready schemas until the pool holds `size`. Returns how many were built."""
    size = settings.SHOP_SCHEMA_POOL_SIZE if size is None else size
    with connection.cursor() as cursor:
        # One refill at a time (every approval queues one); the others have nothing to add.
        cursor.execute("SELECT pg_try_advisory_lock(hashtext('shop-schema-pool'))")
        if not cursor.fetchone()[0]:
            return 0
    try:
        pool_discard_stale()
        snapshot = current_snapshot()
        built = 0
        while ReadySchema.objects.filter(fingerprint=snapshot.fingerprint).count() < size:
            name = POOL_PREFIX + uuid.uuid4().hex[:16]
            with transaction.atomic():
                replay_template(name, snapshot)
                ReadySchema.objects.create(schema_name=name, fingerprint=snapshot.fingerprint)
            built += 1
        return built
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext('shop-schema-pool'))")


