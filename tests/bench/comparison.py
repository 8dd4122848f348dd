"""Comparison grouping benchmark: a full grouping of generated offers, a pass with nothing
changed, and a pass over 500 changed offers.

    python tests/bench/comparison.py [--offers 20000] [--database mall_bench_comparison]

Offers of five brands' phones, tablets and laptops in 8 categories and 50 shops, titles mixing
Chinese and Latin brand names, storage sizes, colours and filler words; 30 % bound to a standard
product, 30 % more with brand and model, the rest left to title similarity. Prints one JSON line:
{"offers", "full_seconds", "unchanged_seconds", "changed_500_seconds", "groups", "moved_when_unchanged"}.
"""

import argparse
import json
import random
import time

from common import use_bench_database

BRANDS = [("华为", "HUAWEI", ["Mate 60", "Mate 60 Pro", "P70", "nova 12", "Pura 70 Ultra"]),
          ("苹果", "Apple", ["iPhone 15", "iPhone 15 Pro", "iPhone 14", "iPad Air", "MacBook Air"]),
          ("小米", "Xiaomi", ["14", "14 Ultra", "Redmi K70", "Redmi Note 13", "平板6"]),
          ("三星", "Samsung", ["Galaxy S24", "Galaxy S24 Ultra", "Galaxy Z Fold5", "Galaxy A55", "Tab S9"]),
          ("荣耀", "Honor", ["Magic6", "Magic6 Pro", "X50", "90 GT", "Magic V2"])]
STORAGE = ["128GB", "256GB", "512GB", "1TB", "12+256GB", "16+512G"]
COLOURS = ["黑色", "白色", "雅川青", "曜金黑", "原色钛金属", "远峰蓝"]
WORDS = ["旗舰", "5G手机", "官方正品", "国行", "全网通", "新品", "智能手机", "学生", "拍照", "长续航"]


def build(count: int, owner) -> None:
    from django.db import connection

    from shared_apps.offers.models import OfferText
    from shared_apps.taxonomy.models import Category
    from tenants.models import Shop

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE comparison_groupmember, comparison_groupalias, comparison_comparisongroup, "
                       "offers_offerprice, offers_offertext RESTART IDENTITY CASCADE")
    Shop.objects.filter(schema_name__startswith="cmp_t").delete()
    Category.objects.filter(code__startswith="cmp-t").delete()
    rng = random.Random(5)
    categories = [Category.objects.create(code=f"cmp-t{i}", name=f"类目{i}", name_en=f"C{i}", level=1)
                  for i in range(8)]
    shops = [Shop.objects.create(schema_name=f"cmp_t{i}", subdomain=f"cmpt{i}", name=f"店{i}",
                                 company_name=f"公司{i}", owner=owner) for i in range(50)]
    rows = []
    for i in range(count):
        cn, en, models = rng.choice(BRANDS)
        model = rng.choice(models)
        brand = rng.choice([cn, en])
        storage = rng.choice(STORAGE)
        title = " ".join([brand, model, storage, *rng.sample(WORDS, 2), rng.choice(COLOURS)])
        rule = rng.random()
        category = categories[BRANDS.index((cn, en, models)) + (i % 3)]
        rows.append(OfferText(
            shop=rng.choice(shops), product_id=i, sku_id=i, title=title, category_id=category.pk,
            standard_product_id=(BRANDS.index((cn, en, models)) * 10 + models.index(model)) if rule < 0.3 else None,
            brand=brand if rule < 0.6 else "", model=model if rule < 0.6 else "",
            spec={"颜色": rng.choice(COLOURS)}))
    OfferText.objects.bulk_create(rows, batch_size=5000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=20_000)
    parser.add_argument("--database", default="mall_bench_comparison")
    args = parser.parse_args()
    use_bench_database(args.database)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from shared_apps.comparison import services
    from shared_apps.comparison.models import ComparisonGroup, GroupMember
    from shared_apps.offers.models import OfferText

    call_command("migrate_schemas", "--shared", interactive=False, verbosity=0)
    owner, _ = get_user_model().objects.get_or_create(email="bench-comparison@example.com")
    build(args.offers, owner)
    started = time.perf_counter()
    services.group_offers()
    full = time.perf_counter() - started
    started = time.perf_counter()
    again = services.group_offers()
    unchanged = time.perf_counter() - started
    ids = list(OfferText.objects.order_by("?").values_list("pk", flat=True)[:500])
    started = time.perf_counter()
    services.group_offers(offer_ids=ids)
    changed = time.perf_counter() - started
    if GroupMember.objects.count() != args.offers:
        raise SystemExit("not every offer is in a group")
    print(json.dumps({"offers": args.offers, "full_seconds": round(full, 2), "unchanged_seconds": round(unchanged, 2),
                      "changed_500_seconds": round(changed, 2), "groups": ComparisonGroup.objects.count(),
                      "moved_when_unchanged": again.moved}))


if __name__ == "__main__":
    main()
