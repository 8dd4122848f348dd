"""Shop schemas made from the template are the same as migrated ones, and fast paths are exact."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django_tenants.utils import schema_context

from tenant_apps.shop.models import StaffMember
from tenants import provisioning
from tenants.introspection import schema_signature, signature_diff
from tenants.models import ReadySchema, Shop


def shared_leaf() -> tuple[str, str]:
    """A shared app's newest migration that no other migration depends on: recorded in shop
    schemas but a no-op there, so deleting its record from one shop makes exactly one safe
    pending migration."""
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    shared_only = ("taxonomy", "collection", "comparison", "search", "settlement")
    return next(node for node in sorted(graph.leaf_nodes())
                if node[0] in shared_only and not graph.node_map[node].children)


def drop_schemas(*names):
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture
def scratch_schemas(transactional_db):
    made = []
    yield made
    connection.set_schema_to_public()
    drop_schemas(*made)
    ReadySchema.objects.all().delete()


def migrate_fresh(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{name}"')
    call_command("migrate_schemas", schema_name=name, interactive=False, verbosity=0)
    connection.set_schema_to_public()


def test_replayed_and_pooled_schemas_are_identical_to_migrated(scratch_schemas):
    scratch_schemas += ["fresh_mig", "s_replayed", "s_pooled"]
    migrate_fresh("fresh_mig")
    with transaction.atomic():
        assert provisioning.take_schema(schema="s_replayed") == "clone"
    assert provisioning.pool_refill(size=1) == 1
    scratch_schemas.append(ReadySchema.objects.get().schema_name)
    with transaction.atomic():
        assert provisioning.take_schema(schema="s_pooled") == "pool"
    assert not ReadySchema.objects.exists()

    reference = schema_signature("fresh_mig")
    assert reference["tables"], "the migrated schema has tables"
    assert ("shop_staffmember",) in reference["tables"]
    for name in ("s_replayed", "s_pooled"):
        assert signature_diff(reference, schema_signature(name)) == {}, name


def test_a_replayed_schema_starts_its_sequences_at_one(scratch_schemas, merchant_a):
    scratch_schemas.append("s_alpha")
    from tenants.services import shop_provision

    shop = shop_provision(subdomain="alpha", name="A", company_name="A Co", owner=merchant_a)
    with schema_context(shop.schema_name):
        assert StaffMember.objects.get().pk == 1


def test_failed_approval_leaves_no_schema(db, merchant_a):
    from tenants.services import shop_provision

    with pytest.raises(RuntimeError):
        with transaction.atomic():
            shop_provision(subdomain="ghost", name="G", company_name="G Co", owner=merchant_a)
            raise RuntimeError("approval failed after provisioning")
    assert not provisioning.schema_exists("s_ghost")
    assert not Shop.objects.filter(subdomain="ghost").exists()


def test_stale_ready_schemas_are_discarded(scratch_schemas):
    provisioning.pool_refill(size=1)
    stale = ReadySchema.objects.get()
    scratch_schemas.append(stale.schema_name)
    ReadySchema.objects.filter(pk=stale.pk).update(fingerprint="older-template")
    assert provisioning.pool_discard_stale() == 1
    assert not provisioning.schema_exists(stale.schema_name)


def test_schemas_behind_finds_exactly_the_schema_missing_a_migration(db, shop_a, shop_b):
    fingerprint = provisioning.schema_fingerprint(provisioning.template_schema())
    assert provisioning.schemas_behind([shop_a.schema_name, shop_b.schema_name], fingerprint) == []
    app, name = shared_leaf()
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{shop_b.schema_name}".django_migrations WHERE app = %s AND name = %s', [app, name]
        )
    assert provisioning.schemas_behind([shop_a.schema_name, shop_b.schema_name], fingerprint) == [shop_b.schema_name]
    assert provisioning.schemas_behind(["no_such_schema"], fingerprint) == ["no_such_schema"]


def test_migrate_schemas_applies_one_pending_migration_in_one_shop(scratch_schemas, merchant_a, merchant_b):
    from tenants.services import shop_provision

    scratch_schemas += ["s_alpha", "s_beta"]
    shop_provision(subdomain="alpha", name="A", company_name="A Co", owner=merchant_a)
    shop_provision(subdomain="beta", name="B", company_name="B Co", owner=merchant_b)
    app, name = shared_leaf()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM s_beta.django_migrations WHERE app = %s AND name = %s", [app, name])
        cursor.execute("SELECT max(applied) FROM s_alpha.django_migrations")
        alpha_before = cursor.fetchone()[0]
    call_command("migrate_schemas", interactive=False, verbosity=0)
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM s_beta.django_migrations WHERE app = %s AND name = %s", [app, name])
        assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT max(applied) FROM s_alpha.django_migrations")
        assert cursor.fetchone()[0] == alpha_before


def test_rolled_back_nested_schema_switch_leaves_the_right_schema(db, shop_a, shop_b, merchant_a):
    """django-tenants issue 1262: a rolled-back savepoint must not leave a stale search_path."""
    with schema_context(shop_a.schema_name):
        with pytest.raises(ZeroDivisionError):
            with transaction.atomic():
                with schema_context(shop_b.schema_name):
                    StaffMember.objects.create(user_id=999, role="clerk")
                    1 / 0
        assert connection.schema_name == shop_a.schema_name
        assert list(StaffMember.objects.values_list("user_id", flat=True)) == [merchant_a.pk]
        with connection.cursor() as cursor:
            cursor.execute("SHOW search_path")
            assert cursor.fetchone()[0].startswith(shop_a.schema_name)
    with schema_context(shop_b.schema_name):
        assert not StaffMember.objects.filter(user_id=999).exists()
