"""Browser tests: the app is built and started once per session in prod mode on a free port."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT = 600
# Where the browser tests save screenshots: docs/screenshots only when SCREENSHOTS_DIR says so (`make screenshots`),
# otherwise a temporary directory, so a test run never rewrites tracked files.
SHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or tempfile.mkdtemp(prefix="portal-screenshots-"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    """Stop the whole process group; kill it when it lingers (reflex does not always exit on SIGTERM)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=15)


def _port_closed(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


class _MailSink:
    """An aiosmtpd handler that keeps every message it receives (the app's outgoing mail in the tests)."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture(scope="session")
def smtp_sink():
    """A real SMTP server (aiosmtpd) on a free port; the app sends its mail there."""
    from aiosmtpd.controller import Controller

    sink = _MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield {"host": "127.0.0.1", "port": controller.port, "messages": sink.messages}
    controller.stop()


_lock_depth = 0
_lock_file = None


@contextmanager
def e2e_lock() -> Iterator[None]:
    """The machine-wide build lock (other work trees build on the same 2 cores); re-entrant in this process."""
    global _lock_depth, _lock_file
    if _lock_depth == 0:
        _lock_file = open("/tmp/portal-e2e.lock", "w")  # noqa: SIM115 - held until the outermost exit
        fcntl.flock(_lock_file, fcntl.LOCK_EX)
    _lock_depth += 1
    try:
        yield
    finally:
        _lock_depth -= 1
        if _lock_depth == 0:
            fcntl.flock(_lock_file, fcntl.LOCK_UN)
            _lock_file.close()
            _lock_file = None


def app_env(tmp: Path, port: int, **overrides: str) -> dict[str, str]:
    """The environment of an app under test: a SQLite file in `tmp` unless DATABASE_URL is given."""
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    env.update(
        DATABASE_URL=f"sqlite:///{tmp / 'e2e.db'}",
        PORT=str(port),
        REFLEX_USE_NPM="1",
        REFLEX_TELEMETRY_ENABLED="false",
        APP_ENV="dev",
        # The test suite's argon2 cost (tests/conftest.py: cheap) for the app and the seed scripts too; a bench that
        # starts the app through this function without the suite's conftest keeps the production cost.
        ARGON2_PROFILE=os.environ.get("ARGON2_PROFILE", "default"),
        PATH=f"{VENV_BIN}:{env.get('PATH', '')}",
        PYTHONPATH=str(ROOT),
        # The scheduled jobs (CDR sync, billing at 02:00 UTC) have their own tests; here they would move balances
        # under the browser tests' feet depending on the hour.
        SCHEDULER="0",
        # Every browser test signs in from 127.0.0.1: the failed sign-ins of all of them would add up against one
        # address's limit (30 per 15 minutes). The limit has its own tests (tests/services/access/test_login_limits.py,
        # tests/api/test_direct_login.py).
        LOGIN_FAILURES_PER_IP="1000",
    )
    env.update(overrides)
    return env


def migrate_and_seed(env: dict[str, str], seed_module: str = "tests.e2e.seed") -> dict:
    """Create the schema and run a seed module (a subprocess that prints its ids as JSON on the last line)."""
    subprocess.run([str(VENV_BIN / "alembic"), "upgrade", "head"], cwd=ROOT, env=env, check=True, capture_output=True)
    seeded = subprocess.run(
        [sys.executable, "-m", seed_module], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(seeded.stdout.strip().splitlines()[-1])


def _own_web_dir(tmp: Path) -> Path:
    """A private copy of .web: a second app (another port, baked into the build) must not rebuild the shared one."""
    web = tmp / "web"
    if (ROOT / ".web").is_dir():
        # node_modules come along, so no new install; the old build output (top level only: packages in
        # node_modules have their own "build" folders) is left behind.
        top = ROOT / ".web"
        shutil.copytree(top, web, symlinks=True, ignore=lambda d, names: ["build"] if Path(d) == top else [])
    return web


# Reflex rewrites the tracked reflex.lock/ when it builds (package.json's key order flips between its own rendering
# and npm's; package-lock.json follows npm). A test run must not change tracked files: running_app puts them back.
REFLEX_LOCK = ROOT / "reflex.lock"


def snapshot(folder: Path) -> dict[Path, bytes]:
    """The files of `folder` (not recursive) and their bytes."""
    return {p: p.read_bytes() for p in folder.iterdir() if p.is_file()} if folder.is_dir() else {}


def restore(folder: Path, files: dict[Path, bytes]) -> None:
    """Put `folder` back as `snapshot` saw it: changed files rewritten, new ones removed."""
    for p in list(folder.iterdir()) if folder.is_dir() else []:
        if p.is_file() and p not in files:
            p.unlink()
    for p, data in files.items():
        if not p.is_file() or p.read_bytes() != data:
            p.write_bytes(data)


@contextmanager
def running_app(env: dict[str, str], tmp: Path, *, private_web: bool = False) -> Iterator[subprocess.Popen]:
    """Build and run `reflex run --env prod` with `env` until /ping and /login answer; stop it (and check) on exit.

    The caller holds e2e_lock(). `private_web` builds in a copy of .web (for an app started beside the session's).
    """
    env = dict(env)
    if private_web:
        env["REFLEX_WEB_WORKDIR"] = str(_own_web_dir(tmp))
        env["REFLEX_STATES_WORKDIR"] = str(tmp / "states")
    port = int(env["PORT"])
    log_path = tmp / "app.log"
    lock_files = snapshot(REFLEX_LOCK)
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [str(VENV_BIN / "reflex"), "run", "--env", "prod"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"app exited early:\n{log_path.read_text()[-4000:]}")
            try:
                if (
                    httpx.get(f"{base}/ping", timeout=2).status_code == 200
                    and httpx.get(f"{base}/login", timeout=5, follow_redirects=True).status_code == 200
                ):
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"app did not start in {START_TIMEOUT}s:\n{log_path.read_text()[-4000:]}")
            time.sleep(0.5)  # polling interval while waiting for the condition above
        yield proc
    finally:
        _stop(proc)
        log.close()
        restore(REFLEX_LOCK, lock_files)
        assert _port_closed(port), "a server survived the test run"


@pytest.fixture(scope="session")
def stripe_fake():
    """The local fake of Stripe (tests/stripe_fake.py) the app's Stripe library talks to (STRIPE_API_BASE)."""
    from tests.stripe_fake import FakeStripe

    fake = FakeStripe().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def app_server(smtp_sink, stripe_fake):
    """Start the portal (prod mode) on a temporary database; yields its base URL and seeded ids.

    A file lock keeps two test sessions on this machine (other work trees) from building at once: 2 cores.
    """
    with e2e_lock():
        tmp = Path(tempfile.mkdtemp(prefix="portal-e2e-"))
        port = _free_port()
        app_tmp = tmp / "app-tmp"  # the app's temporary folder, watched by the upload tests
        app_tmp.mkdir()
        env = app_env(
            tmp,
            port,
            SMTP_HOST=smtp_sink["host"],
            SMTP_PORT=str(smtp_sink["port"]),
            TMPDIR=str(app_tmp),
            STRIPE_API_BASE=stripe_fake.base,
        )
        try:
            ids = migrate_and_seed(env)
            with running_app(env, tmp) as proc:
                yield {
                    "base": f"http://127.0.0.1:{port}",
                    "ids": ids,
                    "log": tmp / "app.log",
                    "port": port,
                    "database_url": env["DATABASE_URL"],
                    "mail": smtp_sink["messages"],
                    "tmpdir": app_tmp,
                    "pgid": proc.pid,  # the app's process group (started in a new session)
                }
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, app_server):
    """A fresh browser context (no cookies) for one test."""
    ctx = browser.new_context(base_url=app_server["base"], viewport={"width": 1280, "height": 860})
    pg = ctx.new_page()
    pg.set_default_timeout(20000)
    yield pg
    ctx.close()
