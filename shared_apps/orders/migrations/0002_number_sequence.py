from django.db import migrations


class Migration(migrations.Migration):
    """Order and payment numbers come from one platform-wide sequence (see numbers.py)."""

    dependencies = [("orders", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS public.orders_number_seq",
            "DROP SEQUENCE IF EXISTS public.orders_number_seq",
        ),
    ]
