from django.db import models


class Category(models.Model):
    """Platform category tree (public schema). Top-level rows are the business categories
    (经营类目) a merchant applies for; the full tree and attribute templates come with the catalog.
    """

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=40)
    name_en = models.CharField(max_length=60)
    sort = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort", "id"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name
