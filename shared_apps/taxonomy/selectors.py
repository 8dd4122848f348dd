"""Reads of the category tree, attribute templates and standard products."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from backend.lib.gtin import gtin_is_valid, normalize_gtin

from .models import (
    AttributeDefinition,
    Category,
    StandardProduct,
    StandardProductGtin,
    StandardProductStatus,
)


def business_categories() -> QuerySet[Category]:
    """Top-level categories a merchant may apply to sell in."""
    return Category.objects.filter(parent__isnull=True, is_active=True)


@dataclass
class TreeNode:
    category: Category
    depth: int
    path: list[Category]
    attributes: list[AttributeDefinition]  # effective: inherited first, then its own

    @property
    def own_attribute_count(self) -> int:
        return sum(1 for a in self.attributes if a.category_id == self.category.pk)


def category_tree(*, active_only: bool = False, with_attributes: bool = False) -> list[TreeNode]:
    """The whole tree depth-first in display order (children by sort, id), in one or two queries.

    A category under an inactive one counts as inactive too when `active_only`.
    """
    categories = list(Category.objects.order_by("sort", "id"))
    attributes_by_category: dict[int, list[AttributeDefinition]] = {}
    if with_attributes:
        for attribute in AttributeDefinition.objects.order_by("sort", "id"):
            attributes_by_category.setdefault(attribute.category_id, []).append(attribute)
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    nodes: list[TreeNode] = []

    def walk(parent_id: int | None, path: list[Category], inherited: list[AttributeDefinition]) -> None:
        for category in children.get(parent_id, []):
            if active_only and not category.is_active:
                continue
            effective = inherited + attributes_by_category.get(category.pk, [])
            nodes.append(TreeNode(category, len(path), [*path, category], effective))
            walk(category.pk, [*path, category], effective)

    walk(None, [], [])
    return nodes


def category_get(category_id: int) -> Category | None:
    """The category with its ancestors loaded (the tree is at most three levels deep)."""
    return Category.objects.select_related("parent__parent").filter(pk=category_id).first()


def ancestors_of(category: Category) -> list[Category]:
    """Root first, the category itself last."""
    chain = []
    node: Category | None = category
    while node is not None:
        chain.append(node)
        node = node.parent
    return list(reversed(chain))


def descendant_ids(category_id: int) -> list[int]:
    """The ids below a category (not itself), at most two levels down."""
    children = list(Category.objects.filter(parent_id=category_id).values_list("pk", flat=True))
    grandchildren = list(Category.objects.filter(parent_id__in=children).values_list("pk", flat=True))
    return children + grandchildren


def effective_attributes(category: Category) -> list[AttributeDefinition]:
    """The attribute templates that apply to `category`: the root's first, its own last."""
    chain = ancestors_of(category)
    order = {c.pk: i for i, c in enumerate(chain)}
    rows = AttributeDefinition.objects.filter(category_id__in=order).select_related("category")
    return sorted(rows, key=lambda a: (order[a.category_id], a.sort, a.pk))


def subtree_height(category_id: int) -> int:
    """How many levels the category and its descendants span (1 for a leaf)."""
    children = list(Category.objects.filter(parent_id=category_id).values_list("pk", flat=True))
    if not children:
        return 1
    return 3 if Category.objects.filter(parent_id__in=children).exists() else 2


def category_in_use(category_id: int) -> bool:
    """Whether something refers to the category's code: sub-categories, attribute templates or
    standard products. Such a code is frozen."""
    return (
        Category.objects.filter(parent_id=category_id).exists()
        or AttributeDefinition.objects.filter(category_id=category_id).exists()
        or StandardProduct.objects.filter(category_id=category_id).exists()
    )


def attribute_in_use(attribute: AttributeDefinition) -> bool:
    """Whether a standard product in the attribute's subtree holds a value for it."""
    category_ids = [attribute.category_id, *descendant_ids(attribute.category_id)]
    return StandardProduct.objects.filter(category_id__in=category_ids, attributes__has_key=attribute.code).exists()


def _with_gtins(queryset: QuerySet[StandardProduct]) -> QuerySet[StandardProduct]:
    return queryset.select_related("category").prefetch_related(
        Prefetch("gtins", queryset=StandardProductGtin.objects.order_by("id"))
    )


def standard_product_search(*, q: str = "", status: str | None = None,
                            category_id: int | None = None) -> QuerySet[StandardProduct]:
    """Newest first. `q` is a GTIN (any length/format) or part of the brand or model."""
    from .services import normalize_key_part

    queryset = StandardProduct.objects.all()
    if status:
        queryset = queryset.filter(status=status)
    if category_id:
        queryset = queryset.filter(Q(category_id=category_id) | Q(category__parent_id=category_id)
                                   | Q(category__parent__parent_id=category_id))
    q = q.strip()
    if q:
        condition = Q(brand__icontains=q) | Q(model__icontains=q)
        folded = normalize_key_part(q)
        if folded:
            condition |= Q(key__contains=folded)
        if gtin_is_valid(q):
            condition |= Q(gtins__gtin=normalize_gtin(q))
        queryset = queryset.filter(condition).distinct()
    return _with_gtins(queryset).order_by("-id")


def standard_product_detail(product_id: int) -> StandardProduct | None:
    return _with_gtins(StandardProduct.objects.select_related("created_by", "decided_by", "merged_into")).filter(
        pk=product_id).first()


def standard_product_status_counts() -> dict[str, int]:
    rows = StandardProduct.objects.values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def standard_product_by_gtin(gtin: str, *, statuses: tuple[str, ...]) -> StandardProduct | None:
    return _with_gtins(StandardProduct.objects.filter(
        gtins__gtin=gtin, gtins__live=True, status__in=statuses)).order_by("id").first()


def standard_product_by_key(key: str, *, statuses: tuple[str, ...], category_id: int | None = None
                            ) -> StandardProduct | None:
    queryset = StandardProduct.objects.filter(key=key, status__in=statuses)
    if category_id:
        queryset = queryset.filter(category_id=category_id)
    # An active product wins over a proposal for the same brand+model.
    return _with_gtins(queryset).order_by("status", "id").first()


LIVE_STATUSES = (StandardProductStatus.ACTIVE, StandardProductStatus.PROPOSED)
