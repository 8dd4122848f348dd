"""The curated part of the search dictionary (搜索词典): brands and product words that shoppers
type and that jieba's general dictionary splits wrongly or does not know.

The rest of the dictionary comes from the taxonomy at run time (category names, brands of
standard products); see `text.dictionary_words`. Latin entries do not change segmentation (Latin
runs are never given to jieba) but belong here so the whole list of brand words lives in one place.
"""

BRANDS = [
    # Phones and digital
    "华为", "荣耀", "小米", "红米", "苹果", "三星", "联想", "摩托罗拉", "一加", "真我", "魅族",
    "中兴", "努比亚", "索尼", "佳能", "尼康", "大疆", "影石", "罗技", "雷蛇", "漫步者", "倍思", "绿联",
    "安克", "飞利浦", "戴尔", "惠普", "华硕", "宏碁", "微星", "神舟", "机械革命", "雷神", "英特尔",
    "英伟达", "超威", "闪迪", "西部数据", "希捷", "金士顿", "铠侠", "三星电子",
    # Appliances
    "美的", "格力", "海尔", "海信", "TCL", "创维", "长虹", "奥克斯", "九阳", "苏泊尔", "老板", "方太",
    "西门子", "博世", "松下", "戴森", "科沃斯", "石头", "追觅", "云鲸", "米家", "小天鹅", "容声",
    # Apparel, beauty, food, baby, sports
    "耐克", "阿迪达斯", "安踏", "李宁", "特步", "匹克", "鸿星尔克", "优衣库", "波司登", "太平鸟",
    "海澜之家", "欧莱雅", "兰蔻", "雅诗兰黛", "资生堂", "珀莱雅", "百雀羚", "自然堂", "完美日记",
    "花西子", "伊利", "蒙牛", "三只松鼠", "良品铺子", "百草味", "农夫山泉", "飞鹤", "君乐宝",
    "帮宝适", "好奇", "花王", "乐高", "迪卡侬", "始祖鸟", "北面", "探路者",
    # More brands shoppers type by name or pinyin (kuangwei → 匡威): unknown to jieba, they fell
    # apart into characters, so pinyin correction and suggestions could not offer them.
    "新百伦", "匡威", "万斯", "蔻驰", "新秀丽", "凯乐石", "尤尼克斯", "斯伯丁", "迪奥", "圣罗兰", "安热沙",
    "理肤泉", "薇诺娜", "芙丽芳丝", "毛戈平", "爱他美", "元气森林", "可口可乐", "特仑苏", "安慕希", "费列罗",
    "奥利奥", "卫龙", "洽洽", "雀巢", "三顿半", "五粮液", "青岛啤酒", "金龙鱼", "泡泡玛特", "奥迪双钻", "水星家纺",
    "富安娜", "膳魔师", "象印", "虎牌", "双立人", "添可",
    # Latin spellings
    "HUAWEI", "Honor", "Xiaomi", "Redmi", "Apple", "iPhone", "iPad", "MacBook", "AirPods",
    "Samsung", "Galaxy", "Lenovo", "ThinkPad", "Legion", "OPPO", "vivo", "iQOO", "OnePlus", "realme",
    "Meizu", "ZTE", "nubia", "Sony", "Canon", "Nikon", "DJI", "Insta360", "Logitech", "Razer",
    "Dell", "HP", "ASUS", "Acer", "MSI", "Intel", "NVIDIA", "AMD", "SanDisk", "Kingston",
    "Midea", "Gree", "Haier", "Hisense", "Dyson", "Nike", "Adidas", "ANTA", "Uniqlo", "LEGO",
]

PRODUCT_WORDS = [
    "手机", "智能手机", "折叠屏", "平板", "平板电脑", "笔记本", "笔记本电脑", "游戏本", "台式机",
    "一体机", "显示器", "显卡", "主板", "固态硬盘", "移动硬盘", "机械键盘", "无线鼠标", "蓝牙耳机",
    "降噪耳机", "智能手表", "手环", "充电宝", "移动电源", "数据线", "充电器", "快充", "保护壳",
    "手机壳", "钢化膜", "路由器", "投影仪", "电视", "空调", "冰箱", "洗衣机", "热水器", "油烟机",
    "扫地机器人", "吸尘器", "电饭煲", "空气炸锅", "破壁机", "电动牙刷", "吹风机", "剃须刀",
    "羽绒服", "冲锋衣", "运动鞋", "跑步鞋", "卫衣", "连衣裙", "牛仔裤", "双肩包", "行李箱",
    "面霜", "精华液", "防晒霜", "口红", "洗面奶", "奶粉", "纸尿裤", "积木", "坚果", "零食",
    "雅川青", "原色钛金属", "至尊版",
]

# A brand's names that shoppers use interchangeably: built-in synonym groups (operators add more
# as Synonym rows). The first name is the brand's key for filters and facets.
BRAND_ALIASES = [
    ("华为", "huawei"), ("荣耀", "honor"), ("小米", "xiaomi"), ("红米", "redmi"), ("苹果", "apple"),
    ("三星", "samsung"), ("联想", "lenovo"), ("一加", "oneplus"), ("真我", "realme"), ("魅族", "meizu"),
    ("中兴", "zte"), ("努比亚", "nubia"), ("索尼", "sony"), ("佳能", "canon"), ("尼康", "nikon"),
    ("大疆", "dji"), ("罗技", "logitech"), ("雷蛇", "razer"), ("戴尔", "dell"), ("惠普", "hp"),
    ("华硕", "asus"), ("宏碁", "acer"), ("微星", "msi"), ("英特尔", "intel"), ("英伟达", "nvidia"),
    ("闪迪", "sandisk"), ("金士顿", "kingston"), ("美的", "midea"), ("格力", "gree"), ("海尔", "haier"),
    ("海信", "hisense"), ("戴森", "dyson"), ("耐克", "nike"), ("阿迪达斯", "adidas"), ("安踏", "anta"),
    ("优衣库", "uniqlo"), ("乐高", "lego"),
    ("匡威", "converse"), ("万斯", "vans"), ("新秀丽", "samsonite"), ("迪奥", "dior"),
    ("圣罗兰", "ysl"), ("兰蔻", "lancome"), ("资生堂", "shiseido"), ("科沃斯", "ecovacs"), ("石头", "roborock"),
    ("追觅", "dreame"), ("云鲸", "narwal"), ("添可", "tineco"), ("九阳", "joyoung"), ("苏泊尔", "supor"),
    ("方太", "fotile"), ("西门子", "siemens"), ("松下", "panasonic"), ("飞利浦", "philips"), ("创维", "skyworth"),
    ("波司登", "bosideng"), ("特步", "xtep"), ("鸿星尔克", "erke"), ("迪卡侬", "decathlon"), ("探路者", "toread"),
    ("帮宝适", "pampers"), ("好奇", "huggies"), ("爱他美", "aptamil"), ("膳魔师", "thermos"), ("象印", "zojirushi"),
    ("双立人", "zwilling"), ("尤尼克斯", "yonex"), ("斯伯丁", "spalding"), ("凯乐石", "kailas"), ("漫步者", "edifier"),
    ("倍思", "baseus"), ("绿联", "ugreen"), ("安克", "anker"), ("影石", "insta360"), ("费列罗", "ferrero"),
    ("奥利奥", "oreo"),
]
