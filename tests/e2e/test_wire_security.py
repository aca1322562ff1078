"""Security on the real wire (issue 15): the running app (prod mode, tests/e2e/conftest.py) driven as a probe does it.

Raw Reflex events on the websocket with attacker-chosen router data and vars (`update_vars_internal`), the
`/_upload` endpoint, CORS headers and several tabs at once (tests/security/wire.py speaks the protocol). Each test
is one finding of the issue and failed before its fix. In-process tests of the same rules are in tests/security.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import csv
import io
import os
import re
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import unquote

import httpx
import pytest

from tests.e2e.seed import PASSWORD
from tests.e2e.seeds.wire import EVIL, WIRE_API_PW
from tests.security.wire import Tab, names, redirects, state_delta, var

pytestmark = pytest.mark.e2e
N = names()
FORMULA = ("=", "+", "-", "@", "\t", "\r")
FOREIGN = "http://127.0.0.1:9"  # a page on another port of the same machine


def run(coro):
    """Run a scenario on a loop of its own, in a worker thread: the browser tests before these leave Playwright's
    event loop set on the main thread, where asyncio.run() refuses to start."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, asyncio.wait_for(coro, timeout=240)).result()


def db(app_server) -> sqlite3.Connection:
    return sqlite3.connect(app_server["database_url"].removeprefix("sqlite:///"), timeout=30)


def rid(app_server) -> int:
    return app_server["ids"]["wire"]


async def reseller_tab(base: str) -> tuple[Tab, str]:
    tab = await Tab(base).connect()
    update = await tab.call(
        f"{N['login']}.reseller_login", {"form": {"email": "reseller-wire@example.com", "password": PASSWORD}}, "/login"
    )
    token = var(tab.merged(N["session"]), "reseller_token")
    assert token, update
    return tab, token


async def client_tab(base: str, r: int, email: str = "wire-client@example.com") -> tuple[Tab, str]:
    tab = await Tab(base).connect()
    await tab.call(
        f"{N['login']}.client_login",
        {"form": {"email": email, "password": PASSWORD}},
        f"/r/{r}/login",
        {"rid": str(r)},
    )
    token = var(tab.merged(N["session"]), "client_token")
    assert token, tab.updates[-3:]
    return tab, token


async def dashboard(tab: Tab, r: int) -> dict:
    """Open the dashboard; what it answered (the portal's summary, or a redirect to the login page)."""
    return await tab.call(f"{N['dashboard']}.load", {}, f"/r/{r}/dashboard", {"rid": str(r)})


def summary(update: dict) -> dict:
    return var(state_delta(update, N["portal"]), "summary") or {}


def api(app_server, method: str, **params: str) -> dict:
    base = {"api_username": "reseller-wire@example.com", "api_password": WIRE_API_PW, "method": method}
    return httpx.get(f"{app_server['base']}/api/v1/rest.php", params={**base, **params}, timeout=30).json()


# --- 1. One tab cannot slow the app for everyone -------------------------------------------------------------


def _cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) used so far by every process of the app's process group."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.getpgid(int(pid)) != pgid:
                continue
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, ValueError, IndexError):
            continue  # the process ended meanwhile
    return total / tick


def test_1_watch_balance_sent_again_and_again_starts_one_watcher(app_server):
    r = rid(app_server)

    async def scenario() -> tuple[float, int]:
        tab, _ = await client_tab(app_server["base"], r)
        await dashboard(tab, r)
        # 600 starts, paced under the per-connection budget so that each reaches the handler (before the fix:
        # 600 pollers, each looking at the database every 3 s).
        for _ in range(600):
            await tab.emit(f"{N['dashboard']}.watch_balance", {}, f"/r/{r}/dashboard", {"rid": str(r)})
            await asyncio.sleep(1 / 30)  # pacing: 30 events a second
        await tab.call(f"{N['calls']}.set_sub", {"value": "all"}, f"/r/{r}/dashboard", {"rid": str(r)})
        await asyncio.sleep(3.5)  # every watcher has had its first look
        cpu = _cpu_seconds(app_server["pgid"])
        await asyncio.sleep(6)  # two looks of every watcher
        cpu = _cpu_seconds(app_server["pgid"]) - cpu
        # The live balance still works: a payment reaches the open dashboard.
        start = len(tab.updates)
        paid = api(app_server, "addPayment", client=str(app_server["ids"]["wire_client"]), payment="1.00",
                   description="wire")  # fmt: skip
        assert paid["status"] == "success", paid
        await tab.wait_for(lambda u: "21.00" in str(summary(u)), timeout=20, start=start)
        await asyncio.sleep(4)  # more looks: more pushes from other watchers, if there were any
        pushes = sum(1 for u in tab.updates[start:] if summary(u))
        await tab.close()
        return cpu, pushes

    cpu, pushes = run(scenario())
    assert cpu < 0.5, f"the app used {cpu:.2f} s of CPU in 6 s with one idle dashboard open"
    assert pushes == 1, f"{pushes} pushes of the new balance"


def test_1_an_event_flood_from_one_tab_is_bounded(app_server):
    r = rid(app_server)

    async def scenario() -> int:
        tab, _ = await client_tab(app_server["base"], r)
        before = len(tab.updates)
        for n in range(2000):
            await tab.emit(f"{N['calls']}.set_from", {"value": f"{n:010d}"}, f"/r/{r}/calls", {"rid": str(r)})
        # Still answered afterwards (the budget refills), and everything it accepted has been handled by then.
        await asyncio.sleep(1)  # let the budget refill a little
        await tab.call(f"{N['calls']}.set_sub", {"value": "all"}, f"/r/{r}/calls", {"rid": str(r)})
        handled = sum(1 for u in tab.updates[before:] if var(state_delta(u, N["calls"]), "f_from"))
        await tab.close()
        return handled

    handled = run(scenario())
    assert handled < 1000, f"{handled} of 2,000 flooded events were handled"


# --- 2. No anonymous files in the temporary folder ------------------------------------------------------------


def test_2_an_upload_with_a_forged_session_var_writes_nothing_and_leaves_nothing(app_server):
    tmp = app_server["tmpdir"]
    before = set(tmp.glob("sim-*"))

    async def scenario() -> int:
        tab = await Tab(app_server["base"]).connect()
        # The reseller token var set to a number through Reflex's client-storage event.
        await tab.emit(
            f"{N['vars']}.update_vars_internal",
            {"vars": {f"{N['session']}.reseller_token": 1}},
            "/reseller/packages",
        )
        await asyncio.sleep(0.5)
        async with httpx.AsyncClient(timeout=60) as http:
            r = await http.post(
                f"{app_server['base']}/_upload",
                headers={"Reflex-Client-Token": tab.token, "Reflex-Event-Handler": f"{N['simulator']}.simulate_upload"},
                files={"files": ("calls.csv", b"call_id,start\n" + b"x" * (1 << 20), "text/csv")},
            )
        await asyncio.sleep(2)  # the simulation (a background task) would have started by now
        await tab.close()
        return r.status_code

    status = run(scenario())
    assert status < 500
    assert set(tmp.glob("sim-*")) == before, "the anonymous upload left a file in the temporary folder"


# --- 3. A reseller cannot claim another's hostname ------------------------------------------------------------


def test_3_a_requested_hostname_routes_no_traffic(app_server):
    base = app_server["base"]

    async def scenario() -> None:
        tab, _ = await reseller_tab(base)
        await tab.call(f"{N['config']}.set_hostname_input", {"value": "squatted.wire-victim.example"},
                       "/reseller/configuration")  # fmt: skip
        await tab.call(f"{N['config']}.request_hostname", {}, "/reseller/configuration")
        assert var(tab.merged(N["config"]), "hostname") == "squatted.wire-victim.example", tab.updates[-4:]
        await tab.close()

    run(scenario())
    r = httpx.get(f"{base}/", headers={"Host": "squatted.wire-victim.example"}, follow_redirects=False)
    assert not (r.status_code in (302, 303, 307) and "/r/" in r.headers.get("location", "")), r.headers


# --- 4. CORS only for our own origins ------------------------------------------------------------------------


def test_4_cors_allows_no_foreign_origin_and_the_rest_api_no_credentials(app_server):
    base = app_server["base"]

    async def login() -> str:
        tab, token = await reseller_tab(base)
        await tab.close()
        return token

    token = run(login())
    csv_url = f"{base}/api/reports/subaccounts.csv"
    r = httpx.get(csv_url, headers={"Origin": FOREIGN}, cookies={"rp_rsess": token})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers, dict(r.headers)
    pre = httpx.options(csv_url, headers={"Origin": FOREIGN, "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in pre.headers
    own = f"http://localhost:{app_server['port']}"
    r = httpx.get(csv_url, headers={"Origin": own}, cookies={"rp_rsess": token})
    assert r.headers.get("access-control-allow-origin") == own
    r = httpx.get(f"{base}/api/v1/rest.php", params={"method": "getPackages"}, headers={"Origin": own})
    assert "access-control-allow-credentials" not in r.headers
    r = httpx.get(f"{base}/api/v1/rest.php", headers={"Origin": FOREIGN})
    assert "access-control-allow-origin" not in r.headers

    async def foreign_socket() -> bool:
        tab = Tab(base, headers={"Origin": FOREIGN})
        try:
            await tab.connect()
        except Exception:  # noqa: BLE001 - refused at the handshake
            return False
        await tab.close()
        return True

    assert run(foreign_socket()) is False, "a page of another origin opened the websocket"


# --- 5. No formula in any CSV export --------------------------------------------------------------------------


def test_5_every_export_neutralises_formula_cells(app_server):
    base = app_server["base"]

    async def login() -> str:
        tab, token = await reseller_tab(base)
        await tab.close()
        return token

    token = run(login())
    for kind in ("subaccounts", "cdr", "fax", "dids", "financial", "messages", "audit"):
        since = (datetime.now(UTC).date() - timedelta(days=30)).isoformat()  # the seeded rows are an hour old
        r = httpx.get(f"{base}/api/reports/{kind}.csv", cookies={"rp_rsess": token}, params={"date_from": since})
        assert r.status_code == 200, (kind, r.text[:200])
        bad = []
        for cell in (c for row in csv.reader(io.StringIO(r.text)) for c in row):
            if cell.startswith(FORMULA):
                try:
                    Decimal(cell)
                except ArithmeticError:
                    bad.append(cell)
        assert not bad, (kind, bad)
        if kind == "subaccounts":
            assert "'" + EVIL in r.text.replace('""', '"')
    # The streamed SMS and audit exports: only with a reseller session, and never for another reseller's client.
    with db(app_server) as conn:
        foreign = conn.execute("select id from client where reseller_id != ? limit 1", (rid(app_server),)).fetchone()[0]
    for kind in ("messages", "audit"):
        assert httpx.get(f"{base}/api/reports/{kind}.csv").status_code == 401
        r = httpx.get(f"{base}/api/reports/{kind}.csv", cookies={"rp_rsess": token}, params={"client_id": foreign})
        assert r.status_code == 404, (kind, r.status_code)


# --- 6. A refused purchase releases the number ----------------------------------------------------------------


def test_6_eight_tabs_buying_at_once_charge_once_and_release_every_refused_number(app_server):
    r = rid(app_server)
    hard = app_server["ids"]["wire_hard"]

    async def scenario() -> list[str]:
        tabs = [t for t, _ in await asyncio.gather(*(client_tab(app_server["base"], r, "wire-hard@example.com")
                                                      for _ in range(8)))]  # fmt: skip
        path, q = f"/r/{r}/services", {"rid": str(r)}
        loaded = await tabs[0].call(f"{N['services']}.load", {}, path, q)
        offers = [o["number"] for o in var(state_delta(loaded, N["services"]), "offers") or []][:8]
        assert len(offers) == 8, loaded
        for tab, number in zip(tabs, offers, strict=True):
            await tab.call(f"{N['services']}.set_buy_number", {"value": number}, path, q)
        # All at once: each tab's answer (bought, or refused) comes back before the checks below.
        await asyncio.gather(*(t.call(f"{N['services']}.buy", {}, path, q) for t in tabs))
        await asyncio.gather(*(t.close() for t in tabs))
        return offers

    offers = run(scenario())
    with db(app_server) as conn:
        bought = [n for (n,) in conn.execute("SELECT number FROM did WHERE client_id = ?", (hard,))]
        owners = dict(
            conn.execute(
                f"SELECT number, owner_reseller_id FROM sandboxdid WHERE number IN ({','.join('?' * len(offers))})",
                offers,
            )
        )
        balance = conn.execute("SELECT balance FROM client WHERE id = ?", (hard,)).fetchone()[0]
    assert len(bought) == 1 and balance == 0, (bought, balance)
    assert owners == {n: (r if n in bought else None) for n in offers}, owners


# --- 7, 8, 9. Sessions ---------------------------------------------------------------------------------------


def test_7_a_password_change_ends_the_other_sessions(app_server):
    r = rid(app_server)
    cid = app_server["ids"]["wire_client"]

    def set_password(password: str) -> dict:
        details = {"email": "wire-client@example.com", "firstname": "Wren", "lastname": "Wirecutter"}
        return api(app_server, "setClient", client=str(cid), phone_number="15145550100", password=password, **details)

    async def scenario() -> tuple[dict, dict]:
        tab, _ = await client_tab(app_server["base"], r)
        before = await dashboard(tab, r)
        # The reseller sets a new password through the API (setClient), then the old session looks again.
        assert set_password(PASSWORD + "-x")["status"] == "success"
        after = await dashboard(tab, r)
        await tab.close()
        # Put the seeded password back for the other tests.
        assert set_password(PASSWORD)["status"] == "success"
        return before, after

    before, after = run(scenario())
    assert summary(before).get("firstname") == "Wren"
    assert any(p.endswith("/login") for p in redirects(after)) and not summary(after), after


def test_8_login_as_client_ends_with_the_resellers_logout(app_server):
    r = rid(app_server)
    cid = app_server["ids"]["wire_client"]

    async def scenario() -> tuple[dict, dict]:
        tab, _ = await reseller_tab(app_server["base"])
        await tab.call(f"{N['clients']}.login_as", {"client_id": str(cid)}, "/reseller/clients")
        imp = var(tab.merged(N["session"]), "client_token")
        assert imp
        other = await Tab(app_server["base"]).connect()  # the client portal in another tab, with that cookie
        await other.emit(f"{N['vars']}.update_vars_internal", {"vars": {f"{N['session']}.client_token": imp}},
                         f"/r/{r}/dashboard", {"rid": str(r)})  # fmt: skip
        before = await dashboard(other, r)
        await tab.call(f"{N['session']}.reseller_logout", {}, "/reseller")
        after = await dashboard(other, r)
        await asyncio.gather(tab.close(), other.close())
        return before, after

    before, after = run(scenario())
    assert summary(before).get("firstname") == "Wren"
    assert any(p.endswith("/login") for p in redirects(after)) and not summary(after), after


def test_9_after_logout_a_new_connection_with_the_same_tab_token_gets_nothing(app_server):
    r = rid(app_server)
    cid = app_server["ids"]["wire_client"]

    async def scenario() -> tuple[str, str]:
        tab, _ = await reseller_tab(app_server["base"])
        path = f"/reseller/clients/{cid}"
        await tab.call(f"{N['manage']}.load", {}, path, {"client_id": str(cid)})
        assert "wire-client@example.com" in str(tab.merged(N["manage"]))
        await tab.call(f"{N['session']}.reseller_logout", {}, path, {"client_id": str(cid)})
        await tab.close()
        again = await Tab(app_server["base"], token=tab.token).connect()
        await again.emit(f"{N['root']}.hydrate", {}, "/login")
        await again.wait_for(lambda u: bool(u.get("delta")))
        await asyncio.sleep(1)
        seen_reseller = str(again.updates)
        await again.close()
        # The client portal too.
        ctab, _ = await client_tab(app_server["base"], r)
        await dashboard(ctab, r)
        await ctab.call(f"{N['session']}.client_logout", {}, f"/r/{r}/dashboard", {"rid": str(r)})
        await ctab.close()
        cagain = await Tab(app_server["base"], token=ctab.token).connect()
        await cagain.emit(f"{N['root']}.hydrate", {}, f"/r/{r}/login", {"rid": str(r)})
        await cagain.wait_for(lambda u: bool(u.get("delta")))
        await asyncio.sleep(1)
        seen_client = str(cagain.updates)
        await cagain.close()
        return seen_reseller, seen_client

    seen_reseller, seen_client = run(scenario())
    assert "wire-client@example.com" not in seen_reseller and "Wirecutter" not in seen_reseller
    assert "Wren" not in seen_client and "Wirecutter" not in seen_client


# --- 10. Out-of-range ids -------------------------------------------------------------------------------------


@pytest.mark.parametrize("uid", ["99999999999999999999999", "-99999999999999999999999", "9223372036854775808"])
def test_10_out_of_range_ids_are_refused_politely(app_server, uid):
    base = app_server["base"]
    form = {"UID": uid, "action": "DirectLogin", "col_email": "x@example.com", "col_password": "x"}
    r = httpx.post(f"{base}/interface/login.php", data=form, follow_redirects=False)
    assert r.status_code < 500, (uid, r.status_code)
    r = httpx.post(f"{base}/r/{uid}/direct-login", data=form, follow_redirects=False)
    assert r.status_code < 500, (uid, r.status_code)


# --- 11. No live reset token in the outbox ---------------------------------------------------------------------


def test_11_the_outbox_keeps_no_live_reset_token_once_sent(app_server):
    r = rid(app_server)
    to = "wire-client@example.com"
    mail = app_server["mail"]
    already = len(mail)

    async def scenario() -> None:
        tab = await Tab(app_server["base"]).connect()
        await tab.call(f"{N['reset']}.request", {"form": {"email": to}}, f"/r/{r}/forgot", {"rid": str(r)})
        await tab.close()

    run(scenario())
    deadline = time.monotonic() + 60
    while not any(m["To"] == to and "token=" in m.get_content() for m in mail[already:]):
        assert time.monotonic() < deadline, "the reset mail never arrived"
        time.sleep(0.2)  # polling interval while waiting for the mail
    sent = next(m for m in mail[already:] if m["To"] == to and "token=" in m.get_content())
    token = unquote(re.search(r"token=([^\s&]+)", sent.get_content()).group(1))
    deadline = time.monotonic() + 30
    while True:  # the sender marks it sent right after the SMTP server took it
        with db(app_server) as conn:
            rows = conn.execute("SELECT status, body_text FROM outboundemail WHERE to_addr = ?", (to,)).fetchall()
        if rows and all(status == "sent" for status, _ in rows):
            break
        assert time.monotonic() < deadline, rows
        time.sleep(0.2)  # polling interval
    assert not [b for _, b in rows if token in b], "the sent message still holds the live reset token"


# --- 12. Public forms are rate-limited; oversize uploads refused early ----------------------------------------


def test_12_signups_from_one_address_are_rate_limited(app_server):
    r = rid(app_server)

    async def scenario() -> list[str]:
        tab = await Tab(app_server["base"]).connect()
        out = []
        for n in range(8):
            form = {
                "firstname": "Flood",
                "lastname": "Wire",
                "phone_number": "15145550100",
                "email": f"wire-flood-{n}@example.com",
                "password": "flood-password-1",
            }
            update = await tab.call(f"{N['signup']}.submit", {"form": form}, f"/r/{r}/signup", {"rid": str(r)})
            out.append(str(state_delta(update, N["signup"])))
        await tab.close()
        return out

    answers = run(scenario())
    with db(app_server) as conn:
        created = conn.execute("SELECT COUNT(*) FROM client WHERE email LIKE 'wire-flood-%'").fetchone()[0]
    assert "awaiting activation" in answers[0], answers[0]  # the first signups go through
    assert created == 5, f"{created} accounts (and emails) from one visitor in an hour"
    assert "Too many requests" in answers[-1], answers[-1]


def test_12_an_oversized_upload_is_refused_before_its_body_is_read(app_server):
    port = app_server["port"]
    handler = f"{N['config']}.upload_header"

    async def scenario() -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            (
                "POST /_upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Reflex-Client-Token: wire-upload\r\nReflex-Event-Handler: {handler}\r\n"
                "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 41943040\r\n\r\n"
            ).encode()
        )
        await writer.drain()  # headers only: a server that waits for the 40 MiB body never answers
        try:
            return await asyncio.wait_for(reader.read(200), timeout=10)
        finally:
            writer.close()

    first = run(scenario())
    assert first.startswith(b"HTTP/1.1 413"), first


# --- 13. The Security page and the language menu: the client's own account only, and only what the portal offers --


def test_13_two_factor_and_language_handlers_change_nothing_the_portal_does_not_offer(app_server):
    """The wire reseller does not offer clients two-factor sign-in and the client's language is not a free string:
    raw events for both, as a page would never send them, store nothing."""
    r = rid(app_server)
    cid = app_server["ids"]["wire_client"]
    conn = db(app_server)
    language_before = conn.execute("select language from client where id = ?", (cid,)).fetchone()[0]

    async def scenario() -> None:
        tab, _ = await client_tab(app_server["base"], r)
        path, query = f"/r/{r}/security", {"rid": str(r)}
        await tab.call(f"{N['security']}.begin", {}, path, query)
        await tab.call(f"{N['security']}.confirm", {"form": {"code": "000000"}}, path, query)
        for code in ("xx", "de_DE", "<script>alert(1)</script>", "fr_CA' OR '1'='1"):
            await tab.call(f"{N['portal']}.choose_language", {"code": code}, f"/r/{r}/dashboard", query)
        await tab.close()

    run(scenario())
    enrolments = conn.execute("select count(*) from twofactor where login_key = ?", (f"client:{cid}",)).fetchone()[0]
    language_after = conn.execute("select language from client where id = ?", (cid,)).fetchone()[0]
    conn.close()
    assert enrolments == 0
    assert language_after == language_before
