"""Not a benchmark: times a full grouping of generated offers when CMP_TIMING=<count> is set."""

import os
import random
import time

import pytest

from shared_apps.comparison import services
from shared_apps.comparison.models import ComparisonGroup, GroupMember
from shared_apps.offers.models import OfferText
from shared_apps.taxonomy.models import Category
from tenants.models import Shop

COUNT = int(os.environ.get("CMP_TIMING", "0"))
BRANDS = [("华为", "HUAWEI", ["Mate 60", "Mate 60 Pro", "P70", "nova 12", "Pura 70 Ultra"]),
          ("苹果", "Apple", ["iPhone 15", "iPhone 15 Pro", "iPhone 14", "iPad Air", "MacBook Air"]),
          ("小米", "Xiaomi", ["14", "14 Ultra", "Redmi K70", "Redmi Note 13", "平板6"]),
          ("三星", "Samsung", ["Galaxy S24", "Galaxy S24 Ultra", "Galaxy Z Fold5", "Galaxy A55", "Tab S9"]),
          ("荣耀", "Honor", ["Magic6", "Magic6 Pro", "X50", "90 GT", "Magic V2"])]
STORAGE = ["128GB", "256GB", "512GB", "1TB", "12+256GB", "16+512G"]
COLOURS = ["黑色", "白色", "雅川青", "曜金黑", "原色钛金属", "远峰蓝"]
WORDS = ["旗舰", "5G手机", "官方正品", "国行", "全网通", "新品", "智能手机", "学生", "拍照", "长续航"]


@pytest.mark.skipif(not COUNT, reason="set CMP_TIMING=20000 to time a full grouping")
@pytest.mark.django_db
def test_time_group_offers(merchant_a):
    rng = random.Random(5)
    categories = [Category.objects.create(code=f"cmp-t{i}", name=f"类目{i}", name_en=f"C{i}", level=1)
                  for i in range(8)]
    shops = [Shop.objects.create(schema_name=f"cmp_t{i}", subdomain=f"cmpt{i}", name=f"店{i}",
                                 company_name=f"公司{i}", owner=merchant_a) for i in range(50)]
    rows = []
    for i in range(COUNT):
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
    started = time.perf_counter()
    result = services.group_offers()
    full = time.perf_counter() - started
    if os.environ.get("CMP_PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        services.group_offers()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    started = time.perf_counter()
    again = services.group_offers()
    idle = time.perf_counter() - started
    ids = list(OfferText.objects.order_by("?").values_list("pk", flat=True)[:500])
    started = time.perf_counter()
    services.group_offers(offer_ids=ids)
    incremental = time.perf_counter() - started
    print(f"\n{COUNT} offers: full {full:.2f}s ({result}), unchanged {idle:.2f}s (moved {again.moved}), "
          f"500 changed {incremental:.2f}s; groups {ComparisonGroup.objects.count()}")
    assert GroupMember.objects.count() == COUNT and again.moved == 0
