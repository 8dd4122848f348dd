"""Synonym groups in the operator console (pages under /search/synonyms/, API under
/api/v1/ops/search/synonyms/): admins add, change and delete groups, audited, and search follows
at once; auditors read; shoppers, merchants and other operator roles are refused; bad terms get a
message that says what is wrong and leave nothing behind; built-in brand names are shown and
cannot be changed."""

import pytest

from shared_apps.accounts.models import OperatorRole
from shared_apps.audit.models import AuditEntry
from shared_apps.search import query, synonym_services
from shared_apps.search.models import Synonym
from tests.conftest import MALL, OPS, client_for, run_threads
from tests.factories import UserFactory

from .test_query import mall  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
API = "/api/v1/ops/search/synonyms/"


def groups() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for group, term in Synonym.objects.order_by("id").values_list("group", "term"):
        found.setdefault(group, []).append(term)
    return found


def post_json(client, path, data):
    return client.post(path, data, content_type="application/json")


# --- through the API ---------------------------------------------------------------------------


def test_an_admin_manages_groups_through_the_api(operator):
    client = client_for(OPS, operator)
    made = post_json(client, API, {"terms": ["手机", " 电话 ", "ＰＨＯＮＥ"]})
    assert made.status_code == 201, made.content
    body = made.json()
    key = body["key"]
    assert (body["terms"], body["builtin"]) == (["手机", "电话", "phone"], False)
    assert groups() == {key: ["手机", "电话", "phone"]}
    assert client.get(API + f"{key}/").json()["terms"] == ["手机", "电话", "phone"]
    assert [g["key"] for g in client.get(API).json()["results"]] == [key]
    assert client.get(API, {"q": "电"}).json()["count"] == 1 and client.get(API, {"q": "苹"}).json()["count"] == 0

    changed = client.put(API + f"{key}/", {"terms": ["手机", "电话", "移动电话"]}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["terms"] == ["手机", "电话", "移动电话"]
    same = client.put(API + f"{key}/", {"terms": ["电话", "手机", "移动电话"]}, content_type="application/json")
    assert same.status_code == 200  # nothing changed, nothing audited

    assert client.delete(API + f"{key}/").status_code == 204
    assert groups() == {} and client.get(API + f"{key}/").status_code == 404
    assert client.delete(API + f"{key}/").status_code == 404

    entries = list(AuditEntry.objects.order_by("id").values_list("action", "target_id", "before", "after", "actor"))
    assert entries == [
        ("search.synonym_group_create", key, None, {"terms": ["手机", "电话", "phone"]}, operator.pk),
        ("search.synonym_group_update", key, {"terms": ["手机", "电话", "phone"]},
         {"terms": ["手机", "电话", "移动电话"]}, operator.pk),
        ("search.synonym_group_delete", key, {"terms": ["手机", "电话", "移动电话"]}, None, operator.pk)]


def test_builtin_brand_names_are_listed_and_read_only(operator):
    client = client_for(OPS, operator)
    builtin = client.get(API + "builtin/", {"q": "huawei"}).json()
    assert builtin == [{"key": "builtin:华为", "terms": ["华为", "huawei"], "builtin": True, "created_at": None}]
    assert len(client.get(API + "builtin/").json()) > 30
    refused = client.put(API + "builtin:华为/", {"terms": ["华为", "hw"]}, content_type="application/json")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "synonym_builtin"
    assert client.delete(API + "builtin:华为/").status_code == 409
    again = post_json(client, API, {"terms": ["HUAWEI", "华为"]})
    assert again.status_code == 409 and "already synonyms built in: 华为 · huawei" in again.json()["error"]["message"]
    extended = post_json(client, API, {"terms": ["华为", "hw"]})  # adding to a brand is fine
    assert extended.status_code == 201


@pytest.mark.parametrize(("terms", "message"), [
    ([], "A synonym group needs at least two different terms."),
    (["手机"], "A synonym group needs at least two different terms."),
    (["手机", "  "], "Term 2 is empty."),
    (["手机", "x" * 41], "is longer than 40 characters."),
    (["iPhone", "iphone"], "“iPhone” and “iphone” are the same term (iphone)."),
    (["电话", "电话"], "“电话” is given twice."),
    (["手机", "😀🎉"], "“😀🎉” has no letters or digits to search for."),
    (["手机", "a b c d e f g h i"], "has more than 8 words."),
    ([f"t{n}" for n in range(21)], "A group holds at most 20 terms."),
    ("手机,电话", "Expected a list of items"),
])
def test_bad_terms_are_refused_and_nothing_is_written(operator, terms, message):
    client = client_for(OPS, operator)
    answer = post_json(client, API, {"terms": terms})
    assert answer.status_code == 400, answer.content
    error = answer.json()["error"]
    assert "terms" in error["fields"] and message in error["message"], error
    assert groups() == {} and not AuditEntry.objects.exists()


def test_a_term_lives_in_one_group(operator):
    client = client_for(OPS, operator)
    first = post_json(client, API, {"terms": ["手机", "电话"]}).json()["key"]
    second = post_json(client, API, {"terms": ["苹果", "iphone"]}).json()["key"]
    taken = post_json(client, API, {"terms": ["座机", "电话"]})
    assert taken.status_code == 409
    assert taken.json()["error"] == {"code": "synonym_term_taken", "fields": {"terms": [
        "“电话” is already in the group 手机 · 电话; edit that group instead."]},
        "message": "“电话” is already in the group 手机 · 电话; edit that group instead."}
    moved = client.put(API + f"{second}/", {"terms": ["苹果", "手机"]}, content_type="application/json")
    assert moved.status_code == 409
    assert groups() == {first: ["手机", "电话"], second: ["苹果", "iphone"]}
    assert AuditEntry.objects.count() == 2


def test_two_admins_adding_the_same_term_at_once(transactional_db, operator):
    def add(i):
        return post_json(client_for(OPS, operator), API, {"terms": ["电话", f"座机{'一二'[i]}"]}).status_code

    assert sorted(run_threads(2, add)) == [201, 409]
    assert Synonym.objects.filter(term="电话").count() == 1


# --- search follows at once --------------------------------------------------------------------


def test_a_new_synonym_changes_search_results_at_once(mall, operator, django_capture_on_commit_callbacks):  # noqa: F811
    client = client_for(OPS, operator)
    shopper = client_for(MALL)
    assert shopper.get("/api/v1/search/", {"q": "电话"}).json()["total"] == 0
    version = synonym_services.synonyms_version()
    with django_capture_on_commit_callbacks(execute=True):
        key = post_json(client, API, {"terms": ["电话", "手机"]}).json()["key"]
    found = shopper.get("/api/v1/search/", {"q": "电话"}).json()
    # 手机 in the title ranks first; the other phones match through their category's name (手机).
    assert found["hits"][0]["title"] == "华为 HUAWEI Mate 60 Pro 12GB+512GB 雅川青 手机"
    assert found["total"] == 4
    assert synonym_services.synonyms_version() != version
    client.put(API + f"{key}/", {"terms": ["电话", "耳机"]}, content_type="application/json")
    assert [h.title for h in query.search(q="电话").hits] == ["华为 FreePods 耳机"]
    client.delete(API + f"{key}/")
    assert query.search(q="电话").total == 0


# --- the pages ---------------------------------------------------------------------------------


def test_an_admin_manages_groups_on_the_pages(operator):
    client = client_for(OPS, operator)
    page = client.get("/search/synonyms/", {"terms": "座机"})
    assert page.status_code == 200 and "座机</textarea>" in page.content.decode()  # from a zero-result query
    made = client.post("/search/synonyms/create/", {"terms": "手机\n电话，移动电话"})
    assert made.status_code == 302 and made["Location"] == "/search/synonyms/"
    (key, terms), = groups().items()
    assert terms == ["手机", "电话", "移动电话"]
    listing = client.get("/search/synonyms/").content.decode()
    assert "手机 · 电话 · 移动电话" in listing and "Synonyms added" in listing and "华为 · huawei" in listing
    assert "华为 · huawei" not in client.get("/search/synonyms/", {"q": "手机"}).content.decode()

    edit = client.get(f"/search/synonyms/{key}/")
    assert edit.status_code == 200 and "手机\n电话\n移动电话</textarea>" in edit.content.decode()
    assert client.post(f"/search/synonyms/{key}/edit/", {"terms": "手机, 电话"}).status_code == 302
    assert groups() == {key: ["手机", "电话"]}
    refused = client.post(f"/search/synonyms/{key}/edit/", {"terms": "手机"})
    assert refused.status_code == 400 and "A synonym group needs at least two different terms." in (
        refused.content.decode())
    assert groups() == {key: ["手机", "电话"]}

    assert client.post(f"/search/synonyms/{key}/delete/").status_code == 302
    assert groups() == {} and client.get(f"/search/synonyms/{key}/").status_code == 404
    assert client.post(f"/search/synonyms/{key}/delete/").status_code == 404
    assert AuditEntry.objects.filter(action__startswith="search.synonym_group").count() == 3


@pytest.mark.parametrize(("terms", "message"), [
    ("", "A synonym group needs at least two different terms."), ("手机\n" + "长" * 41, "longer than 40 characters"),
    ("iPhone\nIPHONE", "are the same term (iphone)")])
def test_bad_terms_on_the_page(operator, terms, message):
    answer = client_for(OPS, operator).post("/search/synonyms/create/", {"terms": terms})
    assert answer.status_code == 400 and message in answer.content.decode()
    assert groups() == {}


# --- who may ---------------------------------------------------------------------------------


def test_auditors_read_and_only_admins_write(operator, auditor):
    key = post_json(client_for(OPS, operator), API, {"terms": ["手机", "电话"]}).json()["key"]
    reader = client_for(OPS, auditor)
    assert reader.get(API).status_code == 200 and reader.get(API + f"{key}/").status_code == 200
    assert post_json(reader, API, {"terms": ["苹果", "apple phone"]}).status_code == 403
    assert reader.put(API + f"{key}/", {"terms": ["a", "b"]}, content_type="application/json").status_code == 403
    assert reader.delete(API + f"{key}/").status_code == 403
    listing = reader.get("/search/synonyms/").content.decode()
    assert "手机 · 电话" in listing and "New synonym group" not in listing and "Delete" not in listing
    assert reader.post("/search/synonyms/create/", {"terms": "a\nb"}).status_code == 403
    assert reader.post(f"/search/synonyms/{key}/delete/").status_code == 403
    assert groups() == {key: ["手机", "电话"]}


def test_shoppers_merchants_and_other_roles_are_refused(operator, shopper, merchant_a, shop_a):
    key = post_json(client_for(OPS, operator), API, {"terms": ["手机", "电话"]}).json()["key"]
    finance = UserFactory(email="fin@example.com", operator_role=OperatorRole.FINANCE)
    for user in (shopper, merchant_a, finance):
        client = client_for(OPS, user)
        assert client.get(API).status_code == 403
        assert client.get(API + "builtin/").status_code == 403
        assert post_json(client, API, {"terms": ["苹果", "apple"]}).status_code == 403
        assert client.delete(API + f"{key}/").status_code == 403
        assert client.get("/search/synonyms/").status_code == 403
    assert groups() == {key: ["手机", "电话"]}


def test_the_list_costs_the_same_queries_for_many_groups(operator, django_assert_num_queries, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    client = client_for(OPS, operator)
    for n in range(3):
        post_json(client, API, {"terms": [f"词{n}", f"word{n}"]})
    with django_assert_num_queries(4):  # the schema, the user, the count, the page of groups
        few = client.get(API)
    for n in range(3, 15):
        post_json(client, API, {"terms": [f"词{n}", f"word{n}"]})
    with django_assert_num_queries(4):
        many = client.get(API)
    assert (few.json()["count"], many.json()["count"]) == (3, 15)
