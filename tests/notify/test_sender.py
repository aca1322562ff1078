"""Delivery over a real SMTP server: once, retried with backoff, given up after 8 tries, safe for many workers."""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from reseller_app import db
from reseller_app.models import OutboundEmail
from reseller_app.notify import SmtpSettings, deliver_pending, enqueue, run_forever, sender
from reseller_app.notify.sender import LEASE, MAX_ATTEMPTS, retry_delay

T0 = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)


def _smtp(port: int) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, from_addr="billing@portal.example.com")


def _queue(engine, n: int = 1, *, created: datetime = T0, to: str = "client@example.com") -> list[int]:
    with Session(engine) as s:
        rows = [
            enqueue(s, to=to, subject=f"Low balance {i}", body=f"Hello Marie,\nyour balance is 8.{i}0.\n")
            for i in range(n)
        ]
        for row in rows:
            row.created_at = row.next_attempt_at = created
        s.commit()
        return [r.id for r in rows]


def _row(engine, msg_id: int) -> OutboundEmail:
    with Session(engine) as s:
        return s.get(OutboundEmail, msg_id)


def test_queued_mail_delivered_once_with_right_headers(engine, smtp_server):
    (msg_id,) = _queue(engine)
    assert deliver_pending(smtp=_smtp(smtp_server.port), now=T0) == (1, 0)

    assert len(smtp_server.messages) == 1
    mail_from, rcpts, msg = smtp_server.messages[0]
    assert mail_from == "billing@portal.example.com"
    assert rcpts == ["client@example.com"]
    assert msg["To"] == "client@example.com"
    assert msg["From"] == "billing@portal.example.com"
    assert msg["Subject"] == "Low balance 0"
    assert msg["Message-ID"].endswith("@portal.example.com>")
    assert msg.get_content().replace("\r\n", "\n") == "Hello Marie,\nyour balance is 8.00.\n"  # CRLF on the wire

    row = _row(engine, msg_id)
    assert (row.status, row.sent_at, row.attempts, row.last_error) == ("sent", T0, 1, "")

    assert deliver_pending(smtp=_smtp(smtp_server.port), now=T0 + timedelta(hours=2)) == (0, 0)
    assert len(smtp_server.messages) == 1


def test_not_due_yet_is_left_alone(engine, smtp_server):
    _queue(engine, created=T0)
    assert deliver_pending(smtp=_smtp(smtp_server.port), now=T0 - timedelta(seconds=1)) == (0, 0)
    assert smtp_server.messages == []


def test_smtp_down_then_up_delivers_exactly_once(engine, stopped_smtp_server):
    server = stopped_smtp_server
    (msg_id,) = _queue(engine)

    assert deliver_pending(smtp=_smtp(server.port), now=T0) == (0, 1)
    row = _row(engine, msg_id)
    assert row.status == "pending" and row.attempts == 1
    assert row.next_attempt_at == T0 + timedelta(seconds=30)
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()

    server.start()
    # Up again, but the backoff has not passed: nothing is sent yet.
    assert deliver_pending(smtp=_smtp(server.port), now=T0 + timedelta(seconds=10)) == (0, 0)
    assert server.messages == []

    assert deliver_pending(smtp=_smtp(server.port), now=T0 + timedelta(seconds=31)) == (1, 0)
    assert deliver_pending(smtp=_smtp(server.port), now=T0 + timedelta(hours=5)) == (0, 0)
    assert len(server.messages) == 1
    row = _row(engine, msg_id)
    assert row.status == "sent" and row.attempts == 2 and row.sent_at == T0 + timedelta(seconds=31)


def test_a_failed_delivery_is_logged_as_a_warning(engine, stopped_smtp_server, caplog):
    (msg_id,) = _queue(engine)
    with caplog.at_level(logging.INFO, logger=sender.log.name):
        assert deliver_pending(smtp=_smtp(stopped_smtp_server.port), now=T0) == (0, 1)
    failed = [r for r in caplog.records if f"outbox message {msg_id}: attempt 1 failed" in r.getMessage()]
    assert [r.levelno for r in failed] == [logging.WARNING]


def test_backoff_doubles_and_caps_at_an_hour():
    assert [retry_delay(n).total_seconds() for n in range(1, 10)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]


def test_gives_up_after_eight_failures(engine, stopped_smtp_server):
    (msg_id,) = _queue(engine)
    now = T0
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert deliver_pending(smtp=_smtp(stopped_smtp_server.port), now=now) == (0, 1)
        row = _row(engine, msg_id)
        assert row.attempts == attempt
        assert row.status == ("failed" if attempt == MAX_ATTEMPTS else "pending")
        assert row.next_attempt_at == now + retry_delay(attempt)
        now = row.next_attempt_at
    stopped_smtp_server.start()
    assert deliver_pending(smtp=_smtp(stopped_smtp_server.port), now=now + timedelta(days=1)) == (0, 0)
    assert stopped_smtp_server.messages == []


def test_server_down_stops_the_round_after_one_try(engine, stopped_smtp_server):
    ids = _queue(engine, 3)
    assert deliver_pending(smtp=_smtp(stopped_smtp_server.port), now=T0) == (0, 1)
    assert [_row(engine, i).attempts for i in ids] == [1, 0, 0]


def test_permanent_refusal_fails_at_once_and_others_still_go(engine, smtp_server):
    (bad,) = _queue(engine, to="reject-me@example.com")
    good = _queue(engine, 2)
    assert deliver_pending(smtp=_smtp(smtp_server.port), now=T0) == (2, 1)
    row = _row(engine, bad)
    assert row.status == "failed" and row.attempts == 1 and "550" in row.last_error
    assert all(_row(engine, i).status == "sent" for i in good)
    assert len(smtp_server.messages) == 2


def test_batch_limits_one_round(engine, smtp_server):
    _queue(engine, 5)
    assert deliver_pending(smtp=_smtp(smtp_server.port), now=T0, batch=2) == (2, 0)
    assert deliver_pending(smtp=_smtp(smtp_server.port), now=T0, batch=10) == (3, 0)
    assert len(smtp_server.messages) == 5


def test_crash_after_sending_never_resends_marked_messages(engine, smtp_server, monkeypatch):
    first, second = _queue(engine, 2)
    real_mark = sender._mark_sent
    marked = []

    def crash_on_second(session_factory, msg, now):
        if marked:
            raise KeyboardInterrupt("worker killed")
        real_mark(session_factory, msg, now)
        marked.append(msg.id)

    monkeypatch.setattr(sender, "_mark_sent", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        deliver_pending(smtp=_smtp(smtp_server.port), now=T0)
    monkeypatch.setattr(sender, "_mark_sent", real_mark)
    assert _row(engine, first).status == "sent"
    assert _row(engine, second).status == "sending"
    assert len(smtp_server.messages) == 2

    # Within the lease nobody touches the in-flight message.
    assert deliver_pending(smtp=_smtp(smtp_server.port), now=T0 + LEASE - timedelta(seconds=1)) == (0, 0)
    # After it, the stuck message is retried (at-least-once); the one already marked is not.
    assert deliver_pending(smtp=_smtp(smtp_server.port), now=T0 + LEASE) == (1, 0)
    subjects = [m["Subject"] for _, _, m in smtp_server.messages]
    assert subjects == ["Low balance 0", "Low balance 1", "Low balance 1"]
    row = _row(engine, second)
    assert row.status == "sent" and row.attempts == 2
    assert smtp_server.messages[1][2]["Message-ID"] == smtp_server.messages[2][2]["Message-ID"]


def test_message_crashing_its_worker_every_time_ends_failed(engine):
    (msg_id,) = _queue(engine)
    with Session(engine) as s:
        row = s.get(OutboundEmail, msg_id)
        row.status, row.attempts, row.next_attempt_at = "sending", MAX_ATTEMPTS - 1, T0
        s.add(row)
        s.commit()
    assert deliver_pending(smtp=_smtp(1), now=T0) == (0, 0)
    row = _row(engine, msg_id)
    assert row.status == "failed" and row.attempts == MAX_ATTEMPTS and "lease" in row.last_error


def test_two_workers_never_send_the_same_message(engine, smtp_server):
    _queue(engine, 30)
    results = []
    barrier = threading.Barrier(2)

    def worker():
        barrier.wait()
        results.append(deliver_pending(smtp=_smtp(smtp_server.port), now=T0, batch=30))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(sent for sent, _ in results) == 30
    subjects = sorted(m["Subject"] for _, _, m in smtp_server.messages)
    assert subjects == sorted(f"Low balance {i}" for i in range(30))
    with Session(engine) as s:
        assert set(s.exec(select(OutboundEmail.status)).all()) == {"sent"}


def test_settings_come_from_config(monkeypatch):
    from reseller_app import config

    monkeypatch.setattr(
        config,
        "settings",
        config.Settings(
            smtp_host="mail.example.com",
            smtp_port=587,
            smtp_user="u",
            smtp_password="p",
            smtp_starttls=True,
            smtp_from="no-reply@example.com",
        ),
    )
    assert SmtpSettings.from_settings() == SmtpSettings(
        host="mail.example.com",
        port=587,
        user="u",
        password="p",
        starttls=True,
        from_addr="no-reply@example.com",
        implicit_tls=False,
    )


def test_naive_now_refused(engine):
    with pytest.raises(ValueError):
        deliver_pending(smtp=_smtp(1), now=datetime(2024, 1, 1))


def test_run_forever_survives_errors_until_cancelled(monkeypatch):
    calls = []
    outcome = []

    async def main():
        loop = asyncio.get_running_loop()
        task = None

        def fake(session_factory, smtp):
            calls.append(threading.current_thread().name)
            if len(calls) == 3:
                loop.call_soon_threadsafe(task.cancel)
            if len(calls) == 1:
                raise RuntimeError("database is down")
            return (0, 0)

        monkeypatch.setattr(sender, "deliver_pending", fake)
        task = asyncio.create_task(run_forever(interval=0))
        try:
            await asyncio.wait_for(task, timeout=10)
        except asyncio.CancelledError:
            outcome.append("cancelled")
        else:
            outcome.append("returned")

    # A thread of its own, so a loop left running by other tests (Playwright's sync API) cannot interfere.
    runner = threading.Thread(target=lambda: asyncio.run(main()))
    runner.start()
    runner.join(timeout=20)
    assert outcome == ["cancelled"]  # it kept going after the error and stopped only when cancelled
    assert len(calls) == 3
    assert all(name != runner.name for name in calls)  # each round ran off the event loop's thread


def test_default_session_factory_is_the_apps(engine):
    assert deliver_pending.__defaults__[0] is db.session_scope


# --- issue 15 #11: the outbox keeps a secret (a reset link's token) only as long as delivery needs it ---


def _queue_secret(engine, *, expires: datetime | None = None, to: str = "client@example.com") -> int:
    token = "tok3n-SECRET-value"
    with Session(engine) as s:
        row = enqueue(
            s,
            to=to,
            subject="Reset",
            body=f"Go to https://portal.example/r/1/reset?token={token}\n",
            secrets=[token],
            expires_at=expires,
        )
        row.created_at = row.next_attempt_at = T0
        s.commit()
        return row.id


def test_a_secret_is_sent_but_never_kept_in_the_stored_body(engine, smtp_server):
    msg_id = _queue_secret(engine, expires=T0 + timedelta(hours=1))
    queued = _row(engine, msg_id)
    assert "tok3n-SECRET-value" not in queued.body_text and "[redacted-1]" in queued.body_text
    assert deliver_pending(smtp=_smtp(smtp_server.port), now=T0) == (1, 0)
    sent = smtp_server.messages[0][2].get_content()
    assert "reset?token=tok3n-SECRET-value" in sent  # the client gets the live link
    row = _row(engine, msg_id)
    assert row.status == "sent" and row.secrets is None
    assert "tok3n-SECRET-value" not in row.body_text and "reset?token=[redacted-1]" in row.body_text


def test_an_unsent_secret_goes_when_the_link_expires_or_delivery_gives_up(engine, smtp_server):
    expired = _queue_secret(engine, expires=T0 + timedelta(minutes=30))
    refused = _queue_secret(engine, expires=T0 + timedelta(hours=1), to="reject-me@example.com")
    smtp_server.stop()
    assert deliver_pending(smtp=_smtp(smtp_server.port), now=T0) == (0, 1)  # server down: retried later
    assert _row(engine, expired).secrets is not None  # still needed for the next try
    smtp_server.start()
    # Past the link's hour nothing sends it, and nothing keeps its token.
    assert deliver_pending(smtp=_smtp(smtp_server.port), now=T0 + timedelta(minutes=31)) == (0, 1)
    row = _row(engine, expired)
    assert (row.status, row.secrets) == ("failed", None) and "expired" in row.last_error
    row = _row(engine, refused)  # a permanent refusal (550): given up, secret gone
    assert (row.status, row.secrets) == ("failed", None)
    assert smtp_server.messages == []
