"""A threaded HTTP server with a start/stop lifecycle, shared by the simulators."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from shared_apps.payments import httpclient


class Reply:
    def __init__(self, status: int = 200, body: bytes | str = b"", headers: dict | None = None):
        self.status = status
        self.body = body.encode() if isinstance(body, str) else body
        self.headers = headers or {}

    @classmethod
    def json(cls, status: int, data: dict, headers: dict | None = None) -> "Reply":
        return cls(status, json.dumps(data, ensure_ascii=False, separators=(",", ":")),
                   {"Content-Type": "application/json; charset=utf-8", **(headers or {})})


class SimulatorServer:
    """Subclasses implement handle(method, path, query, headers, body) -> Reply."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                try:
                    reply = simulator.handle(self.command, parts.path, parts.query, self.headers, body)
                except Exception as exc:  # noqa: BLE001 - a simulator bug shows as a 500, like a real outage
                    reply = Reply(500, f"simulator error: {exc}")
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = _serve

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.thread: threading.Thread | None = None
        self.lock = threading.RLock()

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "SimulatorServer":
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, method: str, path: str, query: str, headers, body: bytes) -> Reply:
        raise NotImplementedError

    @staticmethod
    def deliver(url: str, body: bytes, headers: dict) -> httpclient.Answer:
        """Send a notification to the mall (real HTTP)."""
        return httpclient.post(url, body, headers, timeout=10)
