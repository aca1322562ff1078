"""Password checks hold no transaction, reads take no write lock, and password work cannot take every core.

On SQLite a unit that may write holds the database's one write lock from its first statement (BEGIN IMMEDIATE),
so a login that verified argon2 inside such a unit stopped every posting for as long as the check took. Each test
holds a password check (or a write) open on purpose and checks that the money path goes on meanwhile. They run on
SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import text

from reseller_app.api import create_api
from reseller_app.db import session_scope
from reseller_app.services.access import auth, security
from reseller_app.services.access.actor import Actor
from reseller_app.services.accounting.postings import manual_posting
from reseller_app.services.api import access as api_access
from reseller_app.services.api.access import ApiError
from reseller_app.services.common.errors import AuthFailed, ValidationFailed

QUICK = 5.0  # seconds; SQLite's busy timeout is 30 s, so a posting that waited for the lock would take longer


class HeldCheck:
    """Replaces the argon2 check with one that signals it has started and waits until released."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        monkeypatch.setattr(security, "_verify", self._verify)

    def _verify(self, _password: str, _hash: str | None) -> bool:
        self.entered.set()
        if not self.release.wait(60):
            raise TimeoutError("the held password check was never released")
        return False


def _quick(fn, *args) -> float:
    """Run fn in another thread; its duration, or a failure when it does not finish within QUICK seconds."""
    with ThreadPoolExecutor(1) as pool:
        started = time.perf_counter()
        future = pool.submit(fn, *args)
        future.result(timeout=QUICK)
        return time.perf_counter() - started


def _attempt(fn, *args) -> None:
    try:
        fn(*args)
    except (AuthFailed, ApiError, ValidationFailed):
        pass  # the held check says "wrong password"


ATTEMPTS = {
    "client portal login": lambda w: (auth.login_client, w["ra"], "nobody@example.com", "wrong-password-1"),
    "reseller login": lambda w: (auth.login_reseller, "ra@example.com", "wrong-password-1"),
    "REST API authentication": lambda w: (api_access.authenticate, "ra@example.com", "wrong-password-1", "10.0.0.1"),
    "REST API password change": lambda w: (
        api_access.set_password,
        w["actor_a"],
        "new-api-password-1",
        "new-api-password-1",
    ),
}


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=list(ATTEMPTS))
def test_a_posting_goes_on_while_a_password_is_being_checked(world, monkeypatch, attempt):
    api_access.failures.reset()
    if attempt == "REST API authentication":
        api_access.set_password(world["actor_a"], "api-password-12", "api-password-12")
    token = auth.login_reseller("ra@example.com", "password-123")
    held = HeldCheck(monkeypatch)
    fn, *args = ATTEMPTS[attempt](world)
    login = threading.Thread(target=_attempt, args=(fn, *args))
    login.start()
    try:
        assert held.entered.wait(QUICK), "the password check did not start"
        # The check is under way (and stays so until released): the money path must not wait for it.
        _quick(manual_posting, world["actor_a"], world["c"], "payment", Decimal("5"), "During a login", "held")
        _quick(auth.resolve, token, "reseller")  # and a page's session lookup
    finally:
        held.release.set()
        login.join(30)
    assert not login.is_alive()


def test_failed_logins_still_lock_the_name_after_the_check_moved_out(world):
    for _ in range(auth.LOCK_AFTER):
        with pytest.raises(AuthFailed, match="Incorrect"):
            auth.login_client(world["ra"], "c@example.com", "wrong-password-1")
    with pytest.raises(AuthFailed, match="locked"):
        auth.login_client(world["ra"], "c@example.com", "wrong-password-1")


def test_concurrent_failures_are_all_counted(world):
    # The outcome is written in its own short transaction: attempts that verified side by side all count.
    with ThreadPoolExecutor(auth.LOCK_AFTER) as pool:
        outcomes = list(
            pool.map(
                lambda _: _outcome(auth.login_client, world["ra"], "ghost@example.com", "wrong-password-1"),
                range(auth.LOCK_AFTER),
            )
        )
    assert outcomes == [auth.BAD_LOGIN] * auth.LOCK_AFTER
    assert _outcome(auth.login_client, world["ra"], "ghost@example.com", "wrong-password-1") == auth.LOCKED


def _outcome(fn, *args) -> str:
    try:
        fn(*args)
    except AuthFailed as e:
        return str(e)
    return "accepted"


def test_a_session_lookup_does_not_wait_for_a_writer(world):
    token = auth.login_reseller("ra@example.com", "password-123")
    with session_scope() as w:  # an open write unit: on SQLite it holds the write lock until the block ends
        w.execute(text("UPDATE client SET firstname = 'Busy' WHERE id = :i"), {"i": world["c"]})
        assert _quick(auth.resolve, token, "reseller") < QUICK
        with ThreadPoolExecutor(1) as pool:
            actor = pool.submit(auth.resolve, token, "reseller").result(timeout=QUICK)
        assert actor == Actor("reseller", world["ra"], None, actor.session_id)


def test_password_work_runs_on_few_threads_at_a_lower_priority(monkeypatch):
    seen = {"now": 0, "most": 0, "nice": set()}
    lock = threading.Lock()

    def counting(_password: str, _hash: str | None) -> bool:
        with lock:
            seen["now"] += 1
            seen["most"] = max(seen["most"], seen["now"])
            seen["nice"].add(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        time.sleep(0.05)  # long enough for the other callers to pile up behind it
        with lock:
            seen["now"] -= 1
        return False

    monkeypatch.setattr(security, "_verify", counting)
    callers = security.PASSWORD_THREADS + 3
    with ThreadPoolExecutor(callers) as pool:
        assert not any(pool.map(lambda _: security.verify_password("pw", "hash"), range(callers)))
    assert seen["most"] == security.PASSWORD_THREADS
    assert seen["nice"] == {min(19, os.getpriority(os.PRIO_PROCESS, 0) + security.PASSWORD_NICE)}


def test_the_rest_api_keeps_its_event_loop_free_while_it_checks_a_password(world, monkeypatch):
    api_access.failures.reset()
    api_access.set_password(world["actor_a"], "api-password-12", "api-password-12")
    held = HeldCheck(monkeypatch)

    async def scenario() -> tuple[str, dict]:
        transport = httpx.ASGITransport(app=create_api())
        async with httpx.AsyncClient(transport=transport, base_url="http://portal") as http:
            params = {"api_username": "ra@example.com", "api_password": "wrong-password-1", "method": "getClients"}
            slow = asyncio.create_task(http.get("/api/v1/rest.php", params=params))
            await asyncio.to_thread(held.entered.wait, QUICK)
            assert held.entered.is_set()
            # The password check is held: another request on the same loop is still answered.
            health = await asyncio.wait_for(http.get("/api/health"), QUICK)
            held.release.set()
            return (await slow).json()["status"], health.json()

    try:
        status, health = asyncio.run(scenario())
    finally:
        held.release.set()
    assert health == {"status": "ok"}
    assert status == "invalid_credentials"
