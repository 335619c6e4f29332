"""A webhook receiver for tests: an HTTP server on 127.0.0.1 that verifies each delivery's
Standard Webhooks signature with the endpoint's secret (the standardwebhooks package, as a
real receiver would) and answers with the status it is told to."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class Receiver:
    def __init__(self, secret: str = ""):
        self.secret = secret
        self.statuses: list[int] = []  # answers to give, in order (then 200)
        self.received: list[dict] = []  # verified payloads
        self.rejected: list[str] = []  # why a signature did not verify
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    payload = Webhook(receiver.secret).verify(body, headers)
                except WebhookVerificationError as exc:
                    receiver.rejected.append(str(exc))
                    self.send_response(400)
                else:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    if 200 <= status < 300:
                        receiver.received.append({"payload": payload, "id": headers["webhook-id"]})
                    self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
