"""Search benchmark: 1,000 shops and 1,000,000 offers of realistic mixed-language titles (skewed
brands and categories), then a query mix at concurrency 8 and prefix suggestions.

    python tests/bench/search.py [--shops 1000] [--offers 1000000] [--queries 600] [--concurrency 8]
                                 [--database mall_bench_search] [--keep]

The offers are written straight into the offer index and the search documents with COPY and
set-based SQL (the words of a title are the shared tokenizer's words of its parts, tokenized once
per distinct part, as the live index would store them); the vocabulary and the suggestion
prefixes are built from the same words. Not timed.

Timed: `search()` calls from `--concurrency` threads, each on its own connection: one third common
words (tens of thousands of hits, 手机), one third medium (华为 mate), one third rare (a model
number), each with a filter, a sort or neither; prefix suggestions; and the same words through a
naive `title ILIKE '%…%'` query for the ratio. The query mix runs twice: first with the
popular-query cache emptied (`cold_*`: every broad query's exact total and sampled facets computed),
then shuffled again as a mall serving these queries all day sees them (`search_p95_ms` …: broad
queries' totals and facets from the cache, pages always read fresh). Prints one JSON line:
{"shops", "offers", "search_p95_ms", "common_p95_ms", "suggest_p95_ms", "ilike_p95_ms", "speedup",
"cold_search_p95_ms", …}.
"""

import argparse
import io
import json
import random
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from common import ms, percentile, use_bench_database

BRANDS = [("华为", "HUAWEI"), ("小米", "Xiaomi"), ("苹果", "Apple"), ("荣耀", "Honor"), ("OPPO", "OPPO"),
          ("vivo", "vivo"), ("三星", "Samsung"), ("联想", "Lenovo"), ("戴尔", "Dell"), ("华硕", "ASUS"),
          ("索尼", "Sony"), ("美的", "Midea"), ("格力", "Gree"), ("海尔", "Haier"), ("耐克", "Nike"),
          ("安踏", "ANTA"), ("李宁", "LiNing"), ("优衣库", "Uniqlo"), ("欧莱雅", "LOREAL"), ("伊利", "Yili")]
BRANDS += [(f"品牌{i}", f"Brand{i}") for i in range(180)]  # the long tail
KINDS = [("手机", ["Mate", "Pro", "Note", "Ultra", "K"]), ("笔记本电脑", ["Book", "Air", "X", "Pad"]),
         ("蓝牙耳机", ["Buds", "Pods", "FreeBuds"]), ("智能手表", ["Watch", "Band", "GT"]),
         ("空调", ["风尊", "云佳", "KFR"]), ("冰箱", ["BCD", "双门", "十字"]), ("运动鞋", ["跑鞋", "Air", "Max"]),
         ("羽绒服", ["轻薄", "长款", "连帽"]), ("面霜", ["修护", "保湿", "紧致"]), ("牛奶", ["纯牛奶", "低脂", "有机"])]
COLORS = ["雅川青", "曜石黑", "冰霜银", "白色", "黑色", "蓝色", "Pink", "Black", "Silver", "Gold"]
NULL = "\\N"  # COPY's null
CITIES = ["310100", "110100", "440100", "440300", "330100", "510100", "420100", "320100"]
SPECS = ["8GB+256GB", "12GB+512GB", "16+1TB", "256G", "512G", "1.5匹", "42码", "500ml", "XL", "M"]


def zipf_choice(rng, items, s=1.1):
    weights = [1 / (i + 1) ** s for i in range(len(items))]
    return rng.choices(items, weights=weights)[0]


def build(shops: int, offers: int, seed: int = 7) -> dict:
    from django.db import connection

    from shared_apps.search import index, text
    from shared_apps.search.models import ShopPickupCity
    from shared_apps.taxonomy.models import Category
    from tenants.models import Shop

    rng = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE search_offerdoc, offers_offerprice, offers_offertext, search_searchterm, "
                       "search_suggestprefix, search_shoppickupcity RESTART IDENTITY CASCADE")
        cursor.execute("DELETE FROM tenants_shop WHERE schema_name LIKE 'bench_search_%%'")
    from django.contrib.auth import get_user_model

    owner, _ = get_user_model().objects.get_or_create(email="bench-search@example.com")
    Shop.objects.bulk_create([
        Shop(schema_name=f"bench_search_{i}", subdomain=f"bs{i}", name=f"Shop {i}", company_name="Bench Co",
             owner=owner, rating=None if i % 5 == 0 else Decimal(rng.randint(300, 500)) / 100, rating_count=i % 97)
        for i in range(shops)])
    shop_ids = list(Shop.objects.filter(schema_name__startswith="bench_search_").values_list("pk", flat=True))
    ShopPickupCity.objects.bulk_create([ShopPickupCity(shop_id=shop, city_code=city)
                                        for shop in shop_ids[::3] for city in rng.sample(CITIES, 2)])
    leaves = list(Category.objects.filter(children__isnull=True).values_list("pk", flat=True))[:len(KINDS) * 3]
    chains = index._ancestors()
    words_of: dict[str, str] = {}

    def words(part: str) -> str:
        if part not in words_of:
            words_of[part] = " ".join(text.tokens(part))
        return words_of[part]

    vocabulary: dict[str, int] = {}
    texts, prices, docs = io.StringIO(), io.StringIO(), io.StringIO()
    for n in range(1, offers + 1):
        cn, en = zipf_choice(rng, BRANDS)
        kind_index = min(int(rng.paretovariate(1.2)) - 1, len(KINDS) - 1)
        kind, series = KINDS[kind_index]
        model = f"{rng.choice(series)}{rng.randint(1, 99)}"
        code = f"{en[:2].upper()}-{rng.randint(1000, 99999)}"
        title = f"{cn} {en} {model} {rng.choice(SPECS)} {rng.choice(COLORS)} {kind}"
        shop = rng.choice(shop_ids)
        category = leaves[(kind_index * 3 + rng.randint(0, 2)) % len(leaves)] if leaves else None
        parts = [words(cn), words(en), words(model), words(code)] + [words(p) for p in title.split()[3:]]
        doc_words = " ".join(parts).split()
        for w in set(doc_words):
            vocabulary[w] = vocabulary.get(w, 0) + 1
        key = index.brand_key(cn)
        filters = [index.category_token(c) for c in chains.get(category, [])] + [index.shop_token(shop)]
        if key:
            filters.append(index.brand_token(key))
        price = rng.choice([99, 199, 299, 999, 1999, 2999, 4999, 6999, 8999]) + rng.randint(0, 99) / 100
        category_cell = str(category) if category else NULL
        listed = f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00+00"
        texts.write(f"{n}\t{shop}\t{n}\t{n}\t{title}\t{cn}\t{model} {code}\t{category_cell}\t{{}}\t{{}}\t\t\t"
                    f"{listed}\t{listed}\n")
        sales = int(rng.paretovariate(1.0) * 10)
        prices.write(f"{shop}\t{n}\t{n}\t{price:.2f}\t{NULL}\t{NULL}\tin_stock\t{sales}\t2026-01-01 00:00:00+00\n")
        docs.write(f"{n}\t{' '.join(doc_words + filters)}\t{key}\n")
    with connection.cursor() as cursor:
        with cursor.copy("COPY offers_offertext (id, shop_id, product_id, sku_id, title, brand, model, category_id, "
                         "attributes, spec, gtin, image, listed_at, updated_at) FROM STDIN") as copy:
            copy.write(texts.getvalue())
        with cursor.copy("COPY offers_offerprice (shop_id, sku_id, product_id, price, member_price, market_price, "
                         "stock_state, sales_count, updated_at) FROM STDIN") as copy:
            copy.write(prices.getvalue())
        cursor.execute("CREATE TEMP TABLE bench_docs (id bigint, words text, brand_key text)")
        with cursor.copy("COPY bench_docs FROM STDIN") as copy:
            copy.write(docs.getvalue())
        # As index.UPSERT writes a document, in docs_rebuild's (category, brand, sales) order.
        cursor.execute("""
            INSERT INTO search_offerdoc (offer_id, shop_id, product_id, sku_id, category_id, brand, brand_key, price,
                                         sales_count, in_stock, rating, listed_at, tsv)
            SELECT t.id, t.shop_id, t.product_id, t.sku_id, t.category_id, t.brand, d.brand_key, p.price,
                   p.sales_count, true, s.rating, t.listed_at,
                   setweight(to_tsvector('simple', d.words), 'A') || search_sales_tiers(p.sales_count)
                   || array_to_tsvector(ARRAY(SELECT 'zqp' || c.city_code FROM search_shoppickupcity c
                                               WHERE c.shop_id = t.shop_id))
              FROM bench_docs d JOIN offers_offertext t ON t.id = d.id
              JOIN tenants_shop s ON s.id = t.shop_id
              JOIN offers_offerprice p ON p.shop_id = t.shop_id AND p.sku_id = t.sku_id
             ORDER BY t.category_id NULLS LAST, lower(t.brand), p.sales_count DESC, t.id""")
        cursor.execute("DROP TABLE bench_docs")
        cursor.execute("SELECT setval(pg_get_serial_sequence('offers_offertext', 'id'), %s)", [offers])
        terms = io.StringIO()
        for term, count in vocabulary.items():
            if len(term) <= 64:
                pinyin, initials = text.pinyin_key(term)
                terms.write(f"{term}\t{pinyin}\t{initials}\t{count}\t{{}}\n")
        with cursor.copy("COPY search_searchterm (term, pinyin, initials, frequency, keys) FROM STDIN") as copy:
            copy.write(terms.getvalue())
        for table in ("search_offerdoc", "offers_offertext", "offers_offerprice", "search_searchterm"):
            cursor.execute(f"VACUUM ANALYZE {table}")  # what autovacuum does to a loaded table
    from shared_apps.search.services import suggestions_refresh

    suggestions_refresh()
    models = sorted({m for m in words_of if "-" in m})
    return {"models": models}


def query_mix(rng, n: int, models: list[str]) -> list[tuple[str, dict, str]]:
    common = ["手机", "笔记本电脑", "蓝牙耳机", "运动鞋", "黑色", "apple", "小米"]
    medium = ["华为 mate", "小米 note", "apple air", "联想 book", "美的 空调", "耐克 跑鞋", "荣耀 pro 手机"]
    extras = [{}, {"sort": "price_asc"}, {"in_stock": True}, {"sort": "sales"}, {"price_min": "100", "price_max": "3000"},
              {"rating_min": "4"}, {"pickup_city": CITIES[0]}, {"sort": "newest"}]
    mix = []
    for i in range(n):
        kind = ("common", "medium", "rare")[i % 3]
        words = rng.choice(common if kind == "common" else medium if kind == "medium" else models)
        mix.append((kind, rng.choice(extras), words))
    return mix


def forget_cached_stats() -> None:
    """Drop the popular-query cache's entries (query.py `search:stats:*`), so the cold pass is cold."""
    from django.core.cache import cache

    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match="*search:stats:*", count=1000))
    if keys:
        client.delete(*keys)


def timed(calls, concurrency: int) -> list[tuple[str, float]]:
    """(kind, seconds) of each call, run by `concurrency` threads (each its own connection)."""
    from django.db import connections

    def run(call):
        kind, fn = call
        started = time.perf_counter()
        try:
            fn()
        finally:
            connections.close_all()  # this thread's connection goes back to the pool
        return kind, time.perf_counter() - started

    connections.close_all()
    with ThreadPoolExecutor(concurrency) as pool:
        out = list(pool.map(run, calls))
    connections.close_all()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=1000)
    parser.add_argument("--offers", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--suggestions", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database", default="mall_bench_search")
    parser.add_argument("--keep", action="store_true", help="reuse the offers an earlier run built (same sizes)")
    args = parser.parse_args()
    use_bench_database(args.database)
    from django.core.management import call_command
    from django.db import connection

    from shared_apps.search import query, services

    call_command("migrate_schemas", "--shared", interactive=False, verbosity=0)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_offerdoc")
        existing = cursor.fetchone()[0]
    if args.keep and existing == args.offers:
        with connection.cursor() as cursor:
            cursor.execute("SELECT model FROM offers_offertext WHERE id % 997 = 0 LIMIT 200")
            models = [row[0].split()[-1] for row in cursor.fetchall()]
        setup = {"models": models}
    else:
        setup = build(args.shops, args.offers)
    setup_seconds = round(time.perf_counter() - started, 1)
    rng = random.Random(11)
    mix = query_mix(rng, args.queries, setup["models"] or ["mate60"])
    calls = [(kind, lambda e=extra, w=words: query.search(q=w, **e)) for kind, extra, words in mix]
    forget_cached_stats()
    cold = timed(calls, args.concurrency)  # every broad query counted afresh: the popular-query cache fills
    rng.shuffle(calls)
    searches = timed(calls, args.concurrency)  # steady state: broad queries' totals and facets cached
    prefixes = [w[: rng.randint(1, 3)] for w in ("huawei", "hw", "apple", "mate", "xiaomi", "手机", "笔记", "lianx")]
    picked = [rng.choice(prefixes) for _ in range(args.suggestions)]
    suggests = timed([("suggest", lambda p=p: services.suggest(p)) for p in picked], args.concurrency)

    def ilike(words: str):
        pattern = "%" + words.replace(" ", "%") + "%"
        with connection.cursor() as cursor:
            cursor.execute("SELECT t.id, t.title FROM offers_offertext t JOIN offers_offerprice p "
                           "ON p.shop_id = t.shop_id AND p.sku_id = t.sku_id WHERE t.title ILIKE %s "
                           "ORDER BY p.sales_count DESC LIMIT 24", [pattern])
            cursor.fetchall()
            cursor.execute("SELECT count(*) FROM offers_offertext WHERE title ILIKE %s", [pattern])
            cursor.fetchone()

    ilikes = timed([(kind, lambda w=words: ilike(w)) for kind, _extra, words in mix[: max(30, args.queries // 10)]],
                   args.concurrency)
    search_ms = [t for _k, t in searches]
    result = {
        "shops": args.shops, "offers": args.offers,
        "search_p95_ms": ms(percentile(search_ms, 95)),
        "common_p95_ms": ms(percentile([t for k, t in searches if k == "common"], 95)),
        "medium_p95_ms": ms(percentile([t for k, t in searches if k == "medium"], 95)),
        "rare_p95_ms": ms(percentile([t for k, t in searches if k == "rare"], 95)),
        "suggest_p95_ms": ms(percentile([t for _k, t in suggests], 95)),
        "cold_search_p95_ms": ms(percentile([t for _k, t in cold], 95)),
        "cold_common_p95_ms": ms(percentile([t for k, t in cold if k == "common"], 95)),
        "ilike_p95_ms": ms(percentile([t for _k, t in ilikes], 95)),
        "concurrency": args.concurrency, "queries": len(searches), "setup_seconds": setup_seconds,
    }
    result["speedup"] = round(result["ilike_p95_ms"] / max(result["search_p95_ms"], 0.1), 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
