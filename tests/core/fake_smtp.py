"""A small real SMTP server for tests, speaking enough of RFC 5321 for smtplib.

Its behaviour is switched while a test runs:
- not started (or stopped): the port refuses connections;
- `busy = True`: MAIL FROM is answered 451 (try again later);
- `rejected = {"x@…"}`: RCPT TO those addresses is answered 550 (no such user);
- `hang = True`: connections are accepted and never greeted (the client times out);
- otherwise every message is accepted and kept in `received`.
"""

import socket
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Received:
    mail_from: str
    rcpt_to: list[str]
    data: str


@dataclass
class FakeSMTPState:
    busy: bool = False
    hang: bool = False
    rejected: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self):
        state: FakeSMTPState = self.server.state
        if state.hang:
            state.stopping.wait(30)
            return
        self.reply("220 fake.test ESMTP")
        mail_from, rcpt_to = "", []
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 fake.test")
            elif verb == "MAIL":
                if state.busy:
                    self.reply("451 4.3.2 Busy, try again later")
                    continue
                mail_from, rcpt_to = command.split(":", 1)[1].strip(" <>"), []
                self.reply("250 2.1.0 OK")
            elif verb == "RCPT":
                address = command.split(":", 1)[1].strip(" <>")
                if address in state.rejected:
                    self.reply("550 5.1.1 No such user here")
                else:
                    rcpt_to.append(address)
                    self.reply("250 2.1.5 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data.decode())
                state.received.append(Received(mail_from, rcpt_to, "".join(lines)))
                self.reply("250 2.0.0 Queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 5.5.2 Command not recognized")


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class FakeSMTPServer:
    def __init__(self):
        self.port = free_port()
        self.state = FakeSMTPState()
        self._server = None

    def start(self) -> None:
        self._server = _Server(("127.0.0.1", self.port), _Handler)
        self._server.state = self.state
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self.state.stopping.set()
            self._server.shutdown()
            self._server.server_close()
            self._server = None
            self.state.stopping.clear()

    @property
    def received(self) -> list[Received]:
        return self.state.received


def use_fake_smtp(settings, server: FakeSMTPServer) -> None:
    """Point Django's SMTP backend at `server`, with delivery only by the worker (production's
    configuration): a request never talks to it."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.OUTBOX_SEND_TIMEOUT = 1
    settings.OUTBOX_DELIVER_ON_COMMIT = False
