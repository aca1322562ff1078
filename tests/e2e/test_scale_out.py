"""Scale-out: two backend workers on PostgreSQL with Reflex's state in Redis, driven from the browser.

A throw-away PostgreSQL database and an empty Redis database number are created here and removed afterwards.
Each browser tab has its own Reflex token and websocket; Reflex's Redis token manager records which worker
(instance) holds each socket, so the test can show that a login made through one worker is honoured by the other.
"""

from __future__ import annotations

import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ROOT, _free_port, app_env, e2e_lock, migrate_and_seed, running_app
from tests.e2e.seed import PASSWORD

pytestmark = pytest.mark.e2e

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
SOCKET_RECORD = "token_manager_socket_record_"
WAIT_MS = 20000  # two apps and other work share 2 cores: answers can take a few seconds
MAX_TABS = 24  # new tabs opened until one lands on the other worker (placement is the kernel's choice)


def _free_redis_db():
    """An empty Redis database number (10-15) of our own; flushed at the end, so it must start empty."""
    import redis

    for n in range(10, 16):
        r = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=n)
        if r.dbsize() == 0:
            return n, r
    pytest.fail("no empty Redis database among 10-15")


@pytest.fixture(scope="module")
def scaled_app(smtp_sink):
    """The portal in prod mode with two workers, PostgreSQL (a new database) and Redis; yields base URL and ids."""
    import psycopg

    name = f"portal_scale_{uuid.uuid4().hex[:10]}"
    with e2e_lock():
        tmp = Path(tempfile.mkdtemp(prefix="portal-scale-"))
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        db_number, redis_client = _free_redis_db()
        try:
            port = _free_port()
            env = app_env(
                tmp,
                port,
                DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}",
                REDIS_URL=f"redis://{REDIS_HOST}:{REDIS_PORT}/{db_number}",
                GRANIAN_WORKERS="2",
                SMTP_HOST=smtp_sink["host"],
                SMTP_PORT=str(smtp_sink["port"]),
            )
            ids = migrate_and_seed(env)
            with running_app(env, tmp, private_web=True) as proc:
                yield {"base": f"http://127.0.0.1:{port}", "ids": ids, "redis": redis_client, "pid": proc.pid}
        finally:
            redis_client.flushdb()  # our own database number only (it was empty before)
            redis_client.close()
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            shutil.rmtree(tmp, ignore_errors=True)


def _worker_of(page, redis_client) -> str:
    """The Reflex instance (worker) that holds this tab's websocket, read from the Redis token manager."""
    token = page.wait_for_function("() => window.sessionStorage.getItem('token')").json_value()
    raw = redis_client.get(SOCKET_RECORD + token)
    assert raw is not None, "the tab's socket is not registered in Redis"
    return pickle.loads(raw).instance_id  # Reflex's own record in our own Redis database


def _login(page, path: str, email: str) -> None:
    page.goto(path)
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()


def _tabs_until_other_worker(ctx, redis_client, first: str, path: str, ready) -> list[str]:
    """Open new tabs of the same login until one is served by another worker; each must show `ready`."""
    seen = [first]
    for _ in range(MAX_TABS):
        tab = ctx.new_page()
        tab.set_default_timeout(WAIT_MS)
        tab.goto(path)
        ready(tab)  # the session cookie made on one worker is valid wherever this tab's socket landed
        seen.append(_worker_of(tab, redis_client))
        tab.close()
        if len(set(seen)) > 1:
            break
    return seen


def test_two_workers_share_sessions_through_redis(browser, scaled_app):
    base, rid, r = scaled_app["base"], scaled_app["ids"]["a"], scaled_app["redis"]

    # Reseller: log in on one tab, then new tabs (new sockets) reach the other worker, still logged in.
    ctx = browser.new_context(base_url=base, viewport={"width": 1280, "height": 860})
    page = ctx.new_page()
    page.set_default_timeout(WAIT_MS)
    _login(page, "/login", "reseller-a@example.com")
    expect(page).to_have_url(re.compile(r"/reseller/?$"), timeout=WAIT_MS)
    expect(page.locator("#sidebar").get_by_text("Reseller A", exact=True)).to_be_visible(timeout=WAIT_MS)
    first = _worker_of(page, r)

    def overview(tab) -> None:
        # The reseller's name comes from the guard event, answered by the worker that holds this tab's socket.
        expect(tab.locator("#sidebar").get_by_text("Reseller A", exact=True)).to_be_visible(timeout=WAIT_MS)
        expect(tab).to_have_url(re.compile(r"/reseller/?$"), timeout=WAIT_MS)

    seen = _tabs_until_other_worker(ctx, r, first, "/reseller", overview)
    assert len(set(seen)) == 2, f"every tab landed on one worker: {seen}"
    # Event round trips on the login tab keep working after the other worker served the same session.
    for path, heading in (("/reseller/clients", "Manage client's accounts"), ("/reseller", "Overview")):
        page.goto(path)
        expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=WAIT_MS)
    # The page's load event has been answered before the click.
    expect(page.locator("#sidebar").get_by_text("Reseller A", exact=True)).to_be_visible(timeout=WAIT_MS)
    page.locator("#logout").click()
    expect(page).to_have_url(re.compile(r"/login/?$"), timeout=WAIT_MS)
    # Logging out on one worker ends the session for every worker.
    tab = ctx.new_page()
    tab.goto("/reseller")
    expect(tab).to_have_url(re.compile(r"/login/?$"), timeout=WAIT_MS)
    ctx.close()

    # Client: the same across workers, on the reseller's branded portal.
    ctx = browser.new_context(base_url=base, viewport={"width": 1280, "height": 860})
    page = ctx.new_page()
    page.set_default_timeout(WAIT_MS)
    _login(page, f"/r/{rid}/login", "client-a@example.com")
    expect(page).to_have_url(re.compile(rf"/r/{rid}/dashboard/?$"), timeout=WAIT_MS)
    expect(page.locator("#balance")).to_have_text("$0.00", timeout=WAIT_MS)
    first = _worker_of(page, r)

    def dashboard(tab) -> None:
        expect(tab.locator("#balance")).to_have_text("$0.00", timeout=WAIT_MS)  # filled by the page's load event
        expect(tab).to_have_url(re.compile(rf"/r/{rid}/dashboard/?$"), timeout=WAIT_MS)

    seen = _tabs_until_other_worker(ctx, r, first, f"/r/{rid}/dashboard", dashboard)
    assert len(set(seen)) == 2, f"every tab landed on one worker: {seen}"
    page.goto(f"/r/{rid}/calls")
    expect(page.locator("#call-total")).to_be_visible(timeout=WAIT_MS)
    page.screenshot(path=str(Path(tempfile.gettempdir()) / "scale-out-client-calls.png"))
    ctx.close()


def test_forked_workers_get_their_own_lease_holder():
    """Reflex forks its workers from one process: each must hold scheduler leases under its own name."""
    from reseller_app.services.jobs import scheduler

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child reports its holder name and leaves at once
        os.write(write, scheduler.WORKER.encode())
        os._exit(0)
    os.close(write)
    child = os.read(read, 200).decode()
    os.close(read)
    os.waitpid(pid, 0)
    assert child and child != scheduler.WORKER
    assert child.split(":")[1] == str(pid)


def _rxconfig(**env: str) -> subprocess.CompletedProcess:
    """Import rxconfig in a fresh interpreter with `env` and report Reflex's state manager and worker count."""
    code = (
        "import rxconfig\n"
        "from reflex.istate.manager import StateManager\n"
        "from reflex.utils import processes\n"
        "print(type(StateManager.create()).__name__, processes.get_num_workers())\n"
    )
    full = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "GRANIAN_WORKERS")}
    full.update(env, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=full, capture_output=True, text=True)


def test_redis_url_selects_reflex_redis_state_manager():
    done = _rxconfig(REDIS_URL=f"redis://{REDIS_HOST}:{REDIS_PORT}/15")
    assert done.returncode == 0, done.stderr
    manager, workers = done.stdout.split()[-2:]
    assert manager == "StateManagerRedis" and int(workers) > 1


def test_several_workers_without_redis_are_refused():
    done = _rxconfig(GRANIAN_WORKERS="2")
    assert done.returncode != 0 and "needs REDIS_URL" in done.stderr
    alone = _rxconfig()
    assert alone.returncode == 0, alone.stderr
    manager, workers = alone.stdout.split()[-2:]
    assert manager in ("StateManagerMemory", "StateManagerDisk") and workers == "1"  # per process, one worker
