"""The pure grouping rules: folding, variants, similarity."""

from shared_apps.comparison import rules


def test_brand_and_model_fold_spellings_and_width():
    aliases = rules.Aliases()
    assert {rules.brand_key(b, aliases) for b in ("Apple", "APPLE", "苹果", "ＡＰＰＬＥ")} == {"apple"}
    assert {rules.model_key(m, "华为", aliases) for m in ("Mate-60", "mate 60", "ＭＡＴＥ６０", "华为Mate60")} == {"mate60"}


def test_operator_synonyms_join_brand_spellings():
    aliases = rules.Aliases([["苹果", "iphone"]])
    assert aliases("iphone") == "apple"


def test_variant_from_title_spec_and_attributes():
    assert rules.variant(title="华为 Mate 60 Pro 12+512GB 雅川青", attributes={}, spec={"颜色": "雅川青"}) == {"cap": "512"}
    assert rules.variant(title="HUAWEI Mate60 Pro 5G 手机", attributes={}, spec={"storage": "1TB"}) == {"cap": "1024"}
    assert rules.variant(title="三只松鼠 每日坚果 750g", attributes={}, spec={}) == {"cap": "750"}
    assert rules.variant(title="Apple iPhone 15", attributes={"edition": "国行"}, spec={"colour": "黑色"}) == {
        "attr:edition": "国行"}


def test_similarity_vetoes():
    aliases = rules.Aliases()

    def p(title, i=0):
        return rules.profile(offer_id=i, title=title, brand="", attributes={},
                             found=rules.variant(title=title, attributes={}, spec={}), aliases=aliases)

    assert rules.similarity(p("华为 Mate 60 Pro 12+512GB 雅川青"), p("HUAWEI Mate60 Pro 512G 手机 雅川青")) > 0.8
    assert rules.similarity(p("华为 Mate 60 Pro 256GB"), p("华为 Mate 60 Pro 512GB")) == 0
    assert rules.similarity(p("华为 Mate 60 512GB"), p("华为 Mate 60 Pro 512GB")) == 0
    assert rules.similarity(p("Apple iPhone 14 128GB"), p("苹果 iPhone 15 128GB")) == 0


def test_clusters_never_chain_across_variants():
    aliases = rules.Aliases()
    titles = ["小米 14 Ultra 徕卡 256GB", "小米 14 Ultra 徕卡 手机", "小米 14 Ultra 徕卡 512GB"]
    profiles = [rules.profile(offer_id=i, title=t, brand="", attributes={},
                              found=rules.variant(title=t, attributes={}, spec={}), aliases=aliases)
                for i, t in enumerate(titles)]
    found = rules.clusters(profiles, 0.6)
    assert sorted(map(len, found)) == [1, 2]
    assert [0, 2] not in found
