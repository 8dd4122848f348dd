"""The business categories (经营类目) every mall starts with: (code, Chinese name, English name)."""

TOP_LEVEL = [
    ("digital", "手机数码", "Phones & digital"),
    ("computers", "电脑办公", "Computers & office"),
    ("appliances", "家用电器", "Home appliances"),
    ("apparel", "服饰鞋包", "Clothing, shoes & bags"),
    ("beauty", "美妆个护", "Beauty & personal care"),
    ("food", "食品生鲜", "Food & fresh"),
    ("baby", "母婴玩具", "Baby & toys"),
    ("home", "家居家装", "Home & furnishing"),
    ("sports", "运动户外", "Sports & outdoors"),
    ("books", "图书文娱", "Books & media"),
    ("auto", "汽车用品", "Car accessories"),
    ("health", "医药保健", "Health"),
]
