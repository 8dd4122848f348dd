"""Writes to a shop's catalog: products, SKUs (variants), prices, media, shop categories.

Rules that hold everywhere here:
- Draft and rejected products are edited freely. For an approved, listed or delisted product the
  buyer-relevant fields (REVIEWED_FIELDS, images, video) are never changed directly: the edit
  becomes a pending revision (`moderation.revision_propose`) while the live version stays on sale.
  A product pending review refuses such edits (409) until it is decided.
- Prices need no review; every change of an existing SKU's price is audited (T6) and queued for
  the mall offer index through the outbox.
- Every failure raises a ServiceError (4xx) naming the field, before anything is written.
"""

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from backend.api.errors import Conflict, NotFound, ServiceError
from backend.lib.gtin import gtin_is_valid
from backend.lib.money import parse_amount
from shared_apps.audit.services import audit_record

from . import media, moderation, platform, review
from .models import (
    SKU,
    Product,
    ProductImage,
    ProductRevision,
    ProductStatus,
    ProductTag,
    RevisionStatus,
    ShopCategory,
    product_image_path,
    product_thumb_path,
    product_video_path,
)
from .outbox import outbox_record
from .platform import platform_category_exists
from .richtext import MAX_CHARS, sanitise_description
from .variants import MAX_VARIANTS, spec_combinations

REVIEWED_FIELDS = ("title", "subtitle", "platform_category_id", "attributes", "description")
FREE_FIELDS = (
    "brand", "model", "standard_product_id", "tags", "tax_code", "tax_rate", "weight_grams",
    "list_at", "delist_at",
)
EDITABLE = frozenset({ProductStatus.DRAFT, ProductStatus.REJECTED})
MODERATED = frozenset({ProductStatus.APPROVED, ProductStatus.LISTED, ProductStatus.DELISTED})
PRICE_FIELDS = ("market_price", "sale_price", "member_price", "cost_price")
MAX_IMAGES = 20
SKU_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$")


# --- helpers -----------------------------------------------------------------------------------


def _invalid(errors: dict[str, list[str]]) -> ServiceError:
    field, messages = next(iter(errors.items()))
    return ServiceError(f"{field}: {messages[0]}", code="invalid", fields=errors)


def _one(field: str, message: str) -> ServiceError:
    return _invalid({field: [message]})


def _locked_product(product_id: int) -> Product:
    product = Product.objects.select_for_update().filter(pk=product_id).first()
    if product is None:
        raise NotFound(_("No such product."))
    return product


def _text(value: Any, field: str, errors: dict, *, max_len: int, min_len: int = 0) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) < min_len:
        errors[field] = [_("This field is required.") if not text else _("At least %(n)d characters.") % {"n": min_len}]
    elif len(text) > max_len:
        errors[field] = [_("At most %(n)d characters.") % {"n": max_len}]
    return text


def _optional_id(value: Any, field: str, errors: dict) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[field] = [_("Enter a whole number.")]
        return None
    if number < 1:
        errors[field] = [_("Enter a whole number.")]
        return None
    return number


def _clean_attributes(value: Any, errors: dict) -> dict:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict) or len(value) > 100:
        errors["attributes"] = [_("Attributes are an object of at most 100 code: value pairs.")]
        return {}
    scalar = (str, int, float, bool)
    for key, item in value.items():
        ok_value = isinstance(item, scalar) or (isinstance(item, list) and all(isinstance(i, scalar) for i in item))
        if not isinstance(key, str) or not 0 < len(key) <= 40 or not ok_value or len(str(item)) > 500:
            errors["attributes"] = [_("Attribute %(code)s has a value of the wrong kind.") % {"code": str(key)[:40]}]
            return {}
    return value


def product_values_clean(data: dict, *, creating: bool, category_id: int | None = None) -> tuple[dict, list[int] | None]:
    """Validated values of the product fields present in `data` (all errors at once), and the
    shop category ids if given."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    if creating or "title" in data:
        out["title"] = _text(data.get("title"), "title", errors, max_len=120, min_len=2)
    for field, limit in (("subtitle", 200), ("brand", 60), ("model", 60)):
        if field in data:
            out[field] = _text(data[field], field, errors, max_len=limit)
    if "platform_category_id" in data:
        category_id = _optional_id(data["platform_category_id"], "platform_category_id", errors)
        if category_id is not None and "platform_category_id" not in errors and not platform_category_exists(category_id):
            errors["platform_category_id"] = [_("No such platform category: %(id)s.") % {"id": category_id}]
        out["platform_category_id"] = category_id
    if "standard_product_id" in data:
        out["standard_product_id"] = _optional_id(data["standard_product_id"], "standard_product_id", errors)
    if "attributes" in data:
        out["attributes"] = _clean_attributes(data["attributes"], errors)
        category_id = out.get("platform_category_id", category_id)
        if category_id and "attributes" not in errors and "platform_category_id" not in errors:
            out["attributes"], problems = platform.attribute_values(category_id, out["attributes"])
            if problems:
                errors["attributes"] = problems
    if "description" in data:
        description = sanitise_description(str(data["description"] or ""))
        if len(description) > MAX_CHARS:
            errors["description"] = [_("At most %(n)d characters.") % {"n": MAX_CHARS}]
        out["description"] = description
    if "tags" in data:
        tags = data["tags"] or []
        if isinstance(tags, str):
            tags = [t.strip() for t in tags.split(",") if t.strip()]
        unknown = [str(t) for t in tags if t not in ProductTag.values]
        if unknown or not isinstance(tags, list):
            errors["tags"] = [_("Unknown tag: %(tags)s. Use %(allowed)s.")
                              % {"tags": ", ".join(unknown), "allowed": ", ".join(ProductTag.values)}]
        out["tags"] = list(dict.fromkeys(tags))
    if "tax_code" in data:
        code = _text(data["tax_code"], "tax_code", errors, max_len=19)
        if code and not (code.isascii() and code.isdigit()):
            errors["tax_code"] = [_("The tax classification code has only digits (up to 19).")]
        out["tax_code"] = code
    if "tax_rate" in data:
        rate = data["tax_rate"]
        if rate in (None, ""):
            out["tax_rate"] = None
        else:
            try:
                rate = Decimal(str(rate))
                if not (rate.is_finite() and 0 <= rate < 1 and rate == rate.quantize(Decimal("0.01"))):
                    raise InvalidOperation
                out["tax_rate"] = rate
            except (InvalidOperation, ValueError):
                errors["tax_rate"] = [_("Enter a rate between 0 and 0.99 with at most two decimals, e.g. 0.13.")]
    if "weight_grams" in data:
        try:
            weight = int(data["weight_grams"] or 0)
            if not 0 <= weight <= 1_000_000 or str(data["weight_grams"] or 0).strip() != str(weight):
                raise ValueError
            out["weight_grams"] = weight
        except (TypeError, ValueError):
            errors["weight_grams"] = [_("Enter a whole number of grams from 0 to 1,000,000.")]
    for field in ("list_at", "delist_at"):
        if field in data:
            value = data[field] or None
            if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
                errors[field] = [_("Enter a date and time with a time zone.")]
            out[field] = value
    list_at, delist_at = out.get("list_at"), out.get("delist_at")
    if isinstance(list_at, datetime) and isinstance(delist_at, datetime) and delist_at <= list_at:
        errors["delist_at"] = [_("The delisting time must be after the listing time.")]
    category_ids = None
    if "shop_category_ids" in data:
        category_ids = _shop_category_ids(data["shop_category_ids"], errors)
    if errors:
        raise _invalid(errors)
    return out, category_ids


def _shop_category_ids(value: Any, errors: dict) -> list[int]:
    try:
        ids = list(dict.fromkeys(int(v) for v in (value or [])))
    except (TypeError, ValueError):
        errors["shop_category_ids"] = [_("Shop categories are a list of ids.")]
        return []
    found = set(ShopCategory.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = [str(i) for i in ids if i not in found]
    if missing:
        errors["shop_category_ids"] = [_("No such shop category: %(ids)s.") % {"ids": ", ".join(missing)}]
    return ids


def _outbox(kind: str, product_id: int, sku_id: int | None = None) -> None:
    outbox_record(kind=kind, product_id=product_id, sku_id=sku_id)


# --- products ----------------------------------------------------------------------------------


@transaction.atomic
def product_create(*, actor, shop_id: int, data: dict, ip: str | None = None) -> Product:
    """Create a draft product from `data` (product fields, `shop_category_ids`, and optionally
    `skus` as for `sku_set`). Nothing is written when any field is wrong."""
    values, category_ids = product_values_clean(data, creating=True)
    product = Product.objects.create(**values)
    if category_ids:
        product.shop_categories.set(category_ids)
    if data.get("skus"):
        _sku_set(product=product, items=data["skus"], actor=actor, shop_id=shop_id, ip=ip)
    return product


@transaction.atomic
def product_update(*, actor, product_id: int, data: dict) -> tuple[Product, ProductRevision | None]:
    """Change the fields present in `data`. Draft/rejected: everything at once. Approved, listed
    or delisted: free fields directly, changed reviewed fields as a pending revision (returned).
    Pending review: a change of a reviewed field is refused (409)."""
    product = _locked_product(product_id)
    values, category_ids = product_values_clean(data, creating=False, category_id=product.platform_category_id)
    reviewed = {k: v for k, v in values.items() if k in REVIEWED_FIELDS and getattr(product, k) != v}
    free = {k: v for k, v in values.items() if k in FREE_FIELDS}
    revision = None
    if reviewed and product.status == ProductStatus.PENDING:
        raise Conflict(_("The product is waiting for review; change %(fields)s after the decision.")
                       % {"fields": ", ".join(reviewed)}, code="under_review")
    if reviewed and product.status in MODERATED:
        revision = moderation.revision_propose(product=product, data=reviewed, actor_user_id=actor.pk)
        reviewed = {}
    changes = {**free, **reviewed}
    for field, value in changes.items():
        setattr(product, field, value)
    if changes:
        product.save(update_fields=[*changes, "updated_at"])
    if category_ids is not None:
        product.shop_categories.set(category_ids)
    if product.status == ProductStatus.LISTED and ({"brand", "model", "standard_product_id"} & set(changes)):
        _outbox("text", product.pk)
    return product, revision


@transaction.atomic
def product_submit(*, product_id: int, actor_user_id: int) -> Product:
    """Send a draft or rejected product for the platform's review (→ pending). It needs a title,
    a platform category, at least one active SKU and one image."""
    product = _locked_product(product_id)
    if product.status not in EDITABLE:
        raise Conflict(_("Only a draft or rejected product can be submitted; this one is %(status)s.")
                       % {"status": product.get_status_display()}, code="illegal_transition")
    errors: dict[str, list[str]] = {}
    if product.platform_category_id is None:
        errors["platform_category_id"] = [_("Choose a platform category before submitting.")]
    if not product.skus.filter(is_active=True).exists():
        errors["skus"] = [_("Add at least one SKU before submitting.")]
    if not product.images.exists():
        errors["images"] = [_("Add at least one image before submitting.")]
    if errors:
        raise _invalid(errors)
    # The move itself (history row, moderation queue entry) belongs to the review module.
    return review.submit_for_review(product_id=product.pk, actor_user_id=actor_user_id)


# --- SKUs and prices ---------------------------------------------------------------------------


def _price(value: Any, field: str, errors: dict, *, required: bool) -> Decimal | None:
    if value in (None, ""):
        if required:
            errors[field] = [_("This field is required.")]
        return None
    try:
        return parse_amount(value, field=field, allow_zero=not required)
    except ValidationError as exc:
        errors[field] = exc.message_dict[field]
        return None


def _clean_prices(item: dict, errors: dict, prefix: str, *, partial: bool = False) -> dict:
    out = {}
    for field in PRICE_FIELDS:
        if partial and field not in item:
            continue
        out[field] = _price(item.get(field), f"{prefix}{field}", errors, required=field == "sale_price")
    sale, member = out.get("sale_price"), out.get("member_price")
    if sale is not None and member is not None and member > sale:
        errors[f"{prefix}member_price"] = [_("The member price cannot be above the sale price.")]
    return out


def sku_values_clean(item: Any, index: int, errors: dict) -> dict:
    """Validated values of one SKU item (`skus[index]` in error names); problems go into
    `errors`. The API, the console grid and the importer all check SKUs with this."""
    prefix = f"skus[{index}]."
    if not isinstance(item, dict):
        errors[f"skus[{index}]"] = [_("Each SKU is an object.")]
        return {}
    out: dict[str, Any] = {"id": _optional_id(item.get("id"), f"{prefix}id", errors)}
    code = str(item.get("code") or "").strip()
    if not SKU_CODE.match(code):
        errors[f"{prefix}code"] = [_("A SKU code has 1 to 64 letters, digits or . _ - /.")]
    out["code"] = code
    gtin = str(item.get("gtin") or "").strip()
    if gtin and not (gtin.isdigit() and gtin_is_valid(gtin)):
        errors[f"{prefix}gtin"] = [_("Not a valid GTIN/EAN barcode (8, 12, 13 or 14 digits with a correct check digit).")]
    out["gtin"] = gtin
    spec = item.get("spec") or {}
    if not isinstance(spec, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and 0 < len(k) <= 20 and 0 < len(v) <= 40 for k, v in spec.items()
    ):
        errors[f"{prefix}spec"] = [_("The spec is an object of name: value texts, e.g. {\"colour\": \"black\"}.")]
        spec = {}
    out["spec"] = {k.strip(): v.strip() for k, v in spec.items()}
    out.update(_clean_prices(item, errors, prefix))
    weight = item.get("weight_grams")
    if weight in (None, ""):
        out["weight_grams"] = None
    else:
        try:
            out["weight_grams"] = int(weight)
            if not 0 <= out["weight_grams"] <= 1_000_000:
                raise ValueError
        except (TypeError, ValueError):
            errors[f"{prefix}weight_grams"] = [_("Enter a whole number of grams from 0 to 1,000,000.")]
    out["is_active"] = bool(item.get("is_active", True))
    return out


def price_snapshot(sku: SKU) -> dict:
    """The SKU's prices as strings, to compare before and after a change."""
    return {f: (None if getattr(sku, f) is None else str(getattr(sku, f))) for f in PRICE_FIELDS}


def price_change_audit(*, sku: SKU, before: dict, actor, shop_id: int, ip: str | None) -> bool:
    """Audit the SKU's price change since `before` (a `price_snapshot`); False when none."""
    after = price_snapshot(sku)
    changed = [f for f in PRICE_FIELDS if before[f] != after[f]]
    if changed:
        audit_record(actor=actor, action="catalog.sku_price_changed", target_type="sku", target_id=sku.pk,
                     shop_id=shop_id, before={f: before[f] for f in changed}, after={f: after[f] for f in changed},
                     ip=ip)
    return bool(changed)


def _sku_set(*, product: Product, items: list, actor, shop_id: int, ip: str | None) -> list[SKU]:
    if not isinstance(items, list) or len(items) > MAX_VARIANTS:
        raise _one("skus", _("Send a list of at most %(n)d SKUs.") % {"n": MAX_VARIANTS})
    errors: dict[str, list[str]] = {}
    cleaned = [sku_values_clean(item, index, errors) for index, item in enumerate(items)]
    if errors:
        raise _invalid(errors)
    existing = {sku.pk: sku for sku in SKU.objects.select_for_update().filter(product=product).order_by("pk")}
    seen_codes: dict[str, int] = {}
    seen_specs: dict[tuple, int] = {}
    for index, item in enumerate(cleaned):
        if item["id"] is not None and item["id"] not in existing:
            errors[f"skus[{index}].id"] = [_("No such SKU in this product: %(id)s.") % {"id": item["id"]}]
        if item["code"] in seen_codes:
            errors[f"skus[{index}].code"] = [_("SKU code %(code)s is given twice.") % {"code": item["code"]}]
        seen_codes[item["code"]] = index
        spec_key = tuple(sorted(item["spec"].items()))
        if spec_key in seen_specs:
            errors[f"skus[{index}].spec"] = [_("Two SKUs have the same spec.")]
        seen_specs[spec_key] = index
    if errors:
        raise _invalid(errors)
    own_ids = [item["id"] for item in cleaned if item["id"] is not None]
    taken = set(SKU.objects.filter(code__in=seen_codes).exclude(pk__in=own_ids).values_list("code", flat=True))
    # A code of one of this product's SKUs that is not being kept under the same id also counts.
    taken |= {sku.code for pk, sku in existing.items() if pk not in own_ids and sku.code in seen_codes}
    if taken:
        raise Conflict(
            _("SKU code already in use: %(codes)s.") % {"codes": ", ".join(sorted(taken))},
            code="duplicate_sku_code",
            fields={f"skus[{seen_codes[c]}].code": [_("This SKU code is already in use.")] for c in sorted(taken)},
        )
    result: list[SKU] = []
    structure_changed = False
    try:
        with transaction.atomic():
            for sort, item in enumerate(cleaned):
                values = {k: v for k, v in item.items() if k != "id"}
                if item["id"] is None:
                    sku = SKU.objects.create(product=product, sort=sort, **values)
                    structure_changed = True
                else:
                    sku = existing[item["id"]]
                    before = price_snapshot(sku)
                    if sku.spec != values["spec"] or sku.is_active != values["is_active"]:
                        structure_changed = True
                    for field, value in values.items():
                        setattr(sku, field, value)
                    sku.sort = sort
                    sku.save()
                    if price_change_audit(sku=sku, before=before, actor=actor, shop_id=shop_id, ip=ip):
                        _outbox("price", product.pk, sku.pk)
                result.append(sku)
            # SKUs left out are deactivated, not deleted: orders and stock may refer to them.
            dropped = [pk for pk, sku in existing.items() if pk not in own_ids and sku.is_active]
            if dropped:
                SKU.objects.filter(pk__in=dropped).update(is_active=False)
                structure_changed = True
    except IntegrityError as exc:  # a concurrent writer took a code between check and write
        raise Conflict(_("SKU code already in use."), code="duplicate_sku_code") from exc
    if structure_changed:
        _outbox("text", product.pk)
    return result


@transaction.atomic
def sku_set(*, actor, shop_id: int, product_id: int, skus: list[dict], ip: str | None = None) -> list[SKU]:
    """Make the product's SKU grid equal `skus` (in order): items with an `id` update that SKU,
    items without one create a SKU, SKUs left out are deactivated. Codes are unique in the shop,
    GTINs need a valid check digit, prices at most two decimals and the member price not above
    the sale price. Price changes are audited and queued for the offer index."""
    product = _locked_product(product_id)
    return _sku_set(product=product, items=skus, actor=actor, shop_id=shop_id, ip=ip)


@transaction.atomic
def variants_generate(*, actor, shop_id: int, product_id: int, axes: list[tuple[str, list[str]]],
                      code_prefix: str, sale_price: Any, ip: str | None = None) -> list[SKU]:
    """Build the SKU grid from spec axes (colour × size …): SKUs whose spec already exists keep
    their code and prices, new combinations get `<code_prefix>-<n>` and `sale_price`, SKUs whose
    spec is no longer a combination are deactivated."""
    product = _locked_product(product_id)
    combinations = spec_combinations(axes)
    if len(combinations) > MAX_VARIANTS:
        raise _one("axes", _("At most %(n)d variants.") % {"n": MAX_VARIANTS})
    current = {tuple(sorted(s.spec.items())): s for s in product.skus.order_by("pk")}
    used = set(SKU.objects.values_list("code", flat=True))
    items, counter = [], 0
    for spec in combinations:
        sku = current.get(tuple(sorted(spec.items())))
        if sku is not None:
            items.append({"id": sku.pk, "code": sku.code, "gtin": sku.gtin, "spec": spec,
                          "weight_grams": sku.weight_grams, "is_active": True,
                          **{f: getattr(sku, f) for f in PRICE_FIELDS}})
            continue
        counter += 1
        while f"{code_prefix}-{counter}" in used:
            counter += 1
        items.append({"code": f"{code_prefix}-{counter}", "spec": spec, "sale_price": sale_price})
    return _sku_set(product=product, items=items, actor=actor, shop_id=shop_id, ip=ip)


@transaction.atomic
def sku_price_update(*, actor, shop_id: int, sku_id: int, prices: dict, ip: str | None = None) -> SKU:
    """Change some of a SKU's prices (market, sale, member, cost). No review is needed; the
    change is audited with before/after and queued for the mall offer index."""
    sku = SKU.objects.select_for_update().filter(pk=sku_id).first()
    if sku is None:
        raise NotFound(_("No such SKU."))
    errors: dict[str, list[str]] = {}
    values = _clean_prices(prices, errors, "", partial=True)
    if "sale_price" in prices and values.get("sale_price") is None and "sale_price" not in errors:
        errors["sale_price"] = [_("This field is required.")]
    if not errors:
        member = values.get("member_price", sku.member_price)
        sale = values.get("sale_price", sku.sale_price)
        if member is not None and sale is not None and member > sale:
            errors["member_price"] = [_("The member price cannot be above the sale price.")]
    if errors:
        raise _invalid(errors)
    before = price_snapshot(sku)
    for field, value in values.items():
        setattr(sku, field, value)
    if values:
        sku.save(update_fields=list(values))
    if price_change_audit(sku=sku, before=before, actor=actor, shop_id=shop_id, ip=ip):
        _outbox("price", sku.product_id, sku.pk)
    return sku


# --- media -------------------------------------------------------------------------------------


def _checked(field: str, check, upload):
    try:
        return check(upload)
    except ValidationError as exc:
        raise _one(field, exc.messages[0]) from exc


def _live_images(product: Product) -> list[dict]:
    return [
        {"image": i.image.name, "thumbnail": i.thumbnail.name, "width": i.width, "height": i.height}
        for i in product.images.all()
    ]


def _proposed_images(product: Product) -> list[dict]:
    pending = product.revisions.filter(status=RevisionStatus.PENDING).first()
    if pending is not None and "images" in pending.data:
        return list(pending.data["images"])
    return _live_images(product)


def _refuse_if_pending(product: Product) -> None:
    if product.status == ProductStatus.PENDING:
        raise Conflict(_("The product is waiting for review; change its media after the decision."),
                       code="under_review")


@transaction.atomic
def image_add(*, actor, product_id: int, upload) -> ProductImage | ProductRevision:
    """Add an image (JPEG/PNG/WebP by content, ≤ 10 MB, sides 200–6000 px) with a 400 px WebP
    thumbnail. On a moderated product the image joins the pending revision instead."""
    product = _locked_product(product_id)
    _refuse_if_pending(product)
    checked = _checked("image", media.check_image, upload)
    images = _proposed_images(product) if product.status in MODERATED else _live_images(product)
    if len(images) >= MAX_IMAGES:
        raise _one("image", _("A product has at most %(n)d images.") % {"n": MAX_IMAGES})
    name = upload.name or "image"
    if product.status in MODERATED:
        entry = {
            "image": default_storage.save(product_image_path(None, name), upload),
            "thumbnail": default_storage.save(product_thumb_path(None, "t.webp"), checked.thumbnail),
            "width": checked.width, "height": checked.height,
        }
        return moderation.revision_propose(product=product, data={"images": [*images, entry]},
                                           actor_user_id=actor.pk)
    image = ProductImage(product=product, width=checked.width, height=checked.height, sort=len(images))
    image.image.save(name, upload, save=False)
    image.thumbnail.save("t.webp", checked.thumbnail, save=False)
    image.save()
    return image


def _delete_files_after_commit(*names: str) -> None:
    names = tuple(n for n in names if n)
    transaction.on_commit(lambda: [default_storage.delete(n) for n in names])


@transaction.atomic
def image_remove(*, actor, product_id: int, image_id: int) -> ProductRevision | None:
    """Remove one of the product's images (a moderated product: proposed in its revision)."""
    product = _locked_product(product_id)
    _refuse_if_pending(product)
    image = product.images.filter(pk=image_id).first()
    if image is None:
        raise NotFound(_("No such image."))
    if product.status in MODERATED:
        images = [e for e in _proposed_images(product) if e["image"] != image.image.name]
        return moderation.revision_propose(product=product, data={"images": images}, actor_user_id=actor.pk)
    image.delete()
    _delete_files_after_commit(image.image.name, image.thumbnail.name)
    return None


@transaction.atomic
def images_reorder(*, actor, product_id: int, image_ids: list[int]) -> ProductRevision | None:
    """Put the product's images in the order of `image_ids` (all of them, each once)."""
    product = _locked_product(product_id)
    _refuse_if_pending(product)
    images = {i.pk: i for i in product.images.all()}
    try:
        ids = [int(i) for i in image_ids]
    except (TypeError, ValueError) as exc:
        raise _one("image_ids", _("Send the ids of all the product's images.")) from exc
    if sorted(ids) != sorted(images):
        raise _one("image_ids", _("Send the ids of all the product's images, each once."))
    if product.status in MODERATED:
        order = {images[pk].image.name: n for n, pk in enumerate(ids)}
        proposed = sorted(_proposed_images(product), key=lambda e: order.get(e["image"], len(order)))
        return moderation.revision_propose(product=product, data={"images": proposed}, actor_user_id=actor.pk)
    for sort, pk in enumerate(ids):
        if images[pk].sort != sort:
            images[pk].sort = sort
            images[pk].save(update_fields=["sort"])
    return None


@transaction.atomic
def video_set(*, actor, product_id: int, upload) -> Product | ProductRevision:
    """Set the product's video (MP4 or WebM by content, ≤ 50 MB), replacing any earlier one."""
    product = _locked_product(product_id)
    _refuse_if_pending(product)
    _checked("video", media.check_video, upload)
    name = upload.name or "video"
    if product.status in MODERATED:
        stored = default_storage.save(product_video_path(None, name), upload)
        return moderation.revision_propose(product=product, data={"video": stored}, actor_user_id=actor.pk)
    old = product.video.name
    product.video.save(name, upload, save=False)
    product.save(update_fields=["video", "updated_at"])
    _delete_files_after_commit(old)
    return product


@transaction.atomic
def video_remove(*, actor, product_id: int) -> Product | ProductRevision:
    """Remove the product's video (a moderated product: proposed in its revision)."""
    product = _locked_product(product_id)
    _refuse_if_pending(product)
    if product.status in MODERATED:
        return moderation.revision_propose(product=product, data={"video": ""}, actor_user_id=actor.pk)
    old = product.video.name
    product.video = ""
    product.save(update_fields=["video", "updated_at"])
    _delete_files_after_commit(old)
    return product


# --- shop categories ---------------------------------------------------------------------------


def _clean_category(data: dict, *, category_id: int | None = None) -> dict:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    if category_id is None or "name" in data:
        out["name"] = _text(data.get("name"), "name", errors, max_len=40, min_len=1)
    if "parent_id" in data:
        parent_id = _optional_id(data["parent_id"], "parent_id", errors)
        if parent_id is not None and "parent_id" not in errors:
            parent = ShopCategory.objects.filter(pk=parent_id).first()
            if parent is None:
                errors["parent_id"] = [_("No such shop category: %(id)s.") % {"id": parent_id}]
            elif parent.parent_id is not None or parent_id == category_id:
                errors["parent_id"] = [_("Shop categories have two levels; choose a top-level parent.")]
            elif category_id is not None and ShopCategory.objects.filter(parent_id=category_id).exists():
                errors["parent_id"] = [_("A category with subcategories stays at the top level.")]
        out["parent_id"] = parent_id
    if "sort" in data:
        try:
            out["sort"] = int(data["sort"] or 0)
            if not 0 <= out["sort"] <= 32767:
                raise ValueError
        except (TypeError, ValueError):
            errors["sort"] = [_("Enter a whole number from 0 to 32767.")]
    if errors:
        raise _invalid(errors)
    return out


@transaction.atomic
def shop_category_create(*, data: dict) -> ShopCategory:
    """Create a shop shelf category (two levels: top level or under a top-level one)."""
    return ShopCategory.objects.create(**_clean_category(data))


@transaction.atomic
def shop_category_update(*, category_id: int, data: dict) -> ShopCategory:
    category = ShopCategory.objects.select_for_update().filter(pk=category_id).first()
    if category is None:
        raise NotFound(_("No such shop category."))
    values = _clean_category(data, category_id=category_id)
    for field, value in values.items():
        setattr(category, field, value)
    if values:
        category.save(update_fields=list(values))
    return category


@transaction.atomic
def shop_category_delete(*, category_id: int) -> None:
    """Delete a category without subcategories; its products simply leave it."""
    category = ShopCategory.objects.select_for_update().filter(pk=category_id).first()
    if category is None:
        raise NotFound(_("No such shop category."))
    if category.children.exists():
        raise Conflict(_("Delete or move its subcategories first."), code="has_children")
    category.delete()
