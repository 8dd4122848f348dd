"""Seed a demo mall: an operator, four approved shops (through the real onboarding flow), a
consumer, and a small catalog, so that mall search, the mall product page and the compare page
show something on a fresh `make up`. Idempotent: what exists is left as it is; a demo product is
recognised by its SKU code, so a second run creates nothing.

The catalog goes the way a person would take it, service by service: the operator adds a few
platform sub-categories with typed attributes (taxonomy); each merchant opens a warehouse (the tea
shop also an offline store with pickup in 杭州), creates the products (catalog), buys the opening
stock (purchasing: supplier, purchase order, receipt) and submits them; the operator approves them
(moderation); the merchant puts them on sale. The shop's offer outbox is then drained at once, so
the mall offer index and the search documents are filled before any worker runs, and grouping and
the search vocabulary are refreshed once (the beat keeps them fresh afterwards).
"""

import io
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django_tenants.utils import schema_context
from PIL import Image, ImageDraw, ImageFont

from backend.lib.validators import credit_code_check_char
from shared_apps.accounts.models import OperatorRole, User
from shared_apps.onboarding import services as onboarding
from shared_apps.taxonomy.models import Category
from tenants.models import Shop

OPERATOR = ("admin@mall.localhost", "Operator#2026", "平台管理员")
SHOPPER = ("shopper@example.com", "Shopper#2026", "小明")
MERCHANT_PASSWORD = "Merchant#2026"
SHOPS = [
    ("tea", "西湖茶庄", "杭州西湖茶业有限公司", "owner@tea.example", ["food"]),
    ("gadgets", "极客数码", "深圳极客数码科技有限公司", "owner@gadgets.example", ["digital", "computers"]),
    ("books", "书香阁", "北京书香文化传媒有限公司", "owner@books.example", ["books"]),
    ("digital", "数码港", "广州数码港电子商务有限公司", "owner@digital.example", ["digital", "computers"]),
]


def _licence_png(text: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (640, 420), "white")
    ImageDraw.Draw(image).text((30, 30), f"Business licence (demo)\n{text}", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile("licence.png", buffer.getvalue(), content_type="image/png")


def _user(email: str, password: str, name: str, **extra) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email, password, display_name=name, **extra)
    return user


class Command(BaseCommand):
    help = "Seed a demo mall (idempotent)."

    def handle(self, *args, **options):
        operator = _user(*OPERATOR, operator_role=OperatorRole.ADMIN)
        _user(*SHOPPER)
        for index, (subdomain, name, company, email, categories) in enumerate(SHOPS, start=1):
            if Shop.objects.filter(subdomain=subdomain).exists():
                continue
            owner = _user(email, MERCHANT_PASSWORD, f"{name}店主")
            first17 = f"9133{index:014d}"[:17]
            with transaction.atomic():
                application = onboarding.application_create(applicant=owner)
                onboarding.application_update(application_id=application.pk, actor=owner, data={
                    "shop_name": name, "subdomain": subdomain, "company_name": company,
                    "credit_code": first17 + credit_code_check_char(first17),
                    "contact_name": "店主", "contact_phone": f"1380000{index:04d}",
                    "bank_name": "招商银行", "bank_branch": "总行营业部", "bank_account_name": company,
                    "bank_account_number": f"62258801{index:08d}",
                    "category_ids": list(Category.objects.filter(code__in=categories).values_list("pk", flat=True)),
                })
                onboarding.document_add(application_id=application.pk, actor=owner,
                                        kind="business_licence", upload=_licence_png(company))
                onboarding.application_submit(application_id=application.pk, actor=owner)
                onboarding.application_approve(application_id=application.pk, actor=operator)
            self.stdout.write(f"seeded shop {subdomain}")
        for shop in Shop.objects.filter(subdomain__in=[s[0] for s in SHOPS]):
            _seed_freight(shop)
        _seed_commission(operator)
        _seed_categories(operator)
        made = 0
        for shop in Shop.objects.filter(subdomain__in=list(DEMO_CATALOG)).select_related("owner").order_by("pk"):
            count = _seed_catalog(shop, operator, DEMO_CATALOG[shop.subdomain])
            if count:
                self.stdout.write(f"seeded {count} products in shop {shop.subdomain}")
            made += count
        if made:
            _refresh_mall_indexes()


def _seed_commission(operator) -> None:
    """A platform default commission of 5 % from the start of the year, when no rule exists."""
    import datetime

    from django.utils import timezone

    from shared_apps.settlement import services as settlement
    from shared_apps.settlement.models import CommissionRule

    if not CommissionRule.objects.exists():
        settlement.commission_rule_create(rate="0.0500", effective_from=datetime.date(timezone.localdate().year, 1, 1),
                                          actor_user_id=operator.pk, note="demo platform default")


# The demo shops' express delivery: by weight, free from ¥99, remote provinces dearer.
DEMO_FREIGHT = {
    "name": "全国快递", "method": "express", "basis": "weight",
    "first_units": 1000, "first_price": "8.00", "additional_units": 1000, "additional_price": "4.00",
    "free_threshold": "99.00",
    "rules": [{"regions": ["650000", "540000", "630000"], "first_price": "20.00", "additional_price": "10.00"}],
}


def _seed_freight(shop) -> None:
    """One express template for a demo shop that has none (idempotent)."""
    from tenant_apps.freight import services as freight
    from tenant_apps.freight.models import FreightTemplate

    with schema_context(shop.schema_name):
        if not FreightTemplate.objects.exists():
            freight.template_create(data=DEMO_FREIGHT, shop_id=shop.pk)


# --- the demo catalog ----------------------------------------------------------------------------

# Platform sub-categories the demo products sit in, with their typed attributes (the compare page
# lines products up by these): (parent code, code, name, English name, attributes), an attribute
# being (code, name, English name, value type, unit, choices).
DEMO_CATEGORIES = [
    ("digital", "phones", "手机", "Mobile phones", [
        ("storage", "机身存储", "Storage", "integer", "GB", []),
        ("ram", "运行内存", "RAM", "integer", "GB", []),
        ("screen_size", "屏幕尺寸", "Screen size", "decimal", "英寸", []),
        ("network", "网络制式", "Network", "choice", "", ["5G", "4G"]),
    ]),
    ("digital", "headphones", "耳机", "Headphones", [
        ("wearing", "佩戴方式", "Wearing style", "choice", "", ["入耳式", "半入耳式", "头戴式"]),
        ("noise_cancelling", "主动降噪", "Active noise cancelling", "boolean", "", []),
        ("battery_hours", "续航时间", "Battery life", "integer", "小时", []),
    ]),
    ("computers", "laptops", "笔记本电脑", "Laptops", [
        ("cpu", "处理器", "Processor", "text", "", []),
        ("ram", "内存容量", "RAM", "integer", "GB", []),
        ("storage", "硬盘容量", "Storage", "integer", "GB", []),
        ("screen_size", "屏幕尺寸", "Screen size", "decimal", "英寸", []),
    ]),
    ("food", "tea", "茶叶", "Tea", [
        ("tea_type", "茶类", "Type of tea", "choice", "", ["绿茶", "红茶", "乌龙茶", "白茶", "黄茶", "黑茶", "花茶"]),
        ("origin", "产地", "Origin", "text", "", []),
        ("net_content", "净含量", "Net content", "integer", "g", []),
    ]),
    ("books", "printed-books", "图书", "Printed books", [
        ("author", "作者", "Author", "text", "", []),
        ("publisher", "出版社", "Publisher", "text", "", []),
        ("binding", "装帧", "Binding", "choice", "", ["平装", "精装"]),
    ]),
]


@dataclass(frozen=True)
class DemoProduct:
    sku: str  # the shop's SKU code: stable, and how a second run knows the product is there
    title: str
    brand: str
    model: str
    category: str  # platform category code
    price: str
    market_price: str
    cost: str  # unit cost of the opening purchase
    stock: int
    weight_grams: int
    label: str  # the placeholder image's caption (ASCII: no CJK font is assumed on the machine)
    attributes: dict = field(default_factory=dict)
    spec: dict = field(default_factory=dict)
    subtitle: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoLocation:
    code: str
    name: str
    province: str  # GB/T 2260 region codes
    city: str
    district: str
    address: str
    store: bool = False  # an offline store (线下门店) that hands goods over, not a warehouse
    phone: str = ""
    opening_hours: str = ""


@dataclass(frozen=True)
class ShopCatalog:
    colour: str  # the placeholder images' background
    supplier: tuple[str, str, str]  # code, name, contact
    warehouse: DemoLocation
    products: list[DemoProduct]
    store: DemoLocation | None = None
    store_units: int = 0  # units of each product moved from the warehouse to the store


def _phone(storage: int, ram: int, screen: str) -> dict:
    return {"storage": storage, "ram": ram, "screen_size": screen, "network": "5G"}


def _book(author: str, publisher: str, binding: str = "平装") -> dict:
    return {"author": author, "publisher": publisher, "binding": binding}


# Both 极客数码 (gadgets) and 数码港 (digital) sell the Mate 60 Pro and the iPhone 15 Pro, spelled
# differently (华为 / HUAWEI, Mate 60 Pro / Mate60 Pro, Apple / 苹果) and at different prices, so
# the comparison engine files each pair into one group and the product page shows two shops.
DEMO_CATALOG: dict[str, ShopCatalog] = {
    "tea": ShopCatalog(
        colour="#2f6b3a",
        supplier=("SUP-LJ", "杭州西湖龙井茶叶专业合作社", "陈师傅"),
        warehouse=DemoLocation("WH-HZ", "杭州余杭仓", "330000", "330100", "330110", "仓前街道文一西路 1500 号"),
        store=DemoLocation("STORE-HZ-XH", "西湖茶庄·龙井路门店", "330000", "330100", "330106", "龙井路 88 号",
                           store=True, phone="0571-87960088", opening_hours="09:00-21:00"),
        store_units=10,
        products=[
            DemoProduct("TEA-LJ-MQ-250", "狮峰牌 西湖龙井 2024年明前特级 绿茶 250g 礼盒装", "狮峰", "明前特级",
                        "tea", "598.00", "698.00", "420.00", 60, 650, "West Lake Longjing 250g",
                        {"tea_type": "绿茶", "origin": "浙江杭州", "net_content": 250},
                        subtitle="核心产区狮峰山 手工炒制 豆香馥郁", tags=("hot",)),
            DemoProduct("TEA-AJBC-100", "宋茗 安吉白茶 2024新茶 特级 100g 罐装", "宋茗", "特级",
                        "tea", "268.00", "298.00", "180.00", 80, 260, "Anji Bai Cha 100g",
                        {"tea_type": "绿茶", "origin": "浙江安吉", "net_content": 100}, tags=("new",)),
            DemoProduct("TEA-ZSXZ-200", "元正 正山小种 红茶 武夷山桐木关 200g", "元正", "正山小种",
                        "tea", "168.00", "198.00", "110.00", 100, 320, "Lapsang Souchong 200g",
                        {"tea_type": "红茶", "origin": "福建武夷山", "net_content": 200}),
            DemoProduct("TEA-TGY-500", "八马茶业 安溪铁观音 浓香型 乌龙茶 500g 袋装", "八马", "浓香型",
                        "tea", "238.00", "268.00", "150.00", 80, 600, "Tieguanyin 500g",
                        {"tea_type": "乌龙茶", "origin": "福建安溪", "net_content": 500}),
            DemoProduct("TEA-DY7572-357", "大益 7572 普洱茶 熟茶 357g 饼茶", "大益", "7572",
                        "tea", "199.00", "229.00", "130.00", 120, 420, "Dayi 7572 Pu'er 357g",
                        {"tea_type": "黑茶", "origin": "云南勐海", "net_content": 357}, tags=("hot",)),
            DemoProduct("TEA-MLH-250", "张一元 茉莉花茶 特级 飘雪 250g 罐装", "张一元", "特级飘雪",
                        "tea", "88.00", "108.00", "52.00", 150, 330, "Jasmine tea 250g",
                        {"tea_type": "花茶", "origin": "广西横州", "net_content": 250}),
        ],
    ),
    "gadgets": ShopCatalog(
        colour="#1f4e79",
        supplier=("SUP-HQB", "深圳华强北数码分销有限公司", "林经理"),
        warehouse=DemoLocation("WH-SZ", "深圳南山仓", "440000", "440300", "440305", "科技园深南大道 9966 号"),
        products=[
            DemoProduct("GK-MATE60P-512-GRN", "华为 HUAWEI Mate 60 Pro 12GB+512GB 雅川青 卫星通话 智能手机", "华为",
                        "Mate 60 Pro", "phones", "6999.00", "7999.00", "6100.00", 30, 225, "HUAWEI Mate 60 Pro",
                        _phone(512, 12, "6.82"), {"颜色": "雅川青"}, tags=("hot",)),
            DemoProduct("GK-IP15P-256-NAT", "Apple iPhone 15 Pro (A3104) 256GB 原色钛金属 支持移动联通电信5G 双卡双待手机",
                        "Apple", "iPhone 15 Pro", "phones", "7999.00", "8999.00", "7200.00", 25, 187,
                        "Apple iPhone 15 Pro", _phone(256, 8, "6.1"), {"颜色": "原色钛金属"}),
            DemoProduct("GK-MI14U-512-BLK", "小米 Xiaomi 14 Ultra 16GB+512GB 黑色 徕卡光学 5G手机", "小米", "14 Ultra",
                        "phones", "6499.00", "6999.00", "5700.00", 20, 220, "Xiaomi 14 Ultra",
                        _phone(512, 16, "6.73"), {"颜色": "黑色"}, tags=("new",)),
            DemoProduct("GK-AIRPODSPRO2-USBC", "Apple AirPods Pro（第二代）主动降噪无线蓝牙耳机 USB-C 充电盒", "Apple",
                        "AirPods Pro 2", "headphones", "1799.00", "1899.00", "1450.00", 50, 51, "AirPods Pro 2",
                        {"wearing": "入耳式", "noise_cancelling": True, "battery_hours": 6}),
            DemoProduct("GK-X1C-G12-U7-32-1T", "联想 ThinkPad X1 Carbon 2024 14英寸轻薄商务笔记本电脑 Ultra7 32GB 1TB",
                        "联想", "ThinkPad X1 Carbon Gen 12", "laptops", "12999.00", "14999.00", "11200.00", 10, 1090,
                        "ThinkPad X1 Carbon",
                        {"cpu": "Intel Core Ultra 7 155U", "ram": 32, "storage": 1024, "screen_size": "14"}),
            DemoProduct("GK-MXM3S-GRY", "罗技 Logitech MX Master 3S 无线蓝牙鼠标 静音 人体工学 石墨黑", "罗技",
                        "MX Master 3S", "computers", "699.00", "749.00", "520.00", 60, 141, "Logitech MX Master 3S",
                        spec={"颜色": "石墨黑"}),
        ],
    ),
    "digital": ShopCatalog(
        colour="#5b3a8c",
        supplier=("SUP-GZ", "广州天河数码供应链有限公司", "黄经理"),
        warehouse=DemoLocation("WH-GZ", "广州天河仓", "440000", "440100", "440106", "中山大道西 89 号"),
        products=[
            DemoProduct("DG-MATE60PRO-512-BLK", "HUAWEI Mate60 Pro 12+512GB 雅丹黑 鸿蒙智能手机", "HUAWEI",
                        "Mate60 Pro", "phones", "6899.00", "7999.00", "6050.00", 20, 225, "HUAWEI Mate60 Pro",
                        _phone(512, 12, "6.82"), {"颜色": "雅丹黑"}),
            DemoProduct("DG-IPHONE15PRO-256-BLK", "苹果 Apple iPhone 15 Pro 256GB 黑色钛金属 5G手机", "苹果",
                        "iPhone 15 Pro", "phones", "8099.00", "8999.00", "7250.00", 15, 187, "iPhone 15 Pro",
                        _phone(256, 8, "6.1"), {"颜色": "黑色钛金属"}),
            DemoProduct("DG-MAGIC6PRO-512-BLK", "荣耀 HONOR Magic6 Pro 16GB+512GB 绒黑色 5G手机", "荣耀", "Magic6 Pro",
                        "phones", "5699.00", "6299.00", "4950.00", 20, 225, "HONOR Magic6 Pro",
                        _phone(512, 16, "6.8"), {"颜色": "绒黑色"}, tags=("new",)),
            DemoProduct("DG-WH1000XM5-BLK", "索尼 SONY WH-1000XM5 头戴式无线降噪耳机 黑色", "索尼", "WH-1000XM5",
                        "headphones", "2299.00", "2999.00", "1850.00", 30, 250, "SONY WH-1000XM5",
                        {"wearing": "头戴式", "noise_cancelling": True, "battery_hours": 30}, {"颜色": "黑色"},
                        tags=("promotion",)),
            DemoProduct("DG-OSMOPOCKET3", "大疆 DJI Osmo Pocket 3 一英寸口袋云台相机 标准版", "大疆", "Osmo Pocket 3",
                        "digital", "3399.00", "3499.00", "2900.00", 15, 179, "DJI Osmo Pocket 3"),
            DemoProduct("DG-MATEPADPRO132-256", "华为 HUAWEI MatePad Pro 13.2英寸 12GB+256GB WiFi 曜金黑 平板电脑",
                        "华为", "MatePad Pro 13.2", "digital", "5199.00", "5699.00", "4500.00", 12, 580,
                        "HUAWEI MatePad Pro 13.2", spec={"颜色": "曜金黑"}),
        ],
    ),
    "books": ShopCatalog(
        colour="#8a5a2b",
        supplier=("SUP-BJ", "北京图书发行有限公司", "王经理"),
        warehouse=DemoLocation("WH-BJ", "北京朝阳仓", "110000", "110100", "110105", "东三环北路 38 号"),
        products=[
            DemoProduct("BK-SANTI-SET3", "三体（全三册）刘慈欣 著 中国科幻基石丛书", "重庆出版社", "",
                        "printed-books", "93.00", "168.00", "60.00", 200, 1200, "The Three-Body Problem",
                        _book("刘慈欣", "重庆出版社"), tags=("hot",)),
            DemoProduct("BK-HUOZHE", "活着 余华 著 作家出版社", "作家出版社", "", "printed-books", "35.00", "45.00",
                        "22.00", 300, 280, "To Live", _book("余华", "作家出版社")),
            DemoProduct("BK-BAINIANGUDU", "百年孤独 加西亚·马尔克斯 著 范晔 译 精装", "南海出版公司", "",
                        "printed-books", "39.90", "55.00", "26.00", 150, 520, "One Hundred Years of Solitude",
                        _book("加西亚·马尔克斯", "南海出版公司", "精装")),
            DemoProduct("BK-RENLEIJIANSHI", "人类简史：从动物到上帝 尤瓦尔·赫拉利 著 林俊宏 译", "中信出版社", "",
                        "printed-books", "49.90", "68.00", "33.00", 150, 560, "Sapiens",
                        _book("尤瓦尔·赫拉利", "中信出版社")),
            DemoProduct("BK-WEICHENG", "围城 钱钟书 著 人民文学出版社", "人民文学出版社", "", "printed-books", "29.90",
                        "39.00", "19.00", 180, 380, "Fortress Besieged", _book("钱钟书", "人民文学出版社")),
            DemoProduct("BK-PYCRASH-3E", "Python编程：从入门到实践（第3版）埃里克·马瑟斯 著", "人民邮电出版社", "",
                        "printed-books", "89.90", "109.80", "60.00", 100, 900, "Python Crash Course 3e",
                        _book("Eric Matthes", "人民邮电出版社"), tags=("new",)),
        ],
    ),
}


def _seed_categories(operator) -> None:
    """The demo's platform sub-categories and their attributes, where missing (taxonomy services)."""
    from shared_apps.search import text
    from shared_apps.taxonomy import services as taxonomy
    from shared_apps.taxonomy.models import AttributeDefinition

    added = False
    for parent_code, code, name, name_en, attributes in DEMO_CATEGORIES:
        category = Category.objects.filter(code=code).first()
        if category is None:
            parent = Category.objects.get(code=parent_code)
            category = taxonomy.category_create(actor=operator, parent_id=parent.pk, code=code, name=name,
                                                name_en=name_en)
            added = True
        have = set(AttributeDefinition.objects.filter(category=category).values_list("code", flat=True))
        for sort, (attr_code, attr_name, attr_en, value_type, unit, choices) in enumerate(attributes):
            if attr_code not in have:
                taxonomy.attribute_create(actor=operator, category_id=category.pk, code=attr_code, data={
                    "name": attr_name, "name_en": attr_en, "value_type": value_type, "unit": unit,
                    "choices": choices, "sort": sort})
    if added:
        text.dictionary_reset()  # category names are search words: index the products with them


def _product_png(label: str, colour: str) -> SimpleUploadedFile:
    """A plain placeholder picture: the product's name on the shop's colour."""
    image = Image.new("RGB", (480, 480), colour)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((40, 160, 440, 320), radius=24, fill="white")
    try:
        font = ImageFont.load_default(size=28)
    except (TypeError, OSError):  # a Pillow without FreeType: the small bitmap font
        font = ImageFont.load_default()
    draw.text((240, 240), label, fill=colour, font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile("product.png", buffer.getvalue(), content_type="image/png")


def _location(location: DemoLocation):
    """The shop's location with this code, opened if missing (inventory services)."""
    from tenant_apps.inventory import services as inventory
    from tenant_apps.inventory.models import Location, LocationKind

    found = Location.objects.filter(code=location.code).first()
    if found is not None:
        return found
    return inventory.location_create(data={
        "kind": LocationKind.STORE if location.store else LocationKind.WAREHOUSE, "name": location.name,
        "code": location.code, "province_code": location.province, "city_code": location.city,
        "district_code": location.district, "address_detail": location.address,
        "phone": location.phone, "opening_hours": location.opening_hours,
        "sells_online": not location.store, "does_pickup": location.store, "is_active": True,
    })


def _seed_catalog(shop, operator, plan: ShopCatalog) -> int:
    """Put on sale the demo products the shop lacks, with stock. Returns how many were made.

    One transaction per shop, so an interrupted run leaves no half-seeded product behind and the
    next run starts the shop over."""
    from shared_apps.moderation import services as moderation
    from shared_apps.moderation.models import ItemStatus, ModerationItem
    from tenant_apps.catalog import review
    from tenant_apps.catalog import services as catalog
    from tenant_apps.catalog.models import SKU
    from tenant_apps.catalog.outbox import drain_all
    from tenant_apps.inventory import services as inventory
    from tenant_apps.purchasing import services as purchasing
    from tenant_apps.purchasing.models import Supplier

    owner = shop.owner
    categories = dict(Category.objects.filter(code__in={p.category for p in plan.products}).values_list("code", "pk"))
    with transaction.atomic():
        with schema_context(shop.schema_name):
            have = set(SKU.objects.filter(code__in=[p.sku for p in plan.products]).values_list("code", flat=True))
            missing = [p for p in plan.products if p.sku not in have]
            if not missing:
                return 0
            warehouse = _location(plan.warehouse)
            store = _location(plan.store) if plan.store else None
            made = []  # (demo product, product id, SKU id)
            for item in missing:
                product = catalog.product_create(actor=owner, shop_id=shop.pk, data={
                    "title": item.title, "subtitle": item.subtitle, "brand": item.brand, "model": item.model,
                    "platform_category_id": categories[item.category], "attributes": item.attributes,
                    "weight_grams": item.weight_grams, "tags": list(item.tags),
                    "skus": [{"code": item.sku, "sale_price": item.price, "market_price": item.market_price,
                              "spec": item.spec}],
                })
                catalog.image_add(actor=owner, product_id=product.pk, upload=_product_png(item.label, plan.colour))
                made.append((item, product.pk, product.skus.get().pk))

            # The opening stock, bought like any other: one purchase order, received in full.
            code, name, contact = plan.supplier
            supplier = Supplier.objects.filter(code=code).first() or purchasing.supplier_create(
                data={"code": code, "name": name, "contact": contact, "payment_terms": "月结 30 天"})
            order = purchasing.order_create(
                supplier_id=supplier.pk, location_id=warehouse.pk, actor_user_id=owner.pk, note="开业备货",
                lines=[purchasing.OrderLineInput(sku_id=sku_id, quantity=item.stock, unit_cost=item.cost)
                       for item, _product_id, sku_id in made])
            purchasing.order_place(order_id=order.pk, actor=owner, shop_id=shop.pk)
            purchasing.receipt_post(
                order_id=order.pk, actor=owner, shop_id=shop.pk, idempotency_key=f"seed-demo-{made[0][0].sku}",
                lines=[purchasing.QuantityInput(line_id=line.pk, quantity=line.quantity_ordered)
                       for line in order.lines.all()])
            if store is not None and plan.store_units:
                inventory.transfer(from_location_id=warehouse.pk, to_location_id=store.pk,
                                   items=[(sku_id, plan.store_units) for _item, _p, sku_id in made],
                                   actor_user_id=owner.pk, reason="门店铺货")
            for _item, product_id, _sku_id in made:
                catalog.product_submit(product_id=product_id, actor_user_id=owner.pk)
        for _item, product_id, _sku_id in made:
            item_id = ModerationItem.objects.get(shop=shop, product_id=product_id, status=ItemStatus.PENDING).pk
            moderation.moderation_decide(item_id=item_id, actor=operator, approve=True)
        with schema_context(shop.schema_name):
            for _item, product_id, _sku_id in made:
                review.product_list(product_id=product_id, actor_user_id=owner.pk)
            drain_all()  # the mall offer index and search documents, now rather than by the worker
    return len(made)


def _refresh_mall_indexes() -> None:
    """What the beat does every few seconds, done once so the first page load finds it: group the
    new offers for comparison with their groups' first price-history point, rebuild the search
    vocabulary and the suggestions."""
    from shared_apps.comparison import history
    from shared_apps.comparison import services as comparison
    from shared_apps.search import services as search

    comparison.group_offers()
    history.price_points_record(group_ids=None)
    search.vocabulary_refresh()
    search.suggestions_refresh()
