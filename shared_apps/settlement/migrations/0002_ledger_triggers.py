from django.db import migrations

# The database keeps the ledger's two promises even against code that skips the services:
#
# 1. Every entry balances. Its lines are inserted one by one, so the check must wait for the
#    last of them: deferred constraint triggers run at commit (or at SET CONSTRAINTS ... IMMEDIATE)
#    and refuse a transaction in which an entry's lines do not add up to zero, or an entry has
#    no lines at all. A check of each inserted line's entry also catches lines added to an old
#    entry that would unbalance it.
# 2. Journal rows are append-only: UPDATE and DELETE are refused (TRUNCATE, which the test
#    runner's flush uses, is not a row operation and still works). Corrections are new entries.
BALANCE = """
CREATE FUNCTION settlement_entry_balances() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    entry bigint := (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;  -- the column naming the entry
    total numeric;
    line_count integer;
BEGIN
    SELECT coalesce(sum(amount), 0), count(*) INTO total, line_count
      FROM settlement_journalline WHERE entry_id = entry;
    IF line_count = 0 THEN
        RAISE EXCEPTION 'journal entry % has no lines', entry
            USING ERRCODE = 'check_violation', CONSTRAINT = 'settlement_entry_has_lines';
    END IF;
    IF total <> 0 THEN
        RAISE EXCEPTION 'journal entry % does not balance: its lines add up to %', entry, total
            USING ERRCODE = 'check_violation', CONSTRAINT = 'settlement_entry_balanced';
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER settlement_line_entry_balances
    AFTER INSERT ON settlement_journalline DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION settlement_entry_balances('entry_id');

CREATE CONSTRAINT TRIGGER settlement_entry_has_lines
    AFTER INSERT ON settlement_journalentry DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION settlement_entry_balances('id');
"""

APPEND_ONLY = """
CREATE FUNCTION settlement_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused (post a correcting entry instead)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER settlement_journalline_append_only
    BEFORE UPDATE OR DELETE ON settlement_journalline
    FOR EACH ROW EXECUTE FUNCTION settlement_append_only();

CREATE TRIGGER settlement_journalentry_append_only
    BEFORE UPDATE OR DELETE ON settlement_journalentry
    FOR EACH ROW EXECUTE FUNCTION settlement_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("settlement", "0001_initial")]

    operations = [
        migrations.RunSQL(BALANCE, """
            DROP TRIGGER settlement_entry_has_lines ON settlement_journalentry;
            DROP TRIGGER settlement_line_entry_balances ON settlement_journalline;
            DROP FUNCTION settlement_entry_balances();
        """),
        migrations.RunSQL(APPEND_ONLY, """
            DROP TRIGGER settlement_journalentry_append_only ON settlement_journalentry;
            DROP TRIGGER settlement_journalline_append_only ON settlement_journalline;
            DROP FUNCTION settlement_append_only();
        """),
    ]
