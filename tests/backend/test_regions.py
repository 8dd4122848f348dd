"""backend.lib.regions: the vendored GB/T 2260 data, paths, municipalities, cities without
districts, and the public /api/v1/regions/ endpoint for cascading selects."""

import pytest

from backend.lib import regions
from tests.conftest import MALL, client_for


def test_provinces_are_the_31_of_the_mainland():
    provinces = regions.children(None)
    assert len(provinces) == 31
    assert provinces[0] == ("110000", "北京市")
    assert ("440000", "广东省") in provinces and ("650000", "新疆维吾尔自治区") in provinces
    assert all(regions.is_valid(code, "province") for code, _name in provinces)


def test_a_district_path_and_names():
    assert regions.path("440305") == ("440000", "440300", "440305")
    assert regions.region_name("440305") == "南山区"
    assert regions.region_name("440300") == "深圳市"
    assert regions.label("440305") == "广东省深圳市南山区"
    assert regions.full_text("440000", "440300", "440305", "科技园1号") == "广东省深圳市南山区科技园1号"
    assert ("440305", "南山区") in regions.children("440300")


@pytest.mark.parametrize(("district", "province", "city", "city_name"), [
    ("110105", "110000", "110100", "北京市"),
    ("120101", "120000", "120100", "天津市"),
    ("310115", "310000", "310100", "上海市"),
    ("500103", "500000", "500100", "重庆城区"),
    ("500229", "500000", "500200", "重庆郊县"),
])
def test_municipalities_have_a_city_level_named_after_them(district, province, city, city_name):
    assert regions.path(district) == (province, city, district)
    assert regions.region_name(city) == city_name
    assert regions.path_error(province, city, district) is None
    # The address line does not repeat the municipality.
    assert regions.full_text(province, city, district).startswith(regions.region_name(province) + regions.region_name(district))


def test_beijing_text_and_children():
    assert regions.children("110000") == [("110100", "北京市")]
    assert regions.full_text("110000", "110100", "110105", "建国路") == "北京市朝阳区建国路"
    assert regions.label("110105") == "北京市朝阳区"


@pytest.mark.parametrize(("code", "province"), [("441900", "440000"), ("442000", "440000"),
                                                 ("620200", "620000"), ("429004", "420000"), ("659001", "650000")])
def test_a_city_without_districts_is_its_own_district(code, province):
    assert regions.path(code) == (province, code, code)
    assert regions.children(code) == [(code, regions.region_name(code))]
    assert regions.is_valid(code, "city") and regions.is_valid(code, "district")
    assert regions.path_error(province, code, code) is None
    assert regions.full_text(province, code, code, "X") == regions.region_name(province) + regions.region_name(code) + "X"


@pytest.mark.parametrize(("codes", "field", "message"), [
    (("", "440300", "440305"), "province_code", "Choose a province."),
    (("999999", "440300", "440305"), "province_code", "Choose a province."),
    (("440000", "", "440305"), "city_code", "Choose a city."),
    (("440000", "110100", "110105"), "city_code", "This city is not in the chosen province."),
    (("440000", "440300", ""), "district_code", "Choose a district."),
    (("440000", "440300", "440103"), "district_code", "This district is not in the chosen city."),
    (("440000", "440300", "440300"), "district_code", "Choose a district."),
    (("440000", "440300", "44030X"), "district_code", "Choose a district."),
])
def test_path_errors_name_the_first_wrong_field(codes, field, message):
    assert regions.path_error(*codes) == (field, message)


def test_validity_by_level_and_bad_values():
    assert regions.is_valid("440000") and regions.is_valid("440000", "province")
    assert not regions.is_valid("440000", "city") and not regions.is_valid("440300", "district")
    assert regions.is_valid("440305", "district") and not regions.is_valid("440305", "province")
    for bad in ("", "44", "000000", "4403050", None, 440305, "南山区"):
        assert not regions.is_valid(bad)
    assert regions.region_name("000000") == "" and regions.children("000000") == []
    with pytest.raises(ValueError):
        regions.path("440300")
    with pytest.raises(ValueError):
        regions.is_valid("440000", "street")


def test_ancestors_and_names_lookup():
    assert regions.ancestors("440305") == ("440305", "440300", "440000")
    assert regions.ancestors("440300") == ("440300", "440000")
    assert regions.ancestors("441900") == ("441900", "440000")
    assert regions.find("朝阳区") == ["110105", "220104"]
    assert regions.find("北京市") == ["110000"]  # the municipality, not its city level too
    assert regions.find("广东省") == ["440000"] and regions.find("无此地") == []


def test_every_district_is_reachable_and_consistent():
    count = 0
    for province, _p in regions.children(None):
        for city, _c in regions.children(province):
            for district, _d in regions.children(city):
                assert regions.path(district)[:2] == (province, city)
                count += 1
    assert count > 2800


# --- the public endpoint -----------------------------------------------------------------------


@pytest.mark.django_db
def test_region_api_cascades():
    client = client_for(MALL)
    provinces = client.get("/api/v1/regions/")
    assert provinces.status_code == 200 and len(provinces.json()) == 31
    assert provinces.json()[0] == {"code": "110000", "name": "北京市", "has_children": True}
    assert "public" in provinces["Cache-Control"]
    cities = client.get("/api/v1/regions/?parent=440000").json()
    assert {"code": "440300", "name": "深圳市", "has_children": True} in cities
    districts = client.get("/api/v1/regions/?parent=440300").json()
    assert {"code": "440305", "name": "南山区", "has_children": False} in districts
    assert client.get("/api/v1/regions/?parent=441900").json() == [{"code": "441900", "name": "东莞市", "has_children": False}]
    assert client.get("/api/v1/regions/?parent=440305").json() == []


@pytest.mark.django_db
@pytest.mark.parametrize(("parent", "status"), [("44", 400), ("abcdef", 400), ("４４００００", 400), ("999999", 404)])
def test_region_api_bad_parent(parent, status):
    response = client_for(MALL).get("/api/v1/regions/", {"parent": parent})
    assert response.status_code == status
    assert "parent" in response.json()["error"]["fields"]
