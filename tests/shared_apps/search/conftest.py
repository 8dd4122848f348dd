import pytest
from django.db import transaction

from shared_apps.search import text


@pytest.fixture(autouse=True)
def _fresh_dictionary(db):
    """Each test reads the user dictionary from its own database state."""
    text.dictionary_reset()
    yield
    text.dictionary_reset()


@pytest.fixture(scope="module")
def catalog(django_db_setup, django_db_blocker):
    """The fixed realistic catalog (tests/shared_apps/search/catalog.py), loaded once per module in
    a transaction rolled back after the module; each test runs in a savepoint inside it."""
    from .catalog import load

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            text.dictionary_reset()
            yield load()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            text.dictionary_reset()


class ShopDesk:
    """What a merchant does in the shop's API (shop host) and an operator in the moderation API
    (ops host), the real path by which a product reaches, changes in and leaves the mall.

    `commit` wraps each request: in a test inside a transaction it runs the after-commit work
    (the outbox drain, eager Celery) as a real commit would; with real commits it does nothing.
    """

    API = "/api/v1/shop/catalog/"

    def __init__(self, shop, owner, operator, commit):
        from tests.conftest import OPS, client_for, shop_host

        self.shop, self.commit, self.made = shop, commit, 0
        self.merchant = client_for(shop_host(shop), owner)
        self.merchant.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        self.ops = client_for(OPS, operator)

    def _call(self, client, method: str, path: str, data=None, *, multipart: bool = False):
        with self.commit():
            if method == "get" or multipart:
                answer = getattr(client, method)(path, data)
            else:
                answer = getattr(client, method)(path, data, content_type="application/json")
        assert answer.status_code in (200, 201), (method, path, answer.status_code, answer.content[:500])
        return answer.json()

    def create(self, *, title: str, price: str, category_id: int, brand: str = "", model: str = "") -> tuple[int, int]:
        """A draft product with one SKU and one image: (product id, SKU id)."""
        from tests.factories import png_upload

        self.made += 1
        body = self._call(self.merchant, "post", f"{self.API}products/", {
            "title": title, "brand": brand, "model": model, "platform_category_id": category_id,
            "skus": [{"code": f"{self.shop.subdomain}-{self.made}", "sale_price": price}]})
        self._call(self.merchant, "post", f"{self.API}products/{body['id']}/images/",
                   {"image": png_upload("p.png", width=300, height=300)}, multipart=True)
        return body["id"], body["skus"][0]["id"]

    def submit(self, product_id: int) -> None:
        self._call(self.merchant, "post", f"{self.API}products/{product_id}/submit/")

    def _pending_item(self, product_id: int) -> int:
        items = self._call(self.ops, "get", "/api/v1/ops/moderation/", {"status": "pending"})["results"]
        (item,) = [i for i in items if i["shop_id"] == self.shop.pk and i["product_id"] == product_id]
        return item["id"]

    def approve(self, product_id: int) -> None:
        self._call(self.ops, "post", f"/api/v1/ops/moderation/{self._pending_item(product_id)}/approve/", {})

    def reject(self, product_id: int, reason: str) -> None:
        self._call(self.ops, "post", f"/api/v1/ops/moderation/{self._pending_item(product_id)}/reject/",
                   {"reason": reason})

    def put_on_sale(self, product_id: int) -> None:
        self._call(self.merchant, "post", f"{self.API}products/{product_id}/list/")

    def delist(self, product_id: int) -> None:
        self._call(self.merchant, "post", f"{self.API}products/{product_id}/delist/")

    def set_price(self, sku_id: int, price: str) -> None:
        self._call(self.merchant, "patch", f"{self.API}skus/{sku_id}/prices/", {"sale_price": price})

    def retitle(self, product_id: int, title: str) -> dict:
        return self._call(self.merchant, "patch", f"{self.API}products/{product_id}/", {"title": title})

    def listed(self, *, title: str, price: str, category_id: int, **kwargs) -> tuple[int, int]:
        """A product taken all the way: created, submitted, approved, put on sale."""
        product_id, sku_id = self.create(title=title, price=price, category_id=category_id, **kwargs)
        self.submit(product_id)
        self.approve(product_id)
        self.put_on_sale(product_id)
        return product_id, sku_id
