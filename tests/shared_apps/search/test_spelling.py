import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shared_apps.search.models import SearchTerm
from shared_apps.search.services import vocabulary_refresh
from shared_apps.search.spelling import damerau_levenshtein, did_you_mean

TITLES = [
    "华为 HUAWEI Mate 60 Pro 12GB+512GB 雅川青 手机",
    "华为 HUAWEI nova 12 手机",
    "华为 MateBook 14 笔记本电脑",
    "Apple iPhone 15 Pro Max 256G 原色钛金属",
    "Apple iPhone 15 128G 黑色",
    "小米Redmi K70 至尊版",
    "联想 ThinkPad X1 Carbon 笔记本电脑",
    "索尼 WH-1000XM5 降噪耳机",
]


@pytest.fixture
def vocabulary(db):
    return vocabulary_refresh(documents=TITLES)


def test_damerau_levenshtein():
    assert damerau_levenshtein("iphnoe", "iphone") == 1  # a swap is one edit
    assert damerau_levenshtein("kitten", "sitting") == 3
    assert damerau_levenshtein("kitten", "sitting", limit=2) == 3
    assert damerau_levenshtein("", "abc") == 3
    assert damerau_levenshtein("huawie", "huawei") == 1


def test_refresh_counts_documents_pinyin_and_keys(vocabulary):
    huawei = SearchTerm.objects.get(term="华为")
    assert (huawei.pinyin, huawei.initials, huawei.frequency) == ("huawei", "hw", 3)
    assert "huawei" in huawei.keys and "huawi" in huawei.keys
    assert SearchTerm.objects.get(term="iphone").frequency == 2
    assert SearchTerm.objects.get(term="15").keys == []
    assert vocabulary == SearchTerm.objects.count()


def test_refresh_updates_and_removes_terms(vocabulary):
    vocabulary_refresh(documents=TITLES[:1])
    assert SearchTerm.objects.get(term="华为").frequency == 1
    assert not SearchTerm.objects.filter(term="iphone").exists()


def test_latin_typo(vocabulary):
    assert did_you_mean("iphnoe")[0] == "iphone"
    assert did_you_mean("Apple iphnoe 15")[0] == "apple iphone 15"
    assert did_you_mean("thinkpda")[0] == "thinkpad"


def test_pinyin_typed_whole_or_split(vocabulary):
    assert did_you_mean("huawei")[0] == "华为"
    assert did_you_mean("hua wei")[0] == "华为"
    assert did_you_mean("huawie")[0] == "华为"  # typo in pinyin
    assert did_you_mean("huawei 手机")[0] == "华为手机"


def test_wrong_character_with_the_same_sound(vocabulary):
    assert did_you_mean("华伪")[0] == "华为"
    assert did_you_mean("华伪手机")[0] == "华为手机"


def test_nothing_to_correct(vocabulary):
    assert did_you_mean("华为 手机") == []
    assert did_you_mean("") == []
    assert did_you_mean("😀 '; DROP TABLE x;--") == []
    assert did_you_mean("qqqqzzzz") == []


def test_two_queries_whatever_the_text(vocabulary):
    with CaptureQueriesContext(connection) as queries:
        did_you_mean("iphnoe huawie 华伪 thinkpda hua wei")
    assert len(queries) == 2
