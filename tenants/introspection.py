"""A comparable description of a schema's structure, with the schema's own name taken out.

Used to prove that a shop schema made from the template (replay or pool rename) is identical
to one made by running the migrations, and by `manage.py shop_schema_drift` to find shops whose
structure drifted from the template.
"""

from django.db import connection

QUERIES = {
    "tables": """
        SELECT table_name FROM information_schema.tables
        WHERE table_schema = %(s)s ORDER BY 1""",
    "columns": """
        SELECT table_name, column_name, ordinal_position, data_type, character_maximum_length,
               numeric_precision, numeric_scale, is_nullable, column_default, is_identity,
               identity_generation, collation_name
        FROM information_schema.columns WHERE table_schema = %(s)s ORDER BY 1, 2""",
    "indexes": """
        SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %(s)s ORDER BY 1, 2""",
    "constraints": """
        SELECT cl.relname, co.conname, co.contype, pg_get_constraintdef(co.oid), co.condeferrable,
               co.condeferred
        FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid
        JOIN pg_namespace n ON n.oid = co.connamespace
        WHERE n.nspname = %(s)s ORDER BY 1, 2""",
    "sequences": """
        SELECT sequencename, data_type, start_value, min_value, max_value, increment_by, cycle,
               cache_size
        FROM pg_sequences WHERE schemaname = %(s)s ORDER BY 1""",
}


def schema_signature(schema: str) -> dict[str, list[tuple]]:
    signature: dict[str, list[tuple]] = {}
    with connection.cursor() as cursor:
        queries = {
            **QUERIES,
            "migrations": f"SELECT app, name FROM {connection.ops.quote_name(schema)}.django_migrations ORDER BY 1, 2",
        }
        for name, sql in queries.items():
            cursor.execute(sql, {"s": schema})
            signature[name] = [
                tuple(str(v).replace(f'"{schema}".', "<schema>.").replace(f"{schema}.", "<schema>.")
                      if isinstance(v, str) else v for v in row)
                for row in cursor.fetchall()
            ]
    return signature


def signature_diff(left: dict, right: dict) -> dict[str, tuple[list, list]]:
    """Per part, the rows only in left and the rows only in right; empty when identical."""
    diff = {}
    for part in left.keys() | right.keys():
        a, b = set(left.get(part, [])), set(right.get(part, []))
        if a != b:
            diff[part] = (sorted(a - b, key=str), sorted(b - a, key=str))
    return diff
