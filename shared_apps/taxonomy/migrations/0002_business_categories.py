from django.db import migrations

TOP_LEVEL = [
    ("digital", "手机数码", "Phones & digital"),
    ("computers", "电脑办公", "Computers & office"),
    ("appliances", "家用电器", "Home appliances"),
    ("apparel", "服饰鞋包", "Clothing, shoes & bags"),
    ("beauty", "美妆个护", "Beauty & personal care"),
    ("food", "食品生鲜", "Food & fresh"),
    ("baby", "母婴玩具", "Baby & toys"),
    ("home", "家居家装", "Home & furnishing"),
    ("sports", "运动户外", "Sports & outdoors"),
    ("books", "图书文娱", "Books & media"),
    ("auto", "汽车用品", "Car accessories"),
    ("health", "医药保健", "Health"),
]


def seed(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    Category = apps.get_model("taxonomy", "Category")
    for sort, (code, name, name_en) in enumerate(TOP_LEVEL):
        Category.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en, "sort": sort})


class Migration(migrations.Migration):
    dependencies = [("taxonomy", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
