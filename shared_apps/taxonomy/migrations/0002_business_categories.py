from django.db import migrations

from shared_apps.taxonomy.data import TOP_LEVEL


def seed(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    Category = apps.get_model("taxonomy", "Category")
    for sort, (code, name, name_en) in enumerate(TOP_LEVEL):
        Category.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en, "sort": sort})


class Migration(migrations.Migration):
    dependencies = [("taxonomy", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
