"""Search vocabulary and synonyms (public schema)."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F


class SearchTerm(models.Model):
    """A token of the offer index (搜索词表) with what spelling correction needs.

    `keys` is a deletion index kept in the row: the term's spelling (the term itself, or its
    pinyin for a Han term) and every string made by deleting one character from it. Two strings
    within one edit (and many within two) share a key, so candidates for a typo are one GIN
    lookup instead of a scan of the vocabulary. Rows are rewritten only by `vocabulary_refresh`.
    """

    term = models.CharField(max_length=64, unique=True)
    pinyin = models.CharField(max_length=200, blank=True, db_index=True)
    initials = models.CharField(max_length=64, blank=True, db_index=True)
    frequency = models.PositiveIntegerField(default=0)  # offers whose text has the term
    keys = ArrayField(models.CharField(max_length=200), default=list, blank=True)

    class Meta:
        indexes = [GinIndex(fields=["keys"], name="search_term_keys_gin")]

    def __str__(self) -> str:
        return self.term


class Synonym(models.Model):
    """One term of a synonym group (同义词组): a query word matches any term of its groups
    (手机 ↔ 电话; 苹果 ↔ apple ↔ iphone). Terms are stored as the tokenizer writes them
    (lower-cased, half-width); a term of several tokens must match all of them."""

    group = models.CharField(max_length=40)
    term = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["group", "term"]
        constraints = [models.UniqueConstraint(fields=["group", "term"], name="search_synonym_group_term")]
        indexes = [models.Index(fields=["term"], name="search_synonym_term")]

    def __str__(self) -> str:
        return f"{self.group}: {self.term}"


class OfferDoc(models.Model):
    """One offer of the mall offer index as search reads it (搜索文档): narrow, one row per shop
    SKU, kept in step with `offers.OfferText` (deleted with it) and `offers.OfferPrice`.

    `tsv` holds the tokenizer's words of the title, brand, model and attribute values, plus
    filter tokens so a filtered query is one GIN intersection: `zqc<category id>` for the category
    and each ancestor, `zqb<brand key>`, `zqs<shop id>`, `zqp<city code>` for each city where the
    shop hands goods over at a store, and sales tiers `zqt2`…`zqt5` (sales of at least 10², …, 10⁵,
    cumulative; see the SQL function `search_sales_tiers`), so the best sellers among a broad
    query's matches are found without reading all of them. Price, sales, stock and the shop's
    rating are plain columns (they change often; the words do not). `docs_rebuild` writes the
    rows in (category, brand, sales) order, so the matches of a brand or category share pages.
    """

    offer = models.OneToOneField("offers.OfferText", on_delete=models.CASCADE, primary_key=True,
                                 related_name="search_doc")
    shop_id = models.BigIntegerField()
    product_id = models.BigIntegerField()
    sku_id = models.BigIntegerField()
    category_id = models.BigIntegerField(null=True, blank=True)
    brand = models.CharField(max_length=60, blank=True)
    brand_key = models.CharField(max_length=16, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    sales_count = models.PositiveIntegerField(default=0)
    in_stock = models.BooleanField(default=False)
    rating = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)  # the shop's
    listed_at = models.DateTimeField(null=True, blank=True)
    tsv = SearchVectorField()

    class Meta:
        indexes = [
            GinIndex(fields=["tsv"], name="search_doc_tsv"),
            models.Index(fields=["category_id", "brand_key", "-sales_count"], name="search_doc_cat_brand_sales"),
            models.Index(fields=["-sales_count"], name="search_doc_sales"),
            models.Index(fields=["price"], name="search_doc_price"),
            models.Index(F("listed_at").desc(nulls_last=True), name="search_doc_listed"),
            models.Index(fields=["shop_id"], name="search_doc_shop"),
            models.Index(F("rating").desc(nulls_last=True), F("sales_count").desc(), name="search_doc_rating"),
        ]


class ShopPickupCity(models.Model):
    """A city where a shop hands goods over at one of its stores (自提城市): what the pickup-city
    filter and facet of search read. Copied from the shop's active pickup locations by
    `index.shop_pickup_refresh`."""

    shop = models.ForeignKey("tenants.Shop", on_delete=models.CASCADE, related_name="+")
    city_code = models.CharField(max_length=6)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "city_code"], name="search_pickup_shop_city")]
        indexes = [models.Index(fields=["city_code"], name="search_pickup_city")]


class SuggestPrefix(models.Model):
    """Suggestions while typing (搜索联想): for each prefix of a vocabulary term — of the term, of its
    pinyin and of its initials, up to 12 characters — the 10 most frequent terms it starts.
    Precomputed by `suggestions_refresh`, so a keystroke costs one primary-key lookup."""

    prefix = models.CharField(max_length=12, primary_key=True)
    terms = ArrayField(models.CharField(max_length=64), default=list)


# --- search analytics (搜索分析) ----------------------------------------------------------------


class SearchLog(models.Model):
    """One search made on the mall (搜索日志): what was asked, what came back, and a keyed hash of
    who asked (never the user id or session key itself).

    The search path only pushes a line to a Redis list (`analytics.search_logged`, one RPUSH); a
    beat task drains the list into this table in one bulk insert (`analytics.log_drain`), so a
    search never waits for an INSERT. Append-only. Every page of results counts as one search."""

    search_id = models.UUIDField(unique=True)  # handed to the shopper's client for click beacons
    at = models.DateTimeField(db_index=True)
    query = models.CharField(max_length=200, blank=True)  # as typed, trimmed and capped
    normalised = models.CharField(max_length=200, blank=True)  # the tokenizer's words: the grouping key
    filters = models.JSONField(default=dict, blank=True)  # the filters given, by parameter name
    sort = models.CharField(max_length=16)
    page = models.PositiveSmallIntegerField()
    per_page = models.PositiveSmallIntegerField()
    shown = models.PositiveSmallIntegerField()  # hits on this page
    total = models.PositiveIntegerField()
    estimated = models.BooleanField(default=False)  # `total` is an estimate ("about")
    zero_results = models.BooleanField()
    source = models.CharField(max_length=8)  # "page" (the mall's /search/) or "api"
    searcher = models.CharField(max_length=24, blank=True)  # HMAC of the user, session or client

    class Meta:
        indexes = [models.Index(fields=["normalised", "at"], name="search_log_query_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.normalised or '-'} ({self.total})"


class SearchClick(models.Model):
    """A shopper opened a search result (点击): which search, which position (1 = the first result
    of the first page), which offer. Drained from Redis like `SearchLog`, after the search it
    belongs to; a click naming no logged search is dropped there."""

    click_id = models.UUIDField(unique=True)  # makes a retried drain insert each click once
    search = models.ForeignKey(SearchLog, to_field="search_id", db_column="search_id", on_delete=models.CASCADE,
                               related_name="clicks")
    at = models.DateTimeField()
    position = models.PositiveIntegerField()
    offer_id = models.BigIntegerField()  # offers.OfferText id; no key: the offer may go, the click stays

    def __str__(self) -> str:
        return f"{self.search_id} #{self.position}"
