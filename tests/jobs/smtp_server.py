"""A real SMTP server on loopback (aiosmtpd) for the email tests, on a free port."""

from __future__ import annotations

import email
import threading
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller


class LoopbackController(Controller):
    """aiosmtpd's Controller with port 0: learn the port the OS gave before checking it."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class Mailbox:
    """What the server accepted; `refuse` makes it answer 554 to every message."""

    messages: list = field(default_factory=list)
    refuse: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "554 5.7.1 Rejected by policy"
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp_server():
    """(host, port, mailbox) of a running server, stopped after the test."""
    mailbox = Mailbox()
    controller = LoopbackController(mailbox, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        yield "127.0.0.1", controller.port, mailbox
    finally:
        controller.stop()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
