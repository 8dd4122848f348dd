"""Search vocabulary and synonyms (public schema)."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models


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
    filter tokens (`zqc<category id>` for the category and each ancestor, `zqb<brand key>`,
    `zqs<shop id>`) so a filtered query is one GIN intersection. Price, sales and stock are
    plain columns (they change often; the words do not)."""

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
    listed_at = models.DateTimeField(null=True, blank=True)
    tsv = SearchVectorField()

    class Meta:
        indexes = [
            GinIndex(fields=["tsv"], name="search_doc_tsv"),
            models.Index(fields=["category_id", "brand_key", "-sales_count"], name="search_doc_cat_brand_sales"),
            models.Index(fields=["-sales_count"], name="search_doc_sales"),
            models.Index(fields=["price"], name="search_doc_price"),
        ]


class SuggestPrefix(models.Model):
    """Suggestions while typing (搜索联想): for each prefix of a vocabulary term — of the term, of its
    pinyin and of its initials, up to 12 characters — the 10 most frequent terms it starts.
    Precomputed by `suggestions_refresh`, so a keystroke costs one primary-key lookup."""

    prefix = models.CharField(max_length=12, primary_key=True)
    terms = ArrayField(models.CharField(max_length=64), default=list)
