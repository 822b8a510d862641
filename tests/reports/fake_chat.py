"""A small OpenAI-compatible chat server on a free local port, for the language-model tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Reply = Callable[[dict], tuple[int, dict | str]]


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A client that gave up (the timeout test) leaves a broken pipe behind: nothing to report."""


@contextmanager
def chat_server(reply: Reply, *, models: list[str] = ("local-model",)) -> Iterator[tuple[str, list[dict]]]:
    """An OpenAI-compatible server on a free local port; yields its URL and the request bodies it got."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, payload: dict | str) -> None:
            body = (json.dumps(payload) if isinstance(payload, dict) else payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 (http.server's name)
            if self.path == "/v1/models" and models:
                self._send(200, {"object": "list", "data": [{"id": m, "object": "model"} for m in models]})
            else:
                self._send(404, {"error": "not found"})

        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length))
            body["_authorization"] = self.headers.get("Authorization")
            body["_path"] = self.path
            received.append(body)
            self._send(*reply(body))

        def log_message(self, *args):  # keep the test output quiet
            pass

    server = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def completion(text: str) -> tuple[int, dict]:
    return 200, {"id": "x", "object": "chat.completion",
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]}
