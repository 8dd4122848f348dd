"""A real HTTP receiver on 127.0.0.1 for webhook deliveries, and subscription builders."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django_tenants.utils import schema_context

from tests.tenant_apps.shop.conftest import (  # noqa: F401  (fixtures re-exported)
    _media,
    add_staff,
    clerk_a,
    clerk_user,
    host_client,
    manager_a,
    manager_user,
    owner_a,
)


@dataclass
class Receiver:
    url: str
    requests: list = field(default_factory=list)  # {"path", "headers", "body"}
    answers: list = field(default_factory=list)  # statuses to answer, in order; then 200

    def bodies(self) -> list[bytes]:
        return [r["body"] for r in self.requests]


@pytest.fixture
def receiver():
    """An http.server thread on a free port that records every POST and answers the statuses
    queued in `receiver.answers` (200 when none is left)."""
    received: list = []
    answers: list = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received.append({"path": self.path, "headers": self.headers, "body": body})
            status = answers.pop(0) if answers else 200
            reply = b'{"received": true}' if status < 300 else b"receiver says no " * 100
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Receiver(
        url=f"http://127.0.0.1:{server.server_port}/hooks?src=mall",
        requests=received,
        answers=answers,
    )
    server.shutdown()
    server.server_close()


def subscribe(shop, user, url: str, events=("order.paid",), **kwargs):
    """A subscription made through the service, in `shop`'s schema."""
    from tenant_apps.webhooks import services

    with schema_context(shop.schema_name):
        return services.subscription_create(
            shop=shop, actor=user, url=url, events=list(events), **kwargs
        )
