"""A fixed, realistic mall catalog for search relevance (搜索评测商品库): about 300 offers of seven
active shops and one suspended shop, titles written the way Chinese shops write them (Chinese and
English mixed, brand in both languages, model numbers, storage sizes, colours), over sub-categories
of the seeded business categories (some three levels deep), with prices, sales, stock and GTINs.

Nothing here is random: tests state their expectations against these rows by key. `load()` puts
the catalog into the mall the way production does: shops are provisioned, listed offers enter the
offer index through `shared_apps.offers.interface` (what the outbox drain calls), products in every
other moderation state go through the shop's catalog services and the real drain (so they must not
reach search), the suspended shop is suspended by the operators' service, and the vocabulary and
suggestions are rebuilt by the beat task.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from backend.lib.gtin import gtin_check_digit

# --- shops ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShopRow:
    key: str  # also the subdomain
    name: str
    company: str
    suspended: bool = False


SHOPS = [
    ShopRow("shuma", "数码港官方旗舰店", "深圳数码港电子商务有限公司"),
    ShopRow("jiadian", "家电优选旗舰店", "佛山家电优选贸易有限公司"),
    ShopRow("baihuo", "优选百货", "杭州优选百货有限公司"),
    ShopRow("chaopai", "潮牌运动服饰", "泉州潮牌服饰有限公司"),
    ShopRow("meizhuang", "美妆小铺", "上海美妆小铺化妆品有限公司"),
    ShopRow("lingshi", "零食很忙", "长沙零食很忙食品有限公司"),
    ShopRow("shuxiang", "书香书城", "北京书香文化传播有限公司"),
    # Sells look-alikes of the best sellers cheaply; suspended by the platform, never shown.
    ShopRow("chaowan", "潮玩数码专营店", "深圳潮玩数码有限公司", suspended=True),
]
SUSPENDED_SHOP = "chaowan"

# --- categories: (code, parent code, name, English name); parents are the seeded top level -------

CATEGORIES = [
    ("rel-phones", "digital", "手机", "Phones"),
    ("rel-phone-accessories", "digital", "手机配件", "Phone accessories"),
    ("rel-earphones", "digital", "耳机耳麦", "Earphones"),
    ("rel-wearables", "digital", "智能穿戴", "Wearables"),
    ("rel-cameras", "digital", "摄影摄像", "Cameras"),
    ("rel-laptops", "computers", "笔记本电脑", "Laptops"),
    ("rel-gaming-laptops", "rel-laptops", "游戏本", "Gaming laptops"),
    ("rel-tablets", "computers", "平板电脑", "Tablets"),
    ("rel-peripherals", "computers", "电脑外设", "Peripherals"),
    ("rel-aircon", "appliances", "空调", "Air conditioners"),
    ("rel-cleaning", "appliances", "清洁电器", "Cleaning appliances"),
    ("rel-kitchen", "appliances", "厨房电器", "Kitchen appliances"),
    ("rel-tv", "appliances", "电视", "Televisions"),
    ("rel-large", "appliances", "冰箱洗衣机", "Fridges and washers"),
    ("rel-personal-care", "appliances", "个护电器", "Personal care appliances"),
    ("rel-shoes", "apparel", "鞋靴", "Shoes"),
    ("rel-sneakers", "rel-shoes", "运动鞋", "Sneakers"),
    ("rel-casual-shoes", "rel-shoes", "休闲鞋", "Casual shoes"),
    ("rel-menswear", "apparel", "男装", "Menswear"),
    ("rel-womenswear", "apparel", "女装", "Womenswear"),
    ("rel-bags", "apparel", "箱包", "Bags"),
    ("rel-skincare", "beauty", "护肤", "Skincare"),
    ("rel-makeup", "beauty", "彩妆", "Makeup"),
    ("rel-snacks", "food", "休闲零食", "Snacks"),
    ("rel-dairy", "food", "乳品", "Dairy"),
    ("rel-drinks", "food", "饮料酒水", "Drinks"),
    ("rel-grocery", "food", "粮油调味", "Groceries"),
    ("rel-diapers", "baby", "纸尿裤", "Diapers"),
    ("rel-formula", "baby", "奶粉", "Formula"),
    ("rel-toys", "baby", "玩具", "Toys"),
    ("rel-bedding", "home", "床上用品", "Bedding"),
    ("rel-kitchenware", "home", "厨具水具", "Kitchenware"),
    ("rel-outdoor", "sports", "户外装备", "Outdoor gear"),
    ("rel-ball-sports", "sports", "球类运动", "Ball sports"),
    ("rel-fiction", "books", "小说", "Fiction"),
    ("rel-computing", "books", "计算机", "Computing books"),
    ("rel-children", "books", "童书", "Children's books"),
]
TOP_LEVEL = ["digital", "computers", "appliances", "apparel", "beauty", "food", "baby", "home", "sports", "books"]


def gtin(body: str) -> str:
    """An EAN-13 with its check digit, from its first 12 digits."""
    return body + gtin_check_digit(body)


# --- offers ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    key: str  # unique; "<what>@<shop>"
    shop: str
    category: str  # a code of CATEGORIES
    title: str
    brand: str
    model: str
    price: Decimal
    sales: int
    stock: str = "in_stock"  # in_stock / low / out
    gtin: str = ""
    index: int = 0  # position in OFFERS (ids and listing times derive from it)

    @property
    def in_stock(self) -> bool:
        return self.stock != "out"


_ROWS: list[tuple] = []


def _block(category: str, rows: list[tuple]) -> None:
    for row in rows:
        _ROWS.append((category, *row))


# (key, shop, title, brand, model, price, sales[, stock[, gtin]])
_block("rel-phones", [
    ("iphone15promax@shuma", "shuma", "Apple iPhone 15 Pro Max 256GB 原色钛金属 5G手机", "Apple", "iPhone 15 Pro Max",
     "9999.00", 5200, "in_stock", gtin("019594904825")),
    ("iphone15promax@jiadian", "jiadian", "Apple/苹果 iPhone 15 Pro Max (A3108) 256GB 原色钛金属 支持移动联通电信5G 双卡双待手机",
     "Apple", "A3108", "9599.00", 1800, "in_stock", gtin("019594904825")),
    ("iphone15promax@baihuo", "baihuo", "苹果 iPhone 15 Pro Max 256G 黑色钛金属 国行正品", "苹果", "iPhone 15 Pro Max",
     "9399.00", 950, "low", gtin("019594904832")),
    ("iphone15pro@shuma", "shuma", "Apple iPhone 15 Pro 256GB 黑色钛金属 5G手机", "Apple", "iPhone 15 Pro",
     "8999.00", 3100, "in_stock", gtin("019594902101")),
    ("iphone15pro@baihuo", "baihuo", "Apple iPhone 15 Pro 256GB 白色钛金属", "Apple", "iPhone 15 Pro", "8799.00", 900),
    ("iphone15pro128@jiadian", "jiadian", "Apple iPhone 15 Pro 128GB 蓝色钛金属", "Apple", "iPhone 15 Pro",
     "7999.00", 1300),
    ("iphone15@shuma", "shuma", "Apple iPhone 15 128GB 蓝色 5G手机", "Apple", "iPhone 15", "5999.00", 8800, "in_stock",
     gtin("019594903005")),
    ("iphone15plus@baihuo", "baihuo", "Apple iPhone 15 Plus 256GB 粉色", "Apple", "iPhone 15 Plus", "7199.00", 700),
    ("iphone14@jiadian", "jiadian", "Apple iPhone 14 128GB 午夜色", "Apple", "iPhone 14", "4599.00", 2100),
    ("iphone13@baihuo", "baihuo", "Apple iPhone 13 128GB 星光色 备用机", "Apple", "iPhone 13", "3799.00", 1600, "out"),
    ("mate60pro@shuma", "shuma", "华为 HUAWEI Mate 60 Pro 12GB+512GB 雅川青 5G手机", "华为", "Mate 60 Pro", "6999.00",
     7600, "in_stock", gtin("694393204512")),
    ("mate60pro@baihuo", "baihuo", "HUAWEI Mate60 Pro 12+256G 雅丹黑 智能手机", "HUAWEI", "Mate60 Pro", "6499.00", 1500),
    ("mate60pro@jiadian", "jiadian", "华为 Mate 60 Pro 12GB+512GB 白沙银 卫星通话", "华为", "Mate 60 Pro", "6899.00",
     2200, "in_stock", gtin("694393204529")),
    ("mate60@jiadian", "jiadian", "华为 Mate 60 12GB+256GB 南糯紫", "华为", "Mate 60", "5499.00", 2300),
    ("mate60rs@shuma", "shuma", "华为 HUAWEI Mate 60 RS 非凡大师 16GB+1TB 玄黑", "华为", "Mate 60 RS",
     "11999.00", 600),
    ("pura70ultra@shuma", "shuma", "华为 HUAWEI Pura 70 Ultra 16GB+512GB 星芒黑", "华为", "Pura 70 Ultra",
     "9999.00", 1800),
    ("pura70@baihuo", "baihuo", "华为 Pura 70 12GB+256GB 雪域白 超聚光", "华为", "Pura 70", "5499.00", 1100),
    ("nova12pro@shuma", "shuma", "华为 nova 12 Pro 12GB+512GB 樱语白 前置双摄", "华为", "nova 12 Pro", "3999.00", 2600),
    ("enjoy70@shuma", "shuma", "华为 畅享 70 8GB+128GB 长续航 老人学生备用机", "华为", "畅享 70", "1199.00", 3000),
    ("xiaomi14pro@shuma", "shuma", "小米 Xiaomi 14 Pro 16GB+512GB 钛金属版 徕卡影像", "小米", "Xiaomi 14 Pro",
     "5499.00", 3300),
    ("xiaomi14@baihuo", "baihuo", "Xiaomi 小米14 12GB+256GB 岩石青 徕卡光学", "小米", "Xiaomi 14", "3999.00", 5100),
    ("redminote13pro@baihuo", "baihuo", "小米 Redmi Note 13 Pro 8GB+256GB 子夜黑 2亿像素", "小米", "Redmi Note 13 Pro",
     "1399.00", 9800),
    ("redminote13pro@shuma", "shuma", "Redmi Note 13 Pro 12GB+256GB 浅梦空间 红米手机", "Redmi", "Redmi Note 13 Pro",
     "1499.00", 4200),
    ("redmik70@jiadian", "jiadian", "Redmi K70 至尊版 16+512 晴雪 天玑9300+", "Redmi", "K70 至尊版", "2999.00", 4100),
    ("redmi13c@baihuo", "baihuo", "小米 Redmi 13C 4GB+128GB 学生手机 老人机", "小米", "Redmi 13C", "699.00", 12000),
    ("magic6pro@shuma", "shuma", "荣耀 HONOR Magic6 Pro 16GB+512GB 绒黑色 青海湖电池", "荣耀", "Magic6 Pro",
     "5699.00", 1200),
    ("honorx50@baihuo", "baihuo", "荣耀X50 12GB+256GB 勃朗蓝 5800mAh", "荣耀", "X50", "1599.00", 6600),
    ("findx7ultra@baihuo", "baihuo", "OPPO Find X7 Ultra 16GB+256GB 大漠银月 哈苏影像", "OPPO", "Find X7 Ultra",
     "5999.00", 900),
    ("renox11@shuma", "shuma", "OPPO Reno11 12GB+256GB 萤石青", "OPPO", "Reno11", "2499.00", 2700),
    ("x100pro@shuma", "shuma", "vivo X100 Pro 16GB+512GB 落日橙 蔡司影像", "vivo", "X100 Pro", "4999.00", 1600),
    ("iqoo12@baihuo", "baihuo", "vivo iQOO 12 16GB+512GB 传奇版 电竞手机", "iQOO", "iQOO 12", "3999.00", 1400),
    ("s24ultra@jiadian", "jiadian", "三星 Samsung Galaxy S24 Ultra 12GB+256GB 钛灰 AI手机", "三星",
     "Galaxy S24 Ultra", "9699.00", 700, "in_stock", gtin("880609508153")),
    ("zflip5@shuma", "shuma", "三星 Galaxy Z Flip5 8GB+512GB 薄荷绿 折叠屏", "三星", "Galaxy Z Flip5", "5999.00", 300),
    ("oneplus12@baihuo", "baihuo", "一加 OnePlus 12 16GB+512GB 岩黑 哈苏影像", "一加", "OnePlus 12", "4799.00", 650),
])

_block("rel-phone-accessories", [
    ("mate60case@baihuo", "baihuo", "适用华为Mate60Pro手机壳 全包防摔 磨砂硅胶保护套", "倍思", "", "39.00", 15000),
    ("iphonecase@shuma", "shuma", "适用苹果iPhone 15 Pro Max手机壳 MagSafe磁吸 透明防摔", "倍思", "", "59.00", 22000),
    ("iphonefilm@baihuo", "baihuo", "钢化膜 适用iPhone 15 Pro 全屏覆盖 防指纹 2片装", "闪魔", "", "25.00", 40000),
    ("ugreen20w@shuma", "shuma", "绿联 UGREEN 20W PD快充 充电器 适用iPhone15", "绿联", "CD137", "49.00", 30000),
    ("anker65w@shuma", "shuma", "安克 Anker 65W 氮化镓充电器 三口 笔记本快充", "安克", "A2332", "169.00", 8000),
    ("mipowerbank@baihuo", "baihuo", "小米 移动电源 10000mAh 22.5W 充电宝 双向快充", "小米", "PB1022ZM", "99.00",
     17000),
    ("ugreencable@baihuo", "baihuo", "绿联 USB-C 数据线 1米 编织 60W 快充线", "绿联", "US300", "29.00", 26000),
    ("magsafe@shuma", "shuma", "Apple MagSafe 充电器 1米 无线充电", "Apple", "MX6X3", "329.00", 3000),
    ("huawei66w@shuma", "shuma", "华为 66W 超级快充 充电器 原装", "华为", "HW-110600C00", "149.00", 5000),
    ("baseusholder@baihuo", "baihuo", "倍思 车载手机支架 磁吸 出风口", "倍思", "", "59.00", 9000),
])

_block("rel-earphones", [
    ("airpodspro2@shuma", "shuma", "Apple AirPods Pro 第二代 USB-C 主动降噪 无线蓝牙耳机", "Apple", "AirPods Pro 2",
     "1899.00", 11000, "in_stock", gtin("019594961236")),
    ("airpodspro2@baihuo", "baihuo", "苹果 AirPods Pro 2 主动降噪耳机 MagSafe充电盒", "苹果", "AirPods Pro 2",
     "1749.00", 3200),
    ("airpods3@jiadian", "jiadian", "Apple AirPods 第三代 无线耳机 闪电充电盒", "Apple", "AirPods 3", "1299.00", 2100),
    ("freebudspro3@shuma", "shuma", "华为 FreeBuds Pro 3 降噪耳机 陶瓷白 星闪连接", "华为", "FreeBuds Pro 3",
     "1299.00", 3900),
    ("wh1000xm5@shuma", "shuma", "索尼 Sony WH-1000XM5 头戴式降噪耳机 黑色", "索尼", "WH-1000XM5", "2499.00", 2700,
     "in_stock", gtin("454873544914")),
    ("wh1000xm5@jiadian", "jiadian", "SONY 索尼 WH-1000XM5 无线降噪 头戴式蓝牙耳机 铂金银", "索尼", "WH-1000XM5",
     "2399.00", 800),
    ("wf1000xm5@shuma", "shuma", "索尼 WF-1000XM5 真无线降噪耳机 入耳式", "索尼", "WF-1000XM5", "1999.00", 1500),
    ("edifierw820@baihuo", "baihuo", "漫步者 EDIFIER W820NB 双金标 头戴式主动降噪蓝牙耳机", "漫步者", "W820NB",
     "299.00", 6000),
    ("redmibuds5@baihuo", "baihuo", "小米 Redmi Buds 5 真无线蓝牙耳机 46dB降噪", "小米", "Redmi Buds 5", "199.00", 9000),
    ("boseqc@jiadian", "jiadian", "Bose QuietComfort Ultra 消噪耳机 头戴式 大鲨3代", "Bose", "QC Ultra", "2999.00",
     400),
])

_block("rel-wearables", [
    ("watchs9@shuma", "shuma", "Apple Watch Series 9 GPS 45mm 午夜色铝金属表壳 运动表带", "Apple", "Watch Series 9",
     "3199.00", 1900),
    ("watchgt4@shuma", "shuma", "华为 WATCH GT 4 46mm 智能手表 山茶棕 两周长续航", "华为", "WATCH GT 4", "1488.00",
     4300),
    ("band8pro@baihuo", "baihuo", "小米手环8 Pro 智能手环 血氧心率监测", "小米", "Band 8 Pro", "399.00", 14000),
    ("watch4@baihuo", "baihuo", "华为 WATCH 4 Pro 48mm 钛金属 eSIM独立通话", "华为", "WATCH 4 Pro", "3699.00", 500),
])

_block("rel-cameras", [
    ("pocket3@shuma", "shuma", "大疆 DJI Osmo Pocket 3 一英寸口袋云台相机 vlog", "大疆", "Osmo Pocket 3", "3499.00",
     2600),
    ("mini4pro@shuma", "shuma", "大疆 DJI Mini 4 Pro 迷你航拍无人机 全向避障", "大疆", "Mini 4 Pro", "4788.00", 1100),
    ("eosr6@jiadian", "jiadian", "佳能 Canon EOS R6 Mark II 全画幅微单相机 单机身", "佳能", "EOS R6 Mark II",
     "14999.00", 300),
    ("a7m4@shuma", "shuma", "索尼 Sony Alpha 7 IV A7M4 全画幅微单相机 ILCE-7M4", "索尼", "ILCE-7M4", "15299.00", 450),
    ("insta360x4@baihuo", "baihuo", "影石 Insta360 X4 8K全景运动相机 防抖", "影石", "X4", "3499.00", 900),
    ("gopro12@baihuo", "baihuo", "GoPro HERO12 Black 运动相机 5.3K防水", "GoPro", "HERO12", "2998.00", 600),
])

_block("rel-laptops", [
    ("x1carbon@shuma", "shuma", "联想 ThinkPad X1 Carbon 2024 14英寸 Ultra7 32G 1T 商务轻薄笔记本电脑", "联想",
     "X1 Carbon", "12999.00", 800),
    ("x1carbon@jiadian", "jiadian", "ThinkPad X1 Carbon Gen 12 酷睿Ultra5 16G 512G 笔记本", "ThinkPad", "X1 Carbon",
     "10999.00", 260),
    ("t14p@shuma", "shuma", "联想 ThinkPad T14p 酷睿i7 16G 1T 2.2K屏 笔记本电脑", "联想", "T14p", "7999.00", 700),
    ("xiaoxinpro14@baihuo", "baihuo", "联想 小新 Pro 14 2024 锐龙R7 32G 1T 轻薄本", "联想", "小新 Pro 14", "4999.00",
     6000),
    ("macbookairm3@shuma", "shuma", "Apple MacBook Air 13.6英寸 M3芯片 8核 16G+512G 午夜色 笔记本电脑", "Apple",
     "MacBook Air M3", "9499.00", 3000),
    ("macbookairm3@baihuo", "baihuo", "苹果 MacBook Air 15英寸 M3 16G 512G 星光色", "苹果", "MacBook Air M3",
     "10499.00", 800),
    ("macbookpro14@shuma", "shuma", "Apple MacBook Pro 14英寸 M3 Pro 18G+512G 深空黑色", "Apple", "MacBook Pro M3 Pro",
     "14999.00", 900),
    ("matebookxpro@shuma", "shuma", "华为 MateBook X Pro 2024 酷睿Ultra9 32GB 2TB 墨蓝", "华为", "MateBook X Pro",
     "13999.00", 500),
    ("matebook14@baihuo", "baihuo", "华为 MateBook 14 2024 酷睿Ultra5 16G 1T 2.8K触控屏", "华为", "MateBook 14",
     "5999.00", 1700),
    ("xps13@jiadian", "jiadian", "戴尔 Dell XPS 13 9340 酷睿Ultra7 16G 512G 轻薄本", "戴尔", "XPS 13 9340",
     "10999.00", 200),
    ("redmibook14@baihuo", "baihuo", "小米 Redmi Book 14 2024 i5-13500H 16G 512G", "小米", "Redmi Book 14", "3999.00",
     2500),
    ("swift@jiadian", "jiadian", "宏碁 Acer 传奇Edge 14英寸 锐龙版 轻薄本", "宏碁", "Swift Edge", "3799.00", 150),
])

_block("rel-gaming-laptops", [
    ("y9000p@shuma", "shuma", "联想 拯救者 Legion Y9000P 2024 16英寸 i9-14900HX RTX4060 电竞游戏本", "联想",
     "Y9000P", "9499.00", 2500),
    ("y9000p@baihuo", "baihuo", "Lenovo 拯救者Y9000P i9 RTX4070 32G 1T 游戏笔记本", "Lenovo", "Y9000P", "10999.00",
     700),
    ("omen10@jiadian", "jiadian", "惠普 HP 暗影精灵10 16.1英寸 i7 RTX4070 游戏本", "惠普", "暗影精灵10", "8999.00", 900),
    ("rogzephyrus@shuma", "shuma", "华硕 ROG 幻16 Air 锐龙AI 9 RTX4070 2.5K 240Hz 游戏本", "华硕", "ROG 幻16 Air",
     "11999.00", 300),
    ("mechrevo@baihuo", "baihuo", "机械革命 蛟龙16 Pro 锐龙R7 RTX4060 游戏本", "机械革命", "蛟龙16 Pro", "5999.00",
     1900),
])

_block("rel-tablets", [
    ("ipadairm2@shuma", "shuma", "Apple iPad Air 11英寸 M2芯片 128GB WLAN版 平板电脑 深空灰", "Apple", "iPad Air M2",
     "4799.00", 2200),
    ("ipad10@baihuo", "baihuo", "苹果 iPad 10.9英寸 第十代 64GB WiFi 蓝色", "苹果", "iPad 10", "2999.00", 4100),
    ("matepadpro@shuma", "shuma", "华为 MatePad Pro 13.2英寸 平板电脑 12+256G 星闪", "华为", "MatePad Pro 13.2",
     "5199.00", 800),
    ("xiaomipad6@baihuo", "baihuo", "小米平板6 Pro 11英寸 骁龙8+ 8G+256G", "小米", "Pad 6 Pro", "2099.00", 3300),
    ("tabs9@jiadian", "jiadian", "三星 Galaxy Tab S9 11英寸 平板 8+128G", "三星", "Tab S9", "5299.00", 150),
])

_block("rel-peripherals", [
    ("mxmaster3s@shuma", "shuma", "罗技 Logitech MX Master 3S 无线鼠标 静音 办公", "罗技", "MX Master 3S", "699.00", 5200),
    ("g502@baihuo", "baihuo", "罗技 G502 HERO 有线游戏鼠标 RGB", "罗技", "G502 HERO", "299.00", 8000),
    ("blackwidow@shuma", "shuma", "雷蛇 Razer 黑寡妇蜘蛛 V4 机械键盘 绿轴", "雷蛇", "BlackWidow V4", "1099.00", 600),
    ("cherrymx@baihuo", "baihuo", "樱桃 CHERRY MX 3.0S 机械键盘 红轴 104键", "樱桃", "MX 3.0S", "499.00", 2400),
    ("u2723qe@jiadian", "jiadian", "戴尔 Dell U2723QE 27英寸 4K IPS Black 显示器 Type-C 90W", "戴尔", "U2723QE",
     "3599.00", 700),
    ("sandiske61@shuma", "shuma", "闪迪 SanDisk 1TB 移动固态硬盘 E61 Type-C 1050MB/s", "闪迪", "SDSSDE61-1T00",
     "699.00", 3600),
    ("samsung990@shuma", "shuma", "三星 Samsung 990 PRO 2TB NVMe M.2 固态硬盘 SSD", "三星", "MZ-V9P2T0", "1299.00", 1900),
    ("tplink@baihuo", "baihuo", "TP-LINK AX3000 WiFi6 千兆无线路由器 XDR3010", "TP-LINK", "XDR3010", "229.00", 13000),
    ("xiaomirouter@baihuo", "baihuo", "小米 路由器 AX3000T WiFi6 家用千兆", "小米", "AX3000T", "159.00", 21000),
])

_block("rel-aircon", [
    ("midea35gw@jiadian", "jiadian", "美的 Midea 变频空调 KFR-35GW/N8MXC1 1.5匹 新一级能效 冷暖挂机", "美的",
     "KFR-35GW/N8MXC1", "2799.00", 5000, "in_stock", gtin("692303123567")),
    ("midea35gw@baihuo", "baihuo", "美的 酷省电 1.5匹 新一级 变频冷暖 空调挂机 KFR-35GW/N8KS1-1", "美的",
     "KFR-35GW/N8KS1-1", "2599.00", 3800),
    ("midea26gw@jiadian", "jiadian", "美的 Midea 风酷 大1匹 变频空调 KFR-26GW/N8XHC1 卧室挂机", "美的",
     "KFR-26GW/N8XHC1", "2199.00", 2900),
    ("gree35gw@jiadian", "jiadian", "格力 GREE 云佳 1.5匹 变频冷暖 空调挂机 KFR-35GW/NhGd1B", "格力",
     "KFR-35GW/NhGd1B", "2899.00", 4400),
    ("gree72lw@jiadian", "jiadian", "格力 云锦III 3匹 立式柜机 新一级能效 KFR-72LW", "格力", "KFR-72LW", "7999.00",
     600),
    ("haier35gw@jiadian", "jiadian", "海尔 Haier 劲爽 1.5匹 变频 空调 KFR-35GW/B1KBB81U1", "海尔",
     "KFR-35GW/B1KBB81U1", "2399.00", 2600),
    ("mijia35gw@baihuo", "baihuo", "小米 米家 巨省电 1.5匹 新一级能效 空调 KFR-35GW/N1A1", "小米", "KFR-35GW/N1A1",
     "2099.00", 3100),
    ("aux25gw@baihuo", "baihuo", "奥克斯 AUX 大1匹 定频 单冷 空调 KFR-25GW", "奥克斯", "KFR-25GW", "1399.00", 1700,
     "out"),
    ("mideaportable@baihuo", "baihuo", "美的 Midea 移动空调 1匹 免安装 厨房空调 KYR-25/N1Y-PD3", "美的", "KYR-25/N1Y-PD3",
     "1699.00", 1500),
])

_block("rel-cleaning", [
    ("dysonv12@jiadian", "jiadian", "戴森 Dyson V12 Detect Slim 无绳吸尘器 激光探测 家用", "戴森", "V12 Detect Slim",
     "4490.00", 2200, "in_stock", gtin("501302340123")),
    ("dysonv12@baihuo", "baihuo", "Dyson 戴森 V12 Detect Slim Fluffy 轻量无绳吸尘器", "Dyson", "V12 Detect Slim",
     "4290.00", 900),
    ("dysonv15@jiadian", "jiadian", "戴森 Dyson V15 Detect Absolute 无绳吸尘器 激光显尘", "戴森", "V15 Detect", "5490.00",
     1300),
    ("dysonv8@baihuo", "baihuo", "戴森 Dyson V8 Slim Fluffy 手持吸尘器 除螨", "戴森", "V8 Slim", "2290.00", 2500),
    ("dreamev12@baihuo", "baihuo", "追觅 Dreame V12 无线吸尘器 大吸力 家用手持", "追觅", "V12", "1299.00", 1900),
    ("ecovacst30@jiadian", "jiadian", "科沃斯 ECOVACS 地宝 T30 PRO 扫地机器人 扫拖一体 自动集尘", "科沃斯", "T30 PRO",
     "3999.00", 2100),
    ("roborock@jiadian", "jiadian", "石头 Roborock P10S Pro 扫地机器人 扫拖洗烘一体", "石头", "P10S Pro", "3599.00", 1600),
    ("mijiavacuum@baihuo", "baihuo", "小米 米家 无线吸尘器 2 Slim 轻量手持", "小米", "", "999.00", 4200),
    ("narwalj4@jiadian", "jiadian", "云鲸 Narwal J4 扫拖机器人 自动上下水", "云鲸", "J4", "3999.00", 800),
    ("tinecofloor@baihuo", "baihuo", "添可 TINECO 芙万2.0 洗地机 家用 吸拖一体", "添可", "芙万2.0", "2599.00", 3700),
])

_block("rel-kitchen", [
    ("midearicecooker@jiadian", "jiadian", "美的 Midea 电饭煲 4L 智能预约 家用 MB-FB40M205", "美的", "MB-FB40M205",
     "199.00", 11000),
    ("joyoungy1@jiadian", "jiadian", "九阳 Joyoung 破壁机 Y1 免手洗 低音 家用豆浆机", "九阳", "Y1", "1399.00", 1900),
    ("supor@baihuo", "baihuo", "苏泊尔 SUPOR 空气炸锅 5L 可视 大容量 KJ50D", "苏泊尔", "KJ50D", "299.00", 9600),
    ("mideaairfryer@jiadian", "jiadian", "美的 空气炸锅 免翻面 5.5L 炎烤 KZE5504", "美的", "KZE5504", "259.00", 7300),
    ("fotile@jiadian", "jiadian", "方太 FOTILE 抽油烟机 侧吸 JQ26TS 家用", "方太", "JQ26TS", "5299.00", 700),
    ("robam@jiadian", "jiadian", "老板 Robam 油烟机 27A7 大吸力 侧吸式", "老板", "27A7", "4299.00", 500),
    ("siemensdw@jiadian", "jiadian", "西门子 SIEMENS 嵌入式洗碗机 14套 SJ23HI00KC", "西门子", "SJ23HI00KC", "4999.00",
     400),
    ("bearkettle@baihuo", "baihuo", "小熊 Bear 电热水壶 1.5L 304不锈钢", "小熊", "ZDH-Q15E1", "79.00", 16000),
    ("joyoungsoy@baihuo", "baihuo", "九阳 豆浆机 家用 全自动 免滤 DJ13B", "九阳", "DJ13B", "299.00", 3400),
])

_block("rel-tv", [
    ("redmia75@jiadian", "jiadian", "小米 Redmi A75 75英寸 4K 超高清 智能电视 L75RA-RA", "小米", "L75RA-RA", "2999.00",
     6500),
    ("hisense65e3k@jiadian", "jiadian", "海信 Hisense 65E3K 65英寸 4K 120Hz 智能电视", "海信", "65E3K", "3199.00", 3200),
    ("sonyx90l@jiadian", "jiadian", "索尼 Sony XR-65X90L 65英寸 4K HDR 全阵列背光 电视", "索尼", "XR-65X90L", "6999.00",
     500),
    ("tcl75t7h@baihuo", "baihuo", "TCL 75T7H 75英寸 Mini LED 144Hz 电视", "TCL", "75T7H", "4999.00", 1800),
    ("skyworth55@baihuo", "baihuo", "创维 Skyworth 55A3D 55英寸 4K 智慧屏 电视", "创维", "55A3D", "1999.00", 2100),
])

_block("rel-large", [
    ("haierfridge@jiadian", "jiadian", "海尔 Haier 冰箱 510升 十字对开门 一级变频 BCD-510WGHTD", "海尔", "BCD-510WGHTD",
     "3999.00", 2400),
    ("mideafridge@jiadian", "jiadian", "美的 Midea 冰箱 508升 对开门 风冷无霜 BCD-508WKPZM", "美的", "BCD-508WKPZM",
     "3299.00", 1900),
    ("littleswan@jiadian", "jiadian", "小天鹅 LittleSwan 滚筒洗衣机 10公斤 水魔方 TG100V88", "小天鹅", "TG100V88",
     "2699.00", 2800),
    ("siemenswasher@jiadian", "jiadian", "西门子 SIEMENS 滚筒洗衣机 10kg 除菌 WG54C3B0HW", "西门子", "WG54C3B0HW",
     "3999.00", 900),
    ("haierheater@jiadian", "jiadian", "海尔 Haier 电热水器 60升 一级能效 EC6001-GC", "海尔", "EC6001-GC", "1099.00",
     3500),
])

_block("rel-personal-care", [
    ("supersonic@jiadian", "jiadian", "戴森 Dyson Supersonic 吹风机 HD15 紫红镍色", "戴森", "HD15", "2999.00", 5600),
    ("philipsshaver@baihuo", "baihuo", "飞利浦 Philips 电动剃须刀 S5000系列 S5466", "飞利浦", "S5466", "599.00", 7100),
    ("philipstoothbrush@baihuo", "baihuo", "飞利浦 电动牙刷 钻石亮白 HX6730 声波", "飞利浦", "HX6730", "299.00", 12000),
    ("panasonicdryer@jiadian", "jiadian", "松下 Panasonic 吹风机 纳诺怡 EH-NA9A 负离子", "松下", "EH-NA9A", "1199.00",
     2200),
    ("mijiatoothbrush@baihuo", "baihuo", "小米 米家 声波电动牙刷 T302", "小米", "T302", "149.00", 15000),
])

_block("rel-sneakers", [
    ("af1@chaopai", "chaopai", "耐克 Nike Air Force 1 '07 男子运动鞋 空军一号 白色 CW2288-111", "耐克", "CW2288-111",
     "799.00", 9000, "in_stock", gtin("019400000111")),
    ("af1@baihuo", "baihuo", "NIKE 耐克 AF1 空军一号 低帮 板鞋 纯白 CW2288-111", "NIKE", "CW2288-111", "749.00", 3400),
    ("aj1low@chaopai", "chaopai", "耐克 Nike Air Jordan 1 Low AJ1 男子篮球鞋 553558", "耐克", "553558", "899.00", 4100),
    ("pegasus40@chaopai", "chaopai", "耐克 NIKE Pegasus 40 飞马 男子公路跑步鞋 DV3853", "耐克", "DV3853", "899.00", 2600),
    ("ultraboost@chaopai", "chaopai", "阿迪达斯 adidas Ultraboost Light 男女跑步鞋 HQ6351", "阿迪达斯", "HQ6351",
     "1499.00", 1200),
    ("lining20@chaopai", "chaopai", "李宁 LI-NING 超轻20 男子跑步鞋 轻量回弹", "李宁", "ARBT001", "499.00", 5200),
    ("anta@chaopai", "chaopai", "安踏 ANTA C37 软底 运动鞋 男 休闲跑鞋", "安踏", "C37", "299.00", 6100),
    ("xtep160x@chaopai", "chaopai", "特步 XTEP 160X 5.0 竞速跑鞋 马拉松", "特步", "160X 5.0", "1199.00", 1800),
    ("erke@baihuo", "baihuo", "鸿星尔克 ERKE 奇弹 男子跑步鞋 减震", "鸿星尔克", "", "259.00", 7700, "out"),
    ("nb990@chaopai", "chaopai", "新百伦 New Balance 990v6 美产 复古跑鞋", "新百伦", "M990GL6", "1699.00", 700),
])

_block("rel-casual-shoes", [
    ("samba@chaopai", "chaopai", "阿迪达斯 adidas Samba OG 德训鞋 男女休闲鞋 B75806", "阿迪达斯", "B75806", "999.00",
     4800),
    ("nb574@chaopai", "chaopai", "新百伦 New Balance 574 复古休闲鞋 ML574EVG", "新百伦", "ML574EVG", "699.00", 3600),
    ("converse@baihuo", "baihuo", "匡威 Converse Chuck 70 高帮帆布鞋 1970s", "匡威", "162050C", "569.00", 5400),
    ("vans@chaopai", "chaopai", "万斯 Vans Old Skool 经典板鞋 黑白", "万斯", "VN000D3HY28", "499.00", 4400),
])

_block("rel-menswear", [
    ("uniqlofleece@chaopai", "chaopai", "优衣库 UNIQLO 男装 摇粒绒 拉链夹克 长袖 469861", "优衣库", "469861", "199.00",
     8800),
    ("hlashirt@chaopai", "chaopai", "海澜之家 HLA 男士 商务休闲 长袖衬衫 免烫", "海澜之家", "", "169.00", 4600),
    ("uniqloairism@chaopai", "chaopai", "优衣库 男装 AIRism 棉质圆领T恤 短袖", "优衣库", "", "79.00", 19000),
    ("liningsweat@chaopai", "chaopai", "李宁 卫衣 男 连帽 加绒 运动上衣", "李宁", "", "259.00", 5200),
    ("nikedrifit@chaopai", "chaopai", "耐克 Nike 男子 Dri-FIT 速干 运动T恤", "耐克", "", "199.00", 6800),
    ("peacebirdjeans@chaopai", "chaopai", "太平鸟 男装 修身 直筒 牛仔裤", "太平鸟", "", "299.00", 2300),
    ("bosideng@chaopai", "chaopai", "波司登 BOSIDENG 男士 短款 鹅绒 羽绒服 连帽", "波司登", "B30145", "1299.00", 3800),
    ("tnfnuptse@chaopai", "chaopai", "北面 The North Face 1996 Nuptse 男款 羽绒服", "北面", "NF0A3C8D", "2599.00", 1500),
    ("arcteryx@chaopai", "chaopai", "始祖鸟 Arc'teryx Beta LT 男子 GORE-TEX 冲锋衣", "始祖鸟", "Beta LT", "4200.00", 600),
])

_block("rel-womenswear", [
    ("peacebirddress@chaopai", "chaopai", "太平鸟 女装 法式 碎花 连衣裙 收腰 夏季", "太平鸟", "", "399.00", 3100),
    ("uniqlojeans@chaopai", "chaopai", "优衣库 女装 高腰 直筒 牛仔裤", "优衣库", "", "299.00", 6200),
    ("onlycardigan@chaopai", "chaopai", "ONLY 女装 宽松 针织开衫 毛衣外套", "ONLY", "", "359.00", 1900),
    ("bosidenglong@chaopai", "chaopai", "波司登 女士 长款 过膝 鹅绒 羽绒服", "波司登", "", "1699.00", 2700),
    ("ursweater@baihuo", "baihuo", "UR 女装 圆领 羊毛 针织衫", "UR", "", "299.00", 1200),
])

_block("rel-bags", [
    ("samsonite@baihuo", "baihuo", "新秀丽 Samsonite 行李箱 20寸 登机箱 万向轮", "新秀丽", "", "1599.00", 2100),
    ("mibackpack@baihuo", "baihuo", "小米 双肩包 商务 15.6英寸 电脑包", "小米", "", "149.00", 9500),
    ("coach@chaopai", "chaopai", "蔻驰 COACH 女士 单肩包 斜挎包", "蔻驰", "", "1990.00", 800),
])

_block("rel-skincare", [
    ("sk2essence@meizhuang", "meizhuang", "SK-II 神仙水 230ml 护肤精华露 补水保湿", "SK-II", "", "1540.00", 8000, "in_stock",
     gtin("490107321120")),
    ("sk2essence@baihuo", "baihuo", "SK-II 护肤精华露 神仙水 230毫升 礼盒装", "SK-II", "", "1499.00", 1900),
    ("sk2cream@meizhuang", "meizhuang", "SK-II 大红瓶 面霜 80g 赋能焕采精华霜", "SK-II", "", "1190.00", 2300),
    ("esteelauder@meizhuang", "meizhuang", "雅诗兰黛 Estee Lauder 小棕瓶 特润修护肌活精华露 50ml", "雅诗兰黛", "", "790.00",
     9100),
    ("lancome@meizhuang", "meizhuang", "兰蔻 Lancome 小黑瓶 精华肌底液 50ml", "兰蔻", "", "1080.00", 5400),
    ("loreal@meizhuang", "meizhuang", "欧莱雅 L'Oreal 复颜玻尿酸 水光充盈 面霜 50ml", "欧莱雅", "", "299.00", 10200),
    ("proya@meizhuang", "meizhuang", "珀莱雅 红宝石 面霜 2.0 抗皱 50g", "珀莱雅", "", "299.00", 12000),
    ("pechoin@meizhuang", "meizhuang", "百雀羚 水嫩倍现 护肤品套装 补水", "百雀羚", "", "199.00", 7600),
    ("chando@meizhuang", "meizhuang", "自然堂 冰肌水 160ml 爽肤水", "自然堂", "", "99.00", 8400),
    ("shiseido@meizhuang", "meizhuang", "资生堂 Shiseido 红腰子 红妍肌活精华露 50ml", "资生堂", "", "750.00", 3900),
    ("anessa@meizhuang", "meizhuang", "安热沙 Anessa 小金瓶 防晒霜 60ml SPF50+", "安热沙", "", "198.00", 15000),
    ("larocheposay@meizhuang", "meizhuang", "理肤泉 La Roche-Posay B5 修复霜 40ml", "理肤泉", "", "138.00", 6200),
    ("winona@meizhuang", "meizhuang", "薇诺娜 舒敏保湿特护霜 50g 敏感肌", "薇诺娜", "", "268.00", 7400),
    ("freeplus@meizhuang", "meizhuang", "芙丽芳丝 Freeplus 净润洗面霜 洗面奶 100g", "芙丽芳丝", "", "128.00", 9900),
    ("loreal-men@baihuo", "baihuo", "欧莱雅 男士 洗面奶 控油 100ml", "欧莱雅", "", "59.00", 11000),
])

_block("rel-makeup", [
    ("dior999@meizhuang", "meizhuang", "迪奥 Dior 烈艳蓝金 口红 999 哑光 正红色", "迪奥", "999", "350.00", 9300),
    ("ysl1966@meizhuang", "meizhuang", "圣罗兰 YSL 小金条 口红 1966 哑光 复古红", "圣罗兰", "1966", "420.00", 7100),
    ("perfectdiary@meizhuang", "meizhuang", "完美日记 Perfect Diary 小细跟 口红 丝绒雾面", "完美日记", "", "69.00", 16000),
    ("florasis@meizhuang", "meizhuang", "花西子 Florasis 空气蜜粉 散粉 定妆", "花西子", "", "149.00", 8800),
    ("esteedw@meizhuang", "meizhuang", "雅诗兰黛 DW 持妆粉底液 30ml 油皮", "雅诗兰黛", "DW", "420.00", 6600),
    ("maogeping@meizhuang", "meizhuang", "毛戈平 MGP 光影塑颜 高光 修容", "毛戈平", "", "280.00", 2400),
    ("3ce@meizhuang", "meizhuang", "3CE 九宫格 眼影盘 #OVERTAKE", "3CE", "", "219.00", 3300),
])

_block("rel-snacks", [
    ("squirrelgift@lingshi", "lingshi", "三只松鼠 坚果大礼包 1.5kg 每日坚果 零食礼盒 年货送礼", "三只松鼠", "", "129.00",
     25000, "in_stock", gtin("690300020201")),
    ("squirrelgift@baihuo", "baihuo", "三只松鼠 坚果礼盒 大礼包 每日坚果 混合坚果 1500g", "三只松鼠", "", "119.00", 6100),
    ("squirrelmacadamia@lingshi", "lingshi", "三只松鼠 夏威夷果 265g 奶油味 坚果", "三只松鼠", "", "29.00", 18000),
    ("bestorepork@lingshi", "lingshi", "良品铺子 猪肉脯 200g 靖江风味 肉干", "良品铺子", "", "35.00", 14000),
    ("bestorenuts@lingshi", "lingshi", "良品铺子 每日坚果 750g 30袋 混合果仁", "良品铺子", "", "99.00", 9000),
    ("baicaoweimango@lingshi", "lingshi", "百草味 芒果干 120g 果脯蜜饯", "百草味", "", "19.00", 21000),
    ("baicaoweigift@lingshi", "lingshi", "百草味 零食大礼包 年货 一整箱", "百草味", "", "89.00", 7500),
    ("weilong@lingshi", "lingshi", "卫龙 辣条 大面筋 65g*10包 经典零食", "卫龙", "", "29.00", 30000),
    ("lays@lingshi", "lingshi", "乐事 Lay's 薯片 美国经典原味 135g", "乐事", "", "12.00", 26000),
    ("oreo@lingshi", "lingshi", "奥利奥 Oreo 夹心饼干 原味 388g", "奥利奥", "", "19.00", 17000),
    ("dove@lingshi", "lingshi", "德芙 Dove 丝滑牛奶巧克力 252g 碗装", "德芙", "", "49.00", 12000),
    ("ferrero@lingshi", "lingshi", "费列罗 Ferrero Rocher 榛果威化巧克力 T24 礼盒", "费列罗", "T24", "99.00", 8600),
    ("wantwant@lingshi", "lingshi", "旺旺 雪饼 仙贝 大礼包 520g", "旺旺", "", "39.00", 9900),
    ("nutsbaihuo@baihuo", "baihuo", "洽洽 每日坚果 小黄袋 25g*30袋", "洽洽", "", "109.00", 8100),
])

_block("rel-dairy", [
    ("yilijindian@lingshi", "lingshi", "伊利 金典 纯牛奶 250ml*12盒 整箱", "伊利", "", "65.00", 19000, "in_stock",
     gtin("690297001234")),
    ("telunsu@lingshi", "lingshi", "蒙牛 特仑苏 纯牛奶 250ml*16盒 礼盒装", "蒙牛", "", "79.00", 22000),
    ("ambrosial@lingshi", "lingshi", "伊利 安慕希 希腊风味酸奶 205g*12盒", "伊利", "", "69.00", 16000),
    ("junlebao@lingshi", "lingshi", "君乐宝 简醇 0蔗糖 酸奶 250g*10", "君乐宝", "", "49.00", 8200),
    ("telunsu@baihuo", "baihuo", "特仑苏 纯牛奶 250ml×16盒 蒙牛出品", "蒙牛", "", "75.00", 3300),
])

_block("rel-drinks", [
    ("nongfu@lingshi", "lingshi", "农夫山泉 饮用天然水 550ml*24瓶 整箱", "农夫山泉", "", "29.00", 32000),
    ("yuanqi@lingshi", "lingshi", "元气森林 白桃味 苏打气泡水 480ml*15瓶", "元气森林", "", "69.00", 15000),
    ("coke@lingshi", "lingshi", "可口可乐 Coca-Cola 碳酸饮料 330ml*24罐", "可口可乐", "", "49.00", 14000),
    ("oolong@lingshi", "lingshi", "农夫山泉 东方树叶 乌龙茶 无糖 500ml*15瓶", "农夫山泉", "", "59.00", 11000),
    ("nescafe@lingshi", "lingshi", "雀巢 Nescafe 速溶咖啡 1+2 原味 15g*30条", "雀巢", "", "59.00", 9800),
    ("saturnbird@lingshi", "lingshi", "三顿半 超即溶 精品咖啡 24颗", "三顿半", "", "99.00", 7700),
    ("moutai@baihuo", "baihuo", "贵州茅台 飞天 53度 500ml 酱香型白酒", "茅台", "", "2999.00", 1200, "low",
     gtin("690201800016")),
    ("wuliangye@baihuo", "baihuo", "五粮液 第八代 52度 500ml 浓香型白酒", "五粮液", "", "1099.00", 1800),
    ("tsingtao@lingshi", "lingshi", "青岛啤酒 经典 500ml*12罐", "青岛啤酒", "", "59.00", 6600),
])

_block("rel-grocery", [
    ("arawana@lingshi", "lingshi", "金龙鱼 黄金比例 食用调和油 5L", "金龙鱼", "", "69.00", 8800),
    ("wuchangrice@lingshi", "lingshi", "柴火大院 五常大米 稻花香 5kg 东北大米", "柴火大院", "", "59.00", 10200),
    ("haitian@lingshi", "lingshi", "海天 金标生抽 1.28L 酿造酱油", "海天", "", "19.00", 13000),
    ("laoganma@lingshi", "lingshi", "老干妈 风味豆豉油制辣椒 280g", "老干妈", "", "12.00", 20000),
])

_block("rel-diapers", [
    ("pampers@baihuo", "baihuo", "帮宝适 Pampers 一级帮 纸尿裤 L码 52片", "帮宝适", "", "139.00", 8300),
    ("huggies@baihuo", "baihuo", "好奇 Huggies 心钻装 纸尿裤 M码 50片", "好奇", "", "159.00", 6200),
    ("merries@baihuo", "baihuo", "花王 Merries 妙而舒 纸尿裤 NB码 90片 日本进口", "花王", "", "119.00", 5100),
])

_block("rel-formula", [
    ("feihe@baihuo", "baihuo", "飞鹤 星飞帆 3段 幼儿配方奶粉 700g", "飞鹤", "", "239.00", 9400),
    ("aptamil@baihuo", "baihuo", "爱他美 Aptamil 卓萃 3段 幼儿配方奶粉 900g", "爱他美", "", "368.00", 4100),
    ("junlebaoformula@baihuo", "baihuo", "君乐宝 至臻 A2 奶粉 3段 800g", "君乐宝", "", "199.00", 3800),
])

_block("rel-toys", [
    ("lego42115@shuxiang", "shuxiang", "乐高 LEGO 42115 兰博基尼 Sián FKP 37 机械组 拼装积木", "乐高", "42115", "2699.00",
     600, "in_stock", gtin("567362142115")),
    ("lego10497@shuxiang", "shuxiang", "乐高 LEGO 10497 银河探险家 创意百变 积木", "乐高", "10497", "699.00", 1100),
    ("lego60337@baihuo", "baihuo", "乐高 城市系列 60337 特快客运列车 遥控火车", "乐高", "60337", "999.00", 900),
    ("popmart@shuxiang", "shuxiang", "泡泡玛特 POP MART MOLLY 盲盒 手办 潮玩", "泡泡玛特", "", "69.00", 13000),
    ("superwings@baihuo", "baihuo", "奥迪双钻 超级飞侠 变形机器人 乐迪", "奥迪双钻", "", "99.00", 5600),
    ("rubik@shuxiang", "shuxiang", "奇艺 魔方 三阶 比赛专用 顺滑", "奇艺", "", "29.00", 8300),
])

_block("rel-bedding", [
    ("mercury4set@baihuo", "baihuo", "水星家纺 纯棉 四件套 1.8米床 床单被套", "水星家纺", "", "399.00", 6400),
    ("lovopillow@baihuo", "baihuo", "罗莱 LOVO 泰国乳胶枕 护颈枕 单只", "罗莱", "", "199.00", 7300),
    ("fuannaquilt@baihuo", "baihuo", "富安娜 蚕丝被 春秋被 200x230cm", "富安娜", "", "899.00", 1500),
])

_block("rel-kitchenware", [
    ("thermos@baihuo", "baihuo", "膳魔师 THERMOS 保温杯 500ml 不锈钢 JNL-502", "膳魔师", "JNL-502", "199.00", 9200),
    ("zojirushi@baihuo", "baihuo", "象印 ZOJIRUSHI 保温杯 480ml SM-SA48", "象印", "SM-SA48", "179.00", 7100),
    ("suporwok@baihuo", "baihuo", "苏泊尔 不粘锅 炒锅 32cm 家用 燃气电磁炉通用", "苏泊尔", "", "159.00", 11000),
    ("zwilling@baihuo", "baihuo", "双立人 ZWILLING 刀具套装 Enjoy 5件套", "双立人", "", "599.00", 1900),
])

_block("rel-outdoor", [
    ("decathlontent@chaopai", "chaopai", "迪卡侬 DECATHLON 自动速开帐篷 2人 露营 MH100", "迪卡侬", "MH100", "199.00",
     5700),
    ("decathlonyoga@chaopai", "chaopai", "迪卡侬 瑜伽垫 加厚 防滑 健身垫", "迪卡侬", "", "99.00", 9900),
    ("toread@chaopai", "chaopai", "探路者 TOREAD 冲锋衣 三合一 男女 防水", "探路者", "", "699.00", 2900),
    ("keeprope@baihuo", "baihuo", "Keep 智能跳绳 计数 健身", "Keep", "", "89.00", 6900),
    ("naturehike@chaopai", "chaopai", "挪客 Naturehike 睡袋 户外 露营 冬季加厚", "挪客", "", "259.00", 2500),
])

_block("rel-ball-sports", [
    ("liningracket@chaopai", "chaopai", "李宁 羽毛球拍 全碳素 超轻 单拍", "李宁", "", "229.00", 4400),
    ("yonex88d@chaopai", "chaopai", "尤尼克斯 YONEX 羽毛球拍 天斧88D PRO", "尤尼克斯", "AX88D", "1399.00", 1100),
    ("spalding@chaopai", "chaopai", "斯伯丁 Spalding 篮球 7号 室内外通用", "斯伯丁", "", "169.00", 5300),
    ("molten@chaopai", "chaopai", "摩腾 Molten 足球 5号 比赛用球", "摩腾", "", "199.00", 1800),
])

_block("rel-fiction", [
    ("threebody@shuxiang", "shuxiang", "三体 全集 刘慈欣 科幻小说 典藏版 套装3册", "重庆出版社", "", "93.00", 16000,
     "in_stock", gtin("978753669293")),
    ("threebody@baihuo", "baihuo", "三体 刘慈欣 全三册 雨果奖 科幻小说", "重庆出版社", "", "89.00", 3100, "in_stock",
     gtin("978753669293")),
    ("tolive@shuxiang", "shuxiang", "活着 余华 作家出版社 长篇小说", "作家出版社", "", "28.00", 24000, "in_stock",
     gtin("978750636542")),
    ("solitude@shuxiang", "shuxiang", "百年孤独 马尔克斯 范晔译 南海出版公司", "南海出版公司", "", "39.50", 13000),
    ("ordinaryworld@shuxiang", "shuxiang", "平凡的世界 路遥 全三册 茅盾文学奖", "北京十月文艺出版社", "", "79.00", 11000),
    ("redmansion@shuxiang", "shuxiang", "红楼梦 曹雪芹 人民文学出版社 四大名著", "人民文学出版社", "", "47.00", 9000),
    ("harrypotter@shuxiang", "shuxiang", "哈利·波特与魔法石 J.K.罗琳 人民文学出版社", "人民文学出版社", "", "39.00", 7200),
    ("namiya@shuxiang", "shuxiang", "解忧杂货店 东野圭吾 南海出版公司", "南海出版公司", "", "39.50", 12000),
    ("lychee@shuxiang", "shuxiang", "长安的荔枝 马伯庸 历史小说", "湖南文艺出版社", "", "45.00", 6800),
])

_block("rel-computing", [
    ("pythoncrash@shuxiang", "shuxiang", "Python编程 从入门到实践 第3版 Python Crash Course", "人民邮电出版社", "",
     "89.80", 9800, "in_stock", gtin("978711561392")),
    ("csapp@shuxiang", "shuxiang", "深入理解计算机系统 原书第3版 CSAPP", "机械工业出版社", "", "139.00", 4300),
    ("clrs@shuxiang", "shuxiang", "算法导论 原书第3版 Introduction to Algorithms", "机械工业出版社", "", "128.00", 3600),
    ("effectivejava@shuxiang", "shuxiang", "Effective Java 中文版 原书第3版", "机械工业出版社", "", "119.00", 2100),
    ("aima@shuxiang", "shuxiang", "人工智能 现代方法 第4版 AIMA", "人民邮电出版社", "", "198.00", 1500),
    ("ddia@shuxiang", "shuxiang", "数据密集型应用系统设计 DDIA", "中国电力出版社", "", "128.00", 2900),
])

_block("rel-children", [
    ("magicschoolbus@shuxiang", "shuxiang", "神奇校车 图画书版 全12册 儿童科普绘本", "贵州人民出版社", "", "198.00", 5100),
    ("peppa@shuxiang", "shuxiang", "小猪佩奇 Peppa Pig 双语绘本 全10册", "中国少年儿童出版社", "", "99.00", 4300),
    ("100000why@shuxiang", "shuxiang", "十万个为什么 少儿版 彩图注音 全8册", "少年儿童出版社", "", "88.00", 6600),
])

# More offers of the best sellers in other shops, as on a real mall (comparison rows).
_block("rel-phones", [
    ("iphone15@baihuo", "baihuo", "苹果 iPhone 15 128G 黑色 国行 5G", "苹果", "iPhone 15", "5699.00", 2400, "in_stock",
     gtin("019594903005")),
    ("iphone15@jiadian", "jiadian", "Apple iPhone 15 (A3092) 256GB 绿色", "Apple", "A3092", "6799.00", 1100),
    ("mate60pro@shuma2", "shuma", "华为 Mate 60 Pro 12GB+1TB 砂黑 鸿蒙", "华为", "Mate 60 Pro", "7999.00", 1900),
    ("xiaomi14@jiadian", "jiadian", "小米14 Xiaomi 14 16GB+512GB 白色 徕卡", "小米", "Xiaomi 14", "4599.00", 1300),
    ("redminote13pro@jiadian", "jiadian", "红米 Note13 Pro 8+128G 时光蓝", "红米", "Redmi Note 13 Pro", "1199.00", 2200),
    ("magic6pro@jiadian", "jiadian", "HONOR 荣耀 Magic6 Pro 12GB+256GB 海湖青", "荣耀", "Magic6 Pro", "5399.00", 500),
    ("s24@shuma", "shuma", "三星 Samsung Galaxy S24 8GB+256GB 秘矿紫", "三星", "Galaxy S24", "5999.00", 600),
])

_block("rel-cleaning", [
    ("dysonv12@shuma", "shuma", "戴森 V12 Detect Slim 无绳吸尘器 镍金色", "戴森", "V12 Detect Slim", "4399.00", 700),
    ("dysonv10@baihuo", "baihuo", "戴森 Dyson V10 Digital Slim 轻量吸尘器", "戴森", "V10 Digital Slim", "2990.00", 1400),
])

_block("rel-aircon", [
    ("gree26gw@baihuo", "baihuo", "格力 GREE 天仪 大1匹 变频 空调 KFR-26GW/NhGf1BAj", "格力", "KFR-26GW/NhGf1BAj",
     "2499.00", 1900),
    ("midea35gw@shuma", "shuma", "美的 空调 1.5匹 KFR-35GW/N8MXC1 变频冷暖 挂机", "美的", "KFR-35GW/N8MXC1", "2749.00",
     800),
])

_block("rel-earphones", [
    ("airpodspro2@jiadian", "jiadian", "AirPods Pro (第二代) 配USB-C充电盒 降噪", "Apple", "AirPods Pro 2", "1799.00",
     1700),
    ("freebudspro3@baihuo", "baihuo", "HUAWEI FreeBuds Pro 3 雅川青 无线降噪耳机", "HUAWEI", "FreeBuds Pro 3", "1199.00",
     900),
])

_block("rel-sneakers", [
    ("af1@shuma", "shuma", "Nike Air Force 1 Low '07 空军一号 男女板鞋", "Nike", "CW2288-111", "829.00", 500),
    ("ultraboost@baihuo", "baihuo", "adidas 阿迪达斯 Ultraboost 跑鞋 黑色", "adidas", "HQ6351", "1299.00", 900),
])

_block("rel-skincare", [
    ("esteelauder@baihuo", "baihuo", "Estee Lauder 雅诗兰黛 第七代小棕瓶 精华 100ml", "雅诗兰黛", "", "1199.00", 2400),
    ("lancome@baihuo", "baihuo", "Lancome 兰蔻 小黑瓶 精华 100ml 大瓶装", "兰蔻", "", "1580.00", 1300),
])

_block("rel-laptops", [
    ("macbookairm3@jiadian", "jiadian", "MacBook Air 13英寸 M3 8G 256G 银色 笔记本", "Apple", "MacBook Air M3", "7999.00",
     1000),
    ("xiaoxinpro14@shuma", "shuma", "Lenovo 联想小新Pro14 锐龙版 16G 1T 2.8K 120Hz", "联想", "小新 Pro 14", "4699.00",
     2600),
])

_block("rel-snacks", [
    ("squirrelgift@shuma", "shuma", "三只松鼠 坚果大礼包 每日坚果 零食 1.5kg 公司福利", "三只松鼠", "", "125.00", 1200),
    ("bestorepork@baihuo", "baihuo", "良品铺子 高蛋白 猪肉脯 靖江特产 100g*2", "良品铺子", "", "33.00", 2300),
])

_block("rel-drinks", [
    ("nongfu@baihuo", "baihuo", "农夫山泉 天然饮用水 550ml×24瓶 箱装", "农夫山泉", "", "28.00", 5100),
])

_block("rel-fiction", [
    ("tolive@baihuo", "baihuo", "余华 活着 2021新版 作家出版社", "作家出版社", "", "25.00", 4200, "in_stock",
     gtin("978750636542")),
])

_block("rel-tv", [
    ("hisense65e3k@baihuo", "baihuo", "Hisense 海信 65E3K 65英寸 电视 MEMC防抖", "海信", "65E3K", "3099.00", 800),
    ("xiaomitv@baihuo", "baihuo", "小米电视 S65 Mini LED 65英寸 4K 144Hz", "小米", "L65MA-SPL", "3999.00", 2000),
])

_block("rel-kitchen", [
    ("midearicecooker@baihuo", "baihuo", "美的 电饭煲 家用 4升 智能 MB-FB40M205 多功能", "美的", "MB-FB40M205", "189.00",
     3300),
])

_block("rel-peripherals", [
    ("mxmaster3s@baihuo", "baihuo", "Logitech 罗技 MX Master 3S 无线蓝牙鼠标 石墨黑", "罗技", "MX Master 3S", "649.00",
     1700),
])

_block("rel-personal-care", [
    ("supersonic@baihuo", "baihuo", "Dyson 戴森 Supersonic HD15 吹风机 负离子 护发", "Dyson", "HD15", "2899.00", 2100),
])

_block("rel-makeup", [
    ("dior999@baihuo", "baihuo", "Dior 迪奥 烈艳蓝金唇膏 999 经典正红", "迪奥", "999", "330.00", 2800),
])

_block("rel-womenswear", [
    ("elandcoat@chaopai", "chaopai", "衣恋 ELAND 女装 双面呢 大衣 毛呢外套", "衣恋", "", "999.00", 900),
])

_block("rel-outdoor", [
    ("kailas@chaopai", "chaopai", "凯乐石 KAILAS 登山鞋 防水 徒步", "凯乐石", "", "899.00", 1300),
])

# The suspended shop: look-alikes of the best sellers, cheaper and "selling" more, so a leak would
# top any sort; plus a word no other shop uses (华强北).
_block("rel-phones", [
    ("mate60pro@chaowan", "chaowan", "华为 HUAWEI Mate 60 Pro 12GB+512GB 雅川青 5G手机 官方正品", "华为", "Mate 60 Pro",
     "3999.00", 99000),
    ("iphone15promax@chaowan", "chaowan", "Apple iPhone 15 Pro Max 256GB 原色钛金属 5G手机 全新国行", "Apple",
     "iPhone 15 Pro Max", "4999.00", 98000),
])
_block("rel-earphones", [
    ("airpods@chaowan", "chaowan", "华强北 AirPods Pro 三代 顶配版 降噪耳机", "Apple", "AirPods Pro", "99.00", 97000),
])
_block("rel-cleaning", [
    ("dysonv12@chaowan", "chaowan", "戴森 Dyson V12 Detect Slim 无绳吸尘器 特价", "戴森", "V12 Detect Slim", "999.00",
     96000),
])
_block("rel-sneakers", [
    ("af1@chaowan", "chaowan", "耐克 Nike Air Force 1 '07 空军一号 男女款 CW2288-111", "耐克", "CW2288-111", "99.00",
     95000),
])
_block("rel-skincare", [
    ("sk2@chaowan", "chaowan", "SK-II 神仙水 230ml 专柜正品", "SK-II", "", "199.00", 94000),
])
_block("rel-aircon", [
    ("midea35gw@chaowan", "chaowan", "美的 Midea 变频空调 KFR-35GW 1.5匹 清仓", "美的", "KFR-35GW", "999.00", 93000),
])
_block("rel-snacks", [
    ("squirrel@chaowan", "chaowan", "三只松鼠 坚果大礼包 特惠装 临期", "三只松鼠", "", "9.90", 92000),
])


def _offers() -> list[Offer]:
    out = []
    for index, (category, key, shop, title, brand, model, price, sales, *rest) in enumerate(_ROWS):
        stock = rest[0] if rest else "in_stock"
        code = rest[1] if len(rest) > 1 else ""
        out.append(Offer(key=key, shop=shop, category=category, title=title, brand=brand, model=model,
                         price=Decimal(price), sales=sales, stock=stock, gtin=code, index=index))
    return out


OFFERS: list[Offer] = _offers()
BY_KEY: dict[str, Offer] = {o.key: o for o in OFFERS}
assert len(BY_KEY) == len(OFFERS), "offer keys are unique"
VISIBLE: list[Offer] = [o for o in OFFERS if o.shop != SUSPENDED_SHOP]
SUSPENDED: list[Offer] = [o for o in OFFERS if o.shop == SUSPENDED_SHOP]

# Listing times: one offer every 7 hours back from a fixed moment, in catalog order shuffled by a
# fixed stride so "newest" is not simply "last in a category".
EPOCH = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def listed_at(offer: Offer) -> datetime:
    return EPOCH - timedelta(hours=7 * ((offer.index * 37) % len(OFFERS)))


# --- products a shop has but the mall must not show (one per moderation state) --------------------


@dataclass(frozen=True)
class Unlisted:
    key: str
    shop: str
    category: str
    state: str  # draft / pending / rejected / approved / delisted
    title: str
    brand: str
    model: str
    price: str
    unique_word: str  # a word only this product has (search and suggestions must not offer it)


UNLISTED = [
    Unlisted("draft-mate70", "shuma", "rel-phones", "draft", "华为 HUAWEI Mate 70 Pro 先行版 雅川青 5G手机", "华为",
             "Mate 70 Pro", "1.00", "先行"),
    Unlisted("pending-iphone16", "shuma", "rel-phones", "pending", "Apple iPhone 16 Pro Max 沙漠色钛金属 5G手机 预售",
             "Apple", "iPhone 16 Pro Max", "2.00", "沙漠"),
    Unlisted("rejected-airpods", "baihuo", "rel-earphones", "rejected", "超仿 AirPods Pro 2 一比一 降噪耳机", "Apple",
             "AirPods Pro 2", "3.00", "超仿"),
    Unlisted("approved-su7", "baihuo", "rel-toys", "approved", "小米 Xiaomi SU7 合金车模 1:18 海湾蓝", "小米", "SU7",
             "4.00", "su7"),
    Unlisted("delisted-dyson", "jiadian", "rel-cleaning", "delisted", "戴森 Dyson V11 Absolute 吸尘器 停产清仓",
             "戴森", "V11 Absolute", "5.00", "v11"),
]


def product_id(offer: Offer) -> int:
    return 100_000 + offer.index


def sku_id(offer: Offer) -> int:
    return 500_000 + offer.index


# --- loading --------------------------------------------------------------------------------------


@dataclass
class Loaded:
    shops: dict  # key → Shop
    categories: dict  # code → Category (the seeded top level included)
    operator: object
    owners: dict  # shop key → User
    by_offer: dict  # (shop id, sku id) → offer key
    unlisted_products: dict  # Unlisted.key → (shop key, product id)

    def key(self, hit) -> str:
        """The catalog key of a search hit (an object or an API dict with shop_id and sku_id)."""
        shop_id, sku = (hit["shop_id"], hit["sku_id"]) if isinstance(hit, dict) else (hit.shop_id, hit.sku_id)
        return self.by_offer.get((shop_id, sku), f"?{shop_id}/{sku}")


def _categories():
    from shared_apps.taxonomy.models import Category

    found = {c.code: c for c in Category.objects.filter(code__in=TOP_LEVEL)}
    missing = set(TOP_LEVEL) - set(found)
    assert not missing, f"seeded business categories missing: {missing}"
    for code, parent, name, name_en in CATEGORIES:
        found[code] = Category.objects.create(code=code, parent=found[parent], name=name, name_en=name_en,
                                              level=found[parent].level + 1)
    return found


def _listed(loaded: Loaded) -> None:
    from shared_apps.offers.interface import OfferPriceData, OfferTextData, product_offers_replace

    for offer in OFFERS:
        shop = loaded.shops[offer.shop]
        text = OfferTextData(sku_id=sku_id(offer), title=offer.title, brand=offer.brand, model=offer.model,
                             category_id=loaded.categories[offer.category].pk, gtin=offer.gtin,
                             listed_at=listed_at(offer))
        price = OfferPriceData(sku_id=sku_id(offer), product_id=product_id(offer), price=offer.price,
                               stock_state=offer.stock, sales_count=offer.sales)
        product_offers_replace(shop_id=shop.pk, product_id=product_id(offer), texts=[text], prices=[price])
        loaded.by_offer[(shop.pk, sku_id(offer))] = offer.key


def unlisted_create(loaded: Loaded, item: Unlisted) -> int:
    """Build one product through the shop's catalog services and the platform's moderation, leave
    it in `item.state`, and run the shop's outbox drain as its Celery task would. Returns its id."""
    from django_tenants.utils import schema_context

    from shared_apps.moderation.models import ItemStatus, ModerationItem
    from shared_apps.moderation.services import moderation_decide
    from tenant_apps.catalog import outbox, review, services

    shop, owner = loaded.shops[item.shop], loaded.owners[item.shop]
    with schema_context(shop.schema_name):
        product = services.product_create(actor=owner, shop_id=shop.pk, data={
            "title": item.title, "brand": item.brand, "model": item.model,
            "platform_category_id": loaded.categories[item.category].pk,
            "skus": [{"code": f"{item.key}-1", "sale_price": item.price}],
        })
        if item.state != "draft":
            review.submit_for_review(product_id=product.pk, actor_user_id=owner.pk)
    if item.state in ("rejected", "approved", "delisted"):
        queued = ModerationItem.objects.get(shop=shop, product_id=product.pk, status=ItemStatus.PENDING)
        moderation_decide(item_id=queued.pk, actor=loaded.operator, approve=item.state != "rejected",
                          reason="图片与描述不符" if item.state == "rejected" else "")
    with schema_context(shop.schema_name):
        if item.state == "delisted":
            review.product_list(product_id=product.pk, actor_user_id=owner.pk)
            outbox.drain_all()
            review.product_delist(product_id=product.pk, actor_user_id=owner.pk, reason="停产")
        outbox.drain_all()
    return product.pk


def load() -> Loaded:
    """Put the whole catalog into the mall (see the module docstring); run inside a transaction
    the caller rolls back."""
    from shared_apps.accounts.models import OperatorRole
    from shared_apps.search import text
    from shared_apps.search.tasks import vocabulary_and_suggestions_refresh
    from tenants.services import shop_change_status, shop_provision
    from tests.factories import UserFactory

    categories = _categories()
    text.dictionary_reset()  # the new category names join the dictionary, as in production
    operator = UserFactory(email="catalog-operator@example.com", operator_role=OperatorRole.ADMIN)
    owners, shops = {}, {}
    for row in SHOPS:
        owners[row.key] = UserFactory(email=f"owner@{row.key}.example", display_name=f"{row.name} 店主")
        shops[row.key] = shop_provision(subdomain=row.key, name=row.name, company_name=row.company,
                                        owner=owners[row.key])
    loaded = Loaded(shops=shops, categories=categories, operator=operator, owners=owners, by_offer={},
                    unlisted_products={})
    _listed(loaded)
    for item in UNLISTED:
        loaded.unlisted_products[item.key] = (item.shop, unlisted_create(loaded, item))
    for row in SHOPS:
        if row.suspended:
            shop_change_status(shop_id=shops[row.key].pk, to_status="suspended", actor=operator,
                               reason="售卖假冒商品")
            shops[row.key].refresh_from_db()
    vocabulary_and_suggestions_refresh()
    return loaded
