"""Grouping offers of the mall index into comparison groups, and operators correcting it."""

from decimal import Decimal

import pytest
from django.db import connection

from backend.api.errors import Conflict, Forbidden
from shared_apps.audit.models import AuditEntry
from shared_apps.comparison import selectors, services, tasks
from shared_apps.comparison.models import ComparisonGroup, GroupKind, GroupMember, GroupSettings
from shared_apps.offers.models import OfferText
from tenants.models import ShopStatus
from tests.conftest import run_threads

pytestmark = pytest.mark.django_db


def group_of(offer) -> int:
    return GroupMember.objects.get(offer=offer).group_id


def test_same_standard_product_in_three_shops_is_one_group(shops, offer, phones):
    rows = [offer(shop, title, standard_product_id=77, category=phones, spec={"颜色": colour, "存储容量": "512GB"})
            for shop, title, colour in zip(shops, ["华为 Mate 60 Pro 512GB 雅川青", "HUAWEI Mate60 Pro 旗舰手机",
                                                   "Mate 60 Pro 5G 华为手机 曜金黑"], ["雅川青", "白沙银", "曜金黑"],
                                          strict=True)]
    result = services.group_offers()
    assert (result.offers, result.moved, result.groups_created) == (3, 3, 1)
    group = ComparisonGroup.objects.get()
    assert (group.kind, group.key, group.standard_product_id) == (GroupKind.STANDARD_PRODUCT, "sp:77|cap=512", 77)
    assert {group_of(r) for r in rows} == {group.pk}
    assert services.group_offers().moved == 0  # nothing changed, nothing written


def test_standard_product_storage_sizes_are_different_groups(shops, offer, phones):
    small = offer(shops[0], "华为 Mate 60 Pro 12+256GB", standard_product_id=77, category=phones)
    large = offer(shops[1], "华为 Mate 60 Pro", standard_product_id=77, category=phones, spec={"storage": "512G"})
    services.group_offers()
    assert group_of(small) != group_of(large)


def test_near_duplicate_titles_are_one_group(shops, offer, phones):
    a = offer(shops[0], "华为 Mate 60 Pro 12+512GB 雅川青", category=phones)
    b = offer(shops[1], "HUAWEI Mate60 Pro 512G 手机 雅川青", category=phones)
    c = offer(shops[2], "华为 Mate 60 Pro 12+256GB 雅川青", category=phones)
    d = offer(shops[2], "华为 Mate 60 12+512GB 雅川青", category=phones)  # not the Pro
    services.group_offers()
    assert group_of(a) == group_of(b)
    assert len({group_of(a), group_of(c), group_of(d)}) == 3
    assert ComparisonGroup.objects.get(pk=group_of(a)).kind == GroupKind.SIMILAR_TITLE


def test_titles_in_other_categories_are_not_compared(shops, offer, phones):
    from shared_apps.taxonomy.models import Category

    cases = Category.objects.create(code="cases-cmp", name="手机壳", name_en="Cases", level=1)
    a = offer(shops[0], "华为 Mate 60 Pro 雅川青", category=phones)
    b = offer(shops[1], "华为 Mate 60 Pro 雅川青", category=cases)
    services.group_offers()
    assert group_of(a) != group_of(b)


def test_brand_and_model_are_normalised(shops, offer, phones):
    apple = [offer(shops[0], "Apple iPhone 15 128GB 黑色", brand="Apple", model="iPhone 15", category=phones),
             offer(shops[1], "苹果15 手机 128G", brand="苹果", model="iphone15", category=phones),
             offer(shops[2], "APPLE IPHONE-15 128GB 粉色", brand="ＡＰＰＬＥ", model="IPHONE-15", category=phones)]
    huawei = [offer(shops[0], "旗舰 Mate-60", brand="华为", model="Mate-60", category=phones),
              offer(shops[1], "mate 60 手机", brand="HUAWEI", model="mate 60", category=phones)]
    services.group_offers()
    assert len({group_of(r) for r in apple}) == 1
    assert len({group_of(r) for r in huawei}) == 1
    assert ComparisonGroup.objects.get(pk=group_of(apple[0])).key == f"bm:{phones.pk}:apple|iphone15|cap=128"
    assert ComparisonGroup.objects.get(pk=group_of(huawei[0])).key == f"bm:{phones.pk}:huawei|mate60"


def test_threshold_change_is_audited_and_regroups(shops, offer, phones, operator,
                                                  django_capture_on_commit_callbacks):
    a = offer(shops[0], "华为 Mate 60 Pro 12+512GB 雅川青", category=phones)
    b = offer(shops[1], "HUAWEI Mate60 Pro 512G 手机 雅川青", category=phones)  # Jaccard 6/7
    services.group_offers()
    assert group_of(a) == group_of(b)
    with django_capture_on_commit_callbacks(execute=True):
        services.group_settings_update(similarity_threshold=Decimal("0.9"), actor=operator)
    assert group_of(a) != group_of(b)
    assert GroupSettings.objects.get().similarity_threshold == Decimal("0.90")
    entry = AuditEntry.objects.get(action="comparison.settings_update")
    assert (entry.before, entry.after, entry.actor) == (
        {"similarity_threshold": "0.60"}, {"similarity_threshold": "0.90"}, operator)
    with django_capture_on_commit_callbacks(execute=True):
        services.group_settings_update(similarity_threshold=Decimal("0.6"), actor=operator)
    assert group_of(a) == group_of(b)


def test_threshold_out_of_range_or_by_merchant_is_refused(operator, merchant_a):
    from backend.api.errors import ServiceError

    with pytest.raises(ServiceError):
        services.group_settings_update(similarity_threshold=Decimal("0.1"), actor=operator)
    with pytest.raises(Forbidden):
        services.group_settings_update(similarity_threshold=Decimal("0.7"), actor=merchant_a)
    assert not AuditEntry.objects.exists()


def test_merge_stays_and_takes_later_offers(shops, offer, phones, operator):
    a = offer(shops[0], "Apple iPhone 15 Pro 256GB", brand="Apple", model="iPhone 15 Pro", category=phones)
    b = offer(shops[1], "苹果 iPhone15Pro 国行 256G", brand="苹果", model="A3104", category=phones)
    services.group_offers()
    first, second = group_of(a), group_of(b)
    assert first != second
    merged = services.group_merge(group_ids=[first, second], actor=operator, reason="A3104 是 iPhone 15 Pro")
    assert merged.locked and group_of(b) == first
    assert not ComparisonGroup.objects.filter(pk=second).exists()
    services.group_offers()
    assert group_of(a) == group_of(b) == first
    later = offer(shops[2], "iPhone 15 Pro A3104 256GB", brand="APPLE", model="a3104", category=phones)
    services.group_offers(offer_ids=[later.pk])
    assert group_of(later) == first  # the merged-away key is now an alias
    entry = AuditEntry.objects.get(action="comparison.group_merge")
    assert (entry.target_id, entry.after, entry.reason) == (str(first), {"group": first, "offers_moved": 1},
                                                            "A3104 是 iPhone 15 Pro")


def test_split_stays(shops, offer, operator):
    rows = [offer(shop, "小米14 Ultra 16+512GB", standard_product_id=9) for shop in shops]
    services.group_offers()
    group = group_of(rows[0])
    split = services.group_split(group_id=group, offer_ids=[rows[2].pk], actor=operator, reason="翻新机")
    services.group_offers()
    assert [group_of(r) for r in rows] == [group, group, split.pk]
    assert ComparisonGroup.objects.get(pk=group).locked and split.locked
    with pytest.raises(Conflict):
        services.group_split(group_id=split.pk, offer_ids=[rows[2].pk], actor=operator)
    with pytest.raises(Forbidden):
        services.group_merge(group_ids=[group, split.pk], actor=rows[0].shop.owner)
    assert AuditEntry.objects.filter(action="comparison.group_split").count() == 1


def test_suspended_shop_is_left_out_of_reads_and_delisted_offer_leaves(shops, offer, phones,
                                                                      django_assert_num_queries):
    rows = [offer(shop, "华为 Mate 60 Pro 512GB", standard_product_id=77, price=price)
            for shop, price in zip(shops, ["5999.00", "5799.00", "6099.00"], strict=True)]
    services.group_offers()
    group = group_of(rows[0])
    with django_assert_num_queries(2):
        listed = selectors.group_offers_list(group)
    assert [(o.shop_id, o.price, o.in_stock) for o in listed] == [
        (shops[1].pk, Decimal("5799.00"), True), (shops[0].pk, Decimal("5999.00"), True),
        (shops[2].pk, Decimal("6099.00"), True)]
    shops[1].status = ShopStatus.SUSPENDED
    shops[1].save(update_fields=["status"])
    assert [o.shop_id for o in selectors.group_offers_list(group)] == [shops[0].pk, shops[2].pk]
    assert selectors.groups_for_offer(shop_id=shops[0].pk, sku_id=rows[0].sku_id).id == group
    for row in rows:
        row.delete()  # the products left the mall
    assert not GroupMember.objects.exists()
    assert services.group_offers().groups_deleted == 1
    assert not ComparisonGroup.objects.exists()


def test_sweep_regroups_changed_offers(shops, offer, phones):
    a = offer(shops[0], "Apple iPhone 15 128GB", brand="Apple", model="iPhone 15", category=phones)
    b = offer(shops[1], "苹果 iPhone 15 256GB", brand="苹果", model="iPhone 15", category=phones)
    assert tasks.regroup_changed_offers() == 2
    assert services.offers_to_regroup() == []
    assert group_of(a) != group_of(b)
    b.title = "苹果 iPhone 15 128GB"
    b.save()  # as the outbox drain's upsert does, this moves updated_at
    assert services.offers_to_regroup() == [b.pk]
    tasks.regroup_changed_offers()
    assert group_of(a) == group_of(b)
    assert ComparisonGroup.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_regroupings_file_each_offer_once(merchant_a):
    from tenants.models import Shop

    shop = Shop.objects.create(schema_name="cmp_race", subdomain="cmprace", name="Race", company_name="Race",
                               owner=merchant_a)
    OfferText.objects.bulk_create([
        OfferText(shop=shop, product_id=i, sku_id=i, title=f"华为 Mate {i % 40} Pro 512GB", brand="",
                  model="") for i in range(400)])
    outcomes = run_threads(2, lambda i: services.group_offers())
    connection.set_schema_to_public()
    assert all(isinstance(o, services.GroupingResult) for o in outcomes), outcomes
    assert GroupMember.objects.count() == 400
    assert sum(o.groups_created for o in outcomes) == ComparisonGroup.objects.count() == 40


def test_incremental_regroup_joins_a_similar_title_group_and_caches_tokens(shops, offer, phones):
    a = offer(shops[0], "华为 Mate 60 Pro 12+512GB 雅川青", category=phones)
    b = offer(shops[1], "HUAWEI Mate60 Pro 512G 手机 雅川青", category=phones)
    services.group_offers()
    group = group_of(a)
    assert sorted(GroupMember.objects.get(offer=a).tokens) == ["60", "mate", "mate60", "pro", "华为", "雅川青"]
    c = offer(shops[2], "华为Mate60Pro 512GB 雅川青 官方", category=phones)
    result = services.group_offers(offer_ids=[c.pk])
    assert (result.moved, result.groups_created) == (1, 0)
    assert group_of(a) == group_of(b) == group_of(c) == group
