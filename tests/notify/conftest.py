"""A real SMTP server (aiosmtpd) on a free local port, recording what it receives."""

from __future__ import annotations

import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port nothing listens on (right now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """Keeps every message accepted; refuses recipients whose local part starts with 'reject'."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("reject"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"


class SmtpServer:
    """Start/stop an aiosmtpd server on a fixed port, so a test can bring it up after a failure."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.handler = Recorder()
        self._controller: Controller | None = None

    @property
    def messages(self) -> list:
        return self.handler.messages

    def start(self) -> None:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture()
def smtp_server():
    """A running SMTP server."""
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture()
def stopped_smtp_server():
    """An SMTP server on a reserved port, not started yet (the SMTP host is down)."""
    server = SmtpServer(free_port())
    yield server
    server.stop()
