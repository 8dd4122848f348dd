import pytest

from shared_apps.search.models import Synonym
from shared_apps.search.synonyms import expand, synonym_term_normalise
from shared_apps.search.text import query


@pytest.fixture
def synonyms(db):
    for group, terms in {"phone": ["手机", "电话"], "apple": ["苹果", "apple", "iphone"]}.items():
        Synonym.objects.bulk_create([Synonym(group=group, term=synonym_term_normalise(t)) for t in terms])


def test_expand(synonyms):
    assert expand(["手机", "iphone", "mate"]) == [{"手机", "电话"}, {"苹果", "apple", "iphone"}, {"mate"}]
    assert expand([]) == []


def test_normalise_stores_what_the_tokenizer_writes():
    assert synonym_term_normalise(" iPhone ") == "iphone"
    assert synonym_term_normalise("ＡＰＰＬＥ") == "apple"


def test_query_matches_any_term_of_the_group(synonyms):
    assert query("电话") == "( '手机' | '电话' )"
    assert query("iPhone") == "( 'apple' | 'iphone' | '苹果' )"
    assert query("电话", synonyms=False) == "'电话'"
