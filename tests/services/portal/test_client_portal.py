"""The client's call history (filters, time zone, pagination, export), view settings and the live-balance probe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import Cdr, Client, Package, ResellerSettings, SubAccount
from reseller_app.services.access.actor import Actor
from reseller_app.services.accounting.postings import manual_posting
from reseller_app.services.common.errors import Forbidden, NotFound, ValidationFailed
from reseller_app.services.portal import account as cp

D = Decimal
DISPOSITIONS = ["ANSWERED", "BUSY", "FAILED", "NO ANSWER"]


@pytest.fixture()
def w(world):
    """Client c (time zone America/Montreal) has 40 calls on two sub-accounts; reseller B's client has one."""
    with session_scope() as s:
        s.get(Client, world["c"]).timezone = "America/Montreal"
        sub2 = SubAccount(reseller_id=world["ra"], client_id=world["c"], account="100001_back", sip_password="pw")
        osub = SubAccount(reseller_id=world["rb"], client_id=world["other"], account="200001_x", sip_password="pw")
        s.add_all([sub2, osub])
        s.flush()
        base = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
        for i in range(40):
            s.add(
                Cdr(
                    reseller_id=world["ra"],
                    client_id=world["c"],
                    sub_account_id=world["sub"] if i % 2 == 0 else sub2.id,
                    account="100001_front" if i % 2 == 0 else "100001_back",
                    uniqueid=f"u{i}",
                    start=base + timedelta(hours=6 * i),
                    direction="out",
                    destination="15145550000",
                    disposition=DISPOSITIONS[i % 4],
                    duration=60,
                    price=D("0.0125"),
                )
            )
        s.add(
            Cdr(
                reseller_id=world["rb"],
                client_id=world["other"],
                sub_account_id=osub.id,
                uniqueid="o1",
                start=base,
                direction="out",
                destination="1",
                disposition="ANSWERED",
            )
        )
        world.update(sub2=sub2.id, osub=osub.id)
    world["me"] = Actor("client", world["ra"], world["c"])
    world["them"] = Actor("client", world["rb"], world["other"])
    return world


def test_calls_are_paginated_newest_first_in_the_clients_time_zone(w):
    first = cp.calls(w["me"], 1, page_size=25)
    assert first["total"] == "40" and first["pages"] == 2 and len(first["items"]) == 25
    # The last call, 2026-11-20 06:00 UTC, is 01:00 in Montreal (EST, UTC-5).
    assert first["items"][0]["date"] == "2026-11-20 01:00"
    assert len(cp.calls(w["me"], 2, page_size=25)["items"]) == 15
    assert cp.calls(w["me"], 99, page_size=25)["page"] == 2


def test_filters_by_dates_types_and_sub_account(w):
    me = w["me"]
    # 2026-11-10 in Montreal runs from 05:00 UTC to 05:00 UTC the next day: calls at 12:00 and 18:00 (i=0, 1)
    # and 00:00 on the 11th UTC (i=2); 06:00 UTC on the 11th (i=3) is the 11th in Montreal.
    day = cp.calls(me, date_from="2026-11-10", date_to="2026-11-10")
    assert day["total"] == "3"
    assert cp.calls(me, types=["busy"])["total"] == "10"
    assert cp.calls(me, types=["busy", "noanswer"])["total"] == "20"
    assert cp.calls(me, sub_account_id=str(w["sub2"]))["total"] == "20"
    both = cp.calls(me, types=["answered"], sub_account_id=w["sub"])  # even i and i % 4 == 0
    assert both["total"] == "10" and {r["account"] for r in both["items"]} == {"100001_front"}


def test_bad_filters_are_refused(w):
    me = w["me"]
    with pytest.raises(ValidationFailed) as e:
        cp.calls(me, date_from="10/11/2026")
    assert "date_from" in e.value.errors
    with pytest.raises(ValidationFailed):
        cp.calls(me, date_from="2026-11-12", date_to="2026-11-10")
    with pytest.raises(ValidationFailed):
        cp.calls(me, types=["; drop table"])
    with pytest.raises(NotFound):
        cp.calls(me, sub_account_id=w["osub"])  # another reseller's client's sub-account
    with pytest.raises(NotFound):
        cp.calls(me, sub_account_id="abc")
    with pytest.raises(Forbidden):
        cp.calls(w["actor_a"])  # a reseller session is not a client


def test_each_client_sees_only_its_own_calls(w):
    assert cp.calls(w["them"])["total"] == "1"
    with pytest.raises(NotFound):
        cp.calls(w["them"], sub_account_id=w["sub"])
    # A hand-made actor naming a client of another reseller is refused.
    with pytest.raises(NotFound):
        cp.calls(Actor("client", w["rb"], w["c"]))


def test_simple_view_ignores_call_type_filters(w):
    with session_scope() as s:
        s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == w["ra"])).one().view_setting = "simple"
    assert cp.portal_view(w["me"]).simple
    assert cp.calls(w["me"], types=["busy"])["total"] == "40"


def test_view_comes_from_a_package_with_its_own_service_configuration(w):
    assert cp.portal_view(w["me"]).view_setting == "standard"
    with session_scope() as s:
        pkg = s.get(Package, w["pkg"])
        pkg.service_config, pkg.view_setting, pkg.services = "package", "simple_hide", ["balance"]
    view = cp.portal_view(w["me"])
    assert view.view_setting == "simple_hide" and not view.services_page and view.services == ("balance",)
    with pytest.raises(Forbidden):
        cp.calls(w["me"])  # "cdr" is not among the package's services


def test_export_streams_every_matching_call_in_batches(w):
    rows = list(cp.export_calls(w["me"], types=["failed"], batch=3))
    assert len(rows) == 10 and {r["disposition"] for r in rows} == {"FAILED"}
    assert list(rows[0]) == cp.CSV_HEADER
    everything = list(cp.export_calls(w["me"], batch=7))
    assert len(everything) == 40
    # Newest first, as the page shows them: the same calls in the same order as the pages of the history.
    shown = [r for page in (1, 2) for r in cp.calls(w["me"], page=page, page_size=25)["items"]]
    assert everything == shown
    assert [r["date"] for r in everything] == sorted((r["date"] for r in everything), reverse=True)
    with pytest.raises(NotFound):
        cp.export_calls(w["me"], sub_account_id=w["osub"])


def test_balance_version_changes_with_a_payment_and_a_new_call(w):
    v0 = cp.balance_version(w["me"])
    assert cp.balance_version(w["me"]) == v0
    manual_posting(w["actor_a"], w["c"], "payment", "5", "Deposit")
    v1 = cp.balance_version(w["me"])
    assert v1 != v0
    with session_scope() as s:
        s.add(
            Cdr(
                reseller_id=w["ra"],
                client_id=w["c"],
                uniqueid="new",
                start=datetime.now(UTC),
                direction="out",
                destination="1",
                disposition="ANSWERED",
            )
        )
    assert cp.balance_version(w["me"]) != v1
    with pytest.raises(NotFound):
        cp.balance_version(Actor("client", w["rb"], w["c"]))


def test_csv_endpoint_is_scoped_to_the_session_cookie(w):
    import csv
    import io

    from fastapi.testclient import TestClient

    from reseller_app.api import create_api
    from reseller_app.services.access import auth

    api = TestClient(create_api())
    url = f"/api/client/{w['ra']}/calls.csv"
    assert api.get(url).status_code == 401
    token = auth.impersonate_client(w["actor_a"], w["c"])
    api.cookies.set("rp_csess", token)
    r = api.get(url, params={"types": "busy,answered", "sub": str(w["sub2"])})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 10 and {x["disposition"] for x in rows} == {"BUSY"}
    assert {x["account"] for x in rows} == {"100001_back"}
    assert api.get(url, params={"sub": str(w["osub"])}).status_code == 404
    assert api.get(url, params={"date_from": "yesterday"}).status_code == 422
    # The same cookie on another reseller's portal is not a session there.
    assert api.get(f"/api/client/{w['rb']}/calls.csv").status_code == 401
    other = auth.impersonate_client(w["actor_b"], w["other"])
    api.cookies.set("rp_csess", other)
    them = list(csv.DictReader(io.StringIO(api.get(f"/api/client/{w['rb']}/calls.csv").text)))
    assert [x["destination"] for x in them] == ["1"]


def test_the_csv_export_speaks_the_clients_language(w):
    import csv
    import io

    from fastapi.testclient import TestClient

    from reseller_app.api import create_api
    from reseller_app.services.access import auth

    api = TestClient(create_api())
    url = f"/api/client/{w['ra']}/calls.csv"
    api.cookies.set("rp_csess", auth.impersonate_client(w["actor_a"], w["c"]))
    api.cookies.set("rp_lang", "fr_CA")  # the language the portal shows in this browser (no stored choice)
    rows = list(csv.reader(io.StringIO(api.get(url, params={"types": "busy"}).text)))
    assert rows[0][:3] == ["Date", "Sens", "Afficheur"] and rows[0][5] == "Résultat"
    assert {r[5] for r in rows[1:]} == {"Occupé"} and {r[1] for r in rows[1:]} == {"Sortant"}
    cp.set_language(w["me"], "es_MX")  # a stored choice comes first
    rows = list(csv.reader(io.StringIO(api.get(url, params={"types": "busy"}).text)))
    assert rows[0][:3] == ["Fecha", "Dirección", "Identificador de llamadas"]


def test_ledger_amounts_are_shown_exactly():
    from decimal import Decimal

    from reseller_app.services.common import format as fmt

    assert fmt.posting(Decimal("-0.0026")) == "-$0.0026"
    assert fmt.posting(Decimal("25.10")) == "$25.10"
    assert fmt.posting(Decimal("-1234.5")) == "-$1,234.50"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ('"100001_front" <14033740702>', "14033740702"),
        ("<12416249230>", "12416249230"),
        ("+15145550000", "+15145550000"),
        ('"Bob" <anonymous>', "Bob"),
        ("Anonymous", "Anonymous"),
        ('"" <>', "Unknown"),
        ("", "Unknown"),
        (None, "Unknown"),
    ],
)
def test_caller_ids_are_shown_as_numbers(raw, shown):
    from reseller_app.services.common import format as fmt

    assert fmt.caller(raw) == shown


def test_the_call_history_shows_the_callers_number_not_the_raw_caller_id(w):
    with session_scope() as s:
        for row in s.exec(select(Cdr).where(Cdr.client_id == w["c"])).all():
            row.callerid = '"100001_front" <15145550100>'
    rows = cp.calls(Actor("client", w["ra"], w["c"]))["items"]
    assert rows and {r["callerid"] for r in rows} == {"15145550100"}


def test_the_live_balance_look_reads_figures_only_for_a_live_session(world):
    from decimal import Decimal as Dec

    from reseller_app.services.access import auth
    from reseller_app.services.access.security import hash_password
    from reseller_app.state.portal.dashboard import _look

    with session_scope() as s:
        s.get(Client, world["c"]).password_hash = hash_password("client-pass-1")
    token = auth.login_client(world["ra"], "c@example.com", "client-pass-1")
    actor, data = _look(token, world["ra"], None, "")
    assert actor is not None and data["balance"] == "$0.00"  # the first look resolves the session, reads figures
    known = data["version"]
    assert _look(token, world["ra"], actor, known) == (actor, {})  # nothing moved: one version read, no figures
    manual_posting(world["actor_a"], world["c"], "payment", Dec("12.5"), "Top-up")
    actor, data = _look(token, world["ra"], actor, known)
    assert data["balance"] == "$12.50" and data["version"] != known
    # Logged out elsewhere: a change is seen, but no figures go to the dead session, and the watch ends.
    auth.logout(token)
    manual_posting(world["actor_a"], world["c"], "payment", Dec("1"), "Top-up")
    assert _look(token, world["ra"], actor, data["version"]) == (None, {})
    assert _look(token, world["ra"], None, data["version"]) == (None, {})
    # Another reseller's portal id never resolves this client's session.
    assert _look(token, world["rb"], None, "") == (None, {})
