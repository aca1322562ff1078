"""Reports: totals equal the rated calls and the ledger to the cent; every id is checked against the caller."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func
from sqlmodel import select

from reseller_app.carrier import CarrierCdr
from reseller_app.db import session_scope
from reseller_app.models import Cdr, CdrDaily, Client, Did, FaxRecord, LedgerEntry, SubAccount
from reseller_app.services.access.actor import Actor
from reseller_app.services.accounting.postings import manual_posting, reverse
from reseller_app.services.common.errors import Forbidden, NotFound, ValidationFailed
from reseller_app.services.reporting import cdr, export, filters, financial, inventory, rollup
from reseller_app.services.telephony.calls import ingest_cdrs

D = Decimal
NOW = datetime.now(UTC)
THIS_MONTH = NOW.date().replace(day=1)
LAST_MONTH = (THIS_MONTH - timedelta(days=1)).replace(day=1)
T_LAST = datetime(LAST_MONTH.year, LAST_MONTH.month, 10, 12, 0, tzinfo=UTC)
T_THIS = datetime(THIS_MONTH.year, THIS_MONTH.month, 1, 0, 30, tzinfo=UTC)
PERIOD = filters.Filters(LAST_MONTH, NOW.date())


def _call(uid: str, at: datetime, secs: int = 60, dest: str = "15145550143", **kw) -> CarrierCdr:
    return CarrierCdr(
        uniqueid=uid,
        start=at,
        direction=kw.pop("direction", "out"),
        account=kw.pop("account", "100001_front"),
        callerid='"Front" <15145550000>',
        destination=dest,
        duration=secs,
        disposition=kw.pop("disposition", "ANSWERED"),
        **kw,
    )


@pytest.fixture()
def data(world):
    """A known month and a half: calls of two clients, faxes, fees, a charge, deposits and a reversal."""
    ra = world["ra"]
    with session_scope() as s:
        c2 = Client(reseller_id=ra, email="d@example.com", password_hash="x", firstname="Di")
        s.add(c2)
        s.flush()
        sub2 = SubAccount(
            reseller_id=ra, client_id=c2.id, package_id=world["pkg"], account="100001_back", sip_password="p"
        )
        s.add(sub2)
        s.flush()
        s.add(Did(reseller_id=ra, number="15145551111", client_id=world["c"], sub_account_id=world["sub"],
                  rate_center="Montreal", region="QC", monthly_fee=D("3.5000"), per_minute=D("0.01")))  # fmt: skip
        s.add(Did(reseller_id=ra, number="15145552222", kind="fax", client_id=c2.id, rate_center="Laval",
                  region="QC", monthly_fee=D("4.0000")))  # fmt: skip
        # Another reseller's DID, client and fax: never in A's reports.
        s.add(Did(reseller_id=world["rb"], number="15145553333", client_id=world["other"], monthly_fee=D("9")))
        for i, (cid, at, cost, price, direction) in enumerate(
            [
                (world["c"], T_LAST, "0.0100", "0.0300", "out"),
                (world["c"], T_THIS, "0.0200", "0.0150", "in"),  # a loss: profit -0.0050
                (c2.id, T_THIS + timedelta(minutes=3), "0.0300", "0.0700", "out"),
                (world["other"], T_THIS, "5.0000", "9.0000", "out"),
            ]
        ):
            rid = world["rb"] if cid == world["other"] else ra
            s.add(FaxRecord(reseller_id=rid, client_id=cid, uniqueid=f"f{i}", start=at, direction=direction,
                            remote_number="15145550000", pages=2, cost=D(cost), price=D(price),
                            profit=D(price) - D(cost)))  # fmt: skip
        ids = dict(world, c2=c2.id, sub2=sub2.id)
    calls = [
        _call("a1", T_LAST, 61),
        _call("a2", T_LAST + timedelta(hours=1), 125, "442071234567"),
        _call("a3", T_LAST + timedelta(days=2), 0, disposition="NO ANSWER"),
        _call("a4", T_THIS, 300, "16045550112", account="100001_back"),
        _call("a5", T_THIS + timedelta(minutes=1), 42, "12125550188"),
        _call("a6", T_THIS + timedelta(minutes=2), 30, "12125550188", account="999_nobody"),  # unassigned: cost only
    ]
    ingest_cdrs(ra, calls)
    ingest_cdrs(world["rb"], [_call("b1", T_THIS, 600, account="200001_x")])
    actor = world["actor_a"]
    manual_posting(actor, ids["c"], "payment", "50.00", "Deposit")
    manual_posting(actor, ids["c2"], "payment", "20.00", "Deposit")
    bad = manual_posting(actor, ids["c2"], "payment", "7.00", "Mistake")
    reverse(actor, ids["c2"], bad.id)
    manual_posting(actor, ids["c"], "charge", "3.25", "Setup")
    manual_posting(actor, ids["c2"], "charge", "1.10", "Other")
    with session_scope() as s:
        from reseller_app.services.accounting.postings import Effects, post_to_client

        post_to_client(s, s.get(Client, ids["c"]), kind="fee", amount=D("-9.99"), description="Monthly",
                       reference="fee:test:1", by="billing", fx=Effects())  # fmt: skip
    # A fax posting reversed: a credit of 0.0300.
    with session_scope() as s:
        from reseller_app.services.accounting.postings import Effects, post_to_client

        post_to_client(s, s.get(Client, ids["c"]), kind="fax", amount=D("-0.0300"), description="Fax",
                       reference="fax:test:1", by="rating", fx=Effects())  # fmt: skip
    with session_scope() as s:
        fax_entry = s.exec(select(LedgerEntry).where(LedgerEntry.reference == "fax:test:1")).one()
    reverse(actor, ids["c"], fax_entry.id)
    return ids


def _money(text: str) -> Decimal:
    return D(text.replace("$", "").replace(",", ""))


def _calls(**where) -> list[Cdr]:
    with session_scope() as s:
        stmt = select(Cdr)
        for k, v in where.items():
            stmt = stmt.where(getattr(Cdr, k) == v)
        return s.exec(stmt).all()


def _ledger_sum(reseller_id: int, kinds: tuple[str, ...]) -> Decimal:
    with session_scope() as s:
        return s.exec(
            select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
                LedgerEntry.reseller_id == reseller_id, LedgerEntry.kind.in_(kinds)
            )
        ).one()


def test_global_cdr_totals_equal_rated_calls_and_ledger(data):
    res = cdr.cdr_report(data["actor_a"], PERIOD)
    mine = _calls(reseller_id=data["ra"])
    assert len(mine) == 6
    t = res["raw"]
    assert t.count == 6
    assert t.price == sum(c.price for c in mine) and t.cost == sum(c.cost for c in mine)
    assert t.price > 0 and t.cost > 0
    # Every selling price was posted to the ledger: the report's revenue is what the clients were billed.
    assert t.price == -_ledger_sum(data["ra"], ("call",))
    assert res["totals"]["price"] == f"${t.price:,.4f}"
    assert res["totals"]["profit"] == filters.fmt.money(t.price - t.cost, 4)
    # The unassigned call costs the reseller and earns nothing: shown with a negative profit.
    lost = next(r for r in res["items"] if r["account"] == "999_nobody")
    assert lost["client"] == "(unassigned)" and lost["profit_negative"] == "1" and lost["price"] == "$0.0000"
    # The roll-up agrees with a recomputation from the calls.
    with session_scope() as s:
        before = sorted((r.day, r.direction, r.disposition, r.calls, r.price, r.cost) for r in s.exec(select(CdrDaily)))
    rollup.rebuild_rollup(data["ra"])
    rollup.rebuild_rollup(data["rb"])
    with session_scope() as s:
        after = sorted((r.day, r.direction, r.disposition, r.calls, r.price, r.cost) for r in s.exec(select(CdrDaily)))
    assert before == after and len(after) >= 4


def test_cdr_filters_sort_and_paging(data):
    a = data["actor_a"]
    last = filters.Filters(LAST_MONTH, THIS_MONTH - timedelta(days=1))
    assert cdr.cdr_report(a, last)["raw"].count == 3
    answered = filters.Filters(LAST_MONTH, NOW.date(), disposition="NO ANSWER")
    assert [r["disposition"] for r in cdr.cdr_report(a, answered)["items"]] == ["NO ANSWER"]
    res = cdr.cdr_report(a, PERIOD, sort="price", desc=True, page_size=25)
    prices = [_money(r["price"]) for r in res["items"]]
    assert prices == sorted(prices, reverse=True)
    res = cdr.cdr_report(a, PERIOD, sort="duration", desc=False, page=1, page_size=25)
    assert res["items"][0]["duration"] == "0:00:00" and res["pages"] == 1


def test_per_user_cdr_for_a_client_and_a_sub_account(data):
    a = data["actor_a"]
    f = filters.Filters(LAST_MONTH, NOW.date(), client_id=data["c"])
    mine = _calls(client_id=data["c"])
    t = cdr.cdr_report(a, f)["raw"]
    assert (t.count, t.price, t.cost) == (len(mine), sum(c.price for c in mine), sum(c.cost for c in mine))
    f = filters.Filters(LAST_MONTH, NOW.date(), client_id=data["c2"], sub_account_id=data["sub2"])
    rows = cdr.cdr_report(a, f)["items"]
    assert [r["account"] for r in rows] == ["100001_back"]


def test_reports_refuse_another_resellers_ids(data):
    a = data["actor_a"]
    with pytest.raises(NotFound):
        cdr.cdr_report(a, filters.Filters(LAST_MONTH, NOW.date(), client_id=data["other"]))
    with pytest.raises(NotFound):
        cdr.fax_report(a, filters.Filters(LAST_MONTH, NOW.date(), client_id=data["other"]))
    with pytest.raises(NotFound):  # a sub-account of another client of the same reseller
        cdr.cdr_report(a, filters.Filters(LAST_MONTH, NOW.date(), client_id=data["c"], sub_account_id=data["sub2"]))
    with pytest.raises(NotFound):
        inventory.subaccount_report(a, data["other"])
    with pytest.raises(NotFound):
        inventory.did_report(a, data["other"])
    with pytest.raises(NotFound):
        export.export_report(a, "cdr", {"client_id": str(data["other"])})
    with pytest.raises(NotFound):
        cdr.cdr_report(a, filters.Filters(LAST_MONTH, NOW.date(), client_id=987654))
    client = Actor("client", data["ra"], client_id=data["c"])
    for call in (
        lambda: cdr.cdr_report(client, PERIOD),
        lambda: financial.financial_report(client, LAST_MONTH, NOW.date()),
        lambda: export.export_report(client, "cdr", {}),
        lambda: inventory.did_report(client),
    ):
        with pytest.raises(Forbidden):
            call()
    # Reseller B sees none of A's calls, and A none of B's.
    assert cdr.cdr_report(data["actor_b"], PERIOD)["raw"].count == 1
    assert all(r["account"] != "200001_x" for r in cdr.cdr_report(a, PERIOD)["items"])


def test_bad_filters_are_refused_with_a_field_message():
    with pytest.raises(ValidationFailed) as e:
        filters.parse_filters({"date_from": "2026-13-01"})
    assert "date_from" in e.value.errors
    with pytest.raises(ValidationFailed) as e:
        filters.parse_filters({"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert "date_to" in e.value.errors
    for key, value in (("direction", "sideways"), ("disposition", "<script>"), ("client_id", "1 OR 1=1")):
        with pytest.raises(ValidationFailed) as e:
            filters.parse_filters({key: value})
        assert key in e.value.errors
    f = filters.parse_filters({"date_from": "2026-01-01", "date_to": "2026-01-31", "direction": "in", "client_id": "7"})
    assert (f.date_from, f.date_to, f.direction, f.client_id) == (date(2026, 1, 1), date(2026, 1, 31), "in", 7)


def test_per_user_fax_totals_to_the_cent(data):
    f = filters.Filters(LAST_MONTH, NOW.date(), client_id=data["c"])
    res = cdr.fax_report(data["actor_a"], f)
    assert (res["raw"].count, res["raw"].cost, res["raw"].price) == (2, D("0.0300"), D("0.0450"))
    assert res["totals"]["profit"] == "$0.0150"
    loss = next(r for r in res["items"] if r["direction"] == "Received")
    assert loss["profit"] == "-$0.0050" and loss["profit_negative"] == "1"
    everyone = cdr.fax_report(data["actor_a"], PERIOD)["raw"]
    assert (everyone.count, everyone.price) == (3, D("0.1150"))  # reseller B's fax is not counted


def test_financial_report_equals_the_ledger_and_rated_calls(data):
    figures = financial.financial_figures(data["actor_a"], LAST_MONTH, NOW.date())
    by_month = {f.month: f for f in figures}
    last, this = by_month[LAST_MONTH.strftime("%Y-%m")], by_month[THIS_MONTH.strftime("%Y-%m")]
    calls_last = [c for c in _calls(reseller_id=data["ra"]) if c.start < T_THIS.replace(minute=0)]
    calls_this = [c for c in _calls(reseller_id=data["ra"]) if c.start >= T_THIS.replace(minute=0)]
    assert last.calls == sum(c.price for c in calls_last) and this.calls == sum(c.price for c in calls_this)
    assert last.faxes == D("0.0300") and this.faxes == D("0.0850")
    assert last.cost == sum(c.cost for c in calls_last) + D("0.0100")
    assert this.cost == sum(c.cost for c in calls_this) + D("0.0500")
    # Ledger postings are dated today: deposits 50 + 20 (+7 reversed), fees 3.25 + 1.10 + 9.99, credit 0.03.
    assert this.deposits == D("70.00") and this.fees == D("14.34") and this.credits == D("-0.0300")
    total_revenue = sum(f.revenue for f in figures)
    # Revenue = everything the ledger billed (all but deposits and the reversed deposit), plus the two faxes
    # this data set never posted (the posted 0.0300 fax is the first one, credited back by its reversal).
    every = ("payment", "charge", "call", "fax", "fee", "reversal")
    billed = -(_ledger_sum(data["ra"], every) - _ledger_sum(data["ra"], ("payment",)) + D("7.00"))
    assert billed == sum(c.price for c in _calls(reseller_id=data["ra"])) + D("14.34")
    assert total_revenue == billed + D("0.0150") + D("0.0700")
    assert sum(f.deposits for f in figures) == _ledger_sum(data["ra"], ("payment",)) - D("7.00")
    res = financial.financial_report(data["actor_a"], LAST_MONTH, NOW.date())
    assert res["totals"]["revenue"] == filters.fmt.money(total_revenue)
    assert res["totals"]["profit"] == filters.fmt.money(total_revenue - sum(f.cost for f in figures))
    assert [r["month"] for r in res["chart"]] == [f.month for f in figures]


def test_subaccount_and_did_reports(data):
    a = data["actor_a"]
    res = inventory.subaccount_report(a)
    assert res["totals"] == {"count": "2", "dids": "1"}
    front = next(r for r in res["items"] if r["account"] == "100001_front")
    assert (front["package"], front["dids"], front["client"]) == ("Std", "15145551111", "Cy Cole")
    assert [r["account"] for r in inventory.subaccount_report(a, data["c2"])["items"]] == ["100001_back"]
    res = inventory.did_report(a)
    assert res["totals"] == {"count": "2", "monthly_fee": "$7.5000"}
    d = next(r for r in res["items"] if r["number"] == "15145551111")
    assert (d["package"], d["account"], d["rate_center"]) == ("Std", "100001_front", "Montreal, QC")
    assert all(r["number"] != "15145553333" for r in res["items"])


def test_csv_export_streams_every_row_and_matches_the_totals(data, monkeypatch):
    monkeypatch.setattr(export, "EXPORT_CHUNK", 2)  # several chunks: the keyset walk must not skip or repeat
    a = data["actor_a"]
    raw = {"date_from": LAST_MONTH.isoformat(), "date_to": NOW.date().isoformat()}
    exp = export.export_report(a, "cdr", raw)
    rows = list(csv.DictReader(io.StringIO("".join(exp.lines))))
    assert exp.rows == len(rows) == 6
    total = cdr.cdr_report(a, PERIOD)["raw"]
    assert sum(D(r["price"]) for r in rows) == total.price and sum(D(r["cost"]) for r in rows) == total.cost
    fin = list(csv.DictReader(io.StringIO("".join(export.export_report(a, "financial", raw).lines))))
    figures = financial.financial_figures(a, LAST_MONTH, NOW.date())
    assert sum(D(r["profit"]) for r in fin) == sum(f.profit for f in figures)
    for kind, n in (("fax", 3), ("subaccounts", 2), ("dids", 2)):
        exp = export.export_report(a, kind, raw)
        assert len(list(csv.DictReader(io.StringIO("".join(exp.lines))))) == n == exp.rows
    with pytest.raises(NotFound):
        export.export_report(a, "passwords", raw)


def test_rollup_stays_consistent_when_a_call_is_rerated(data):
    """A re-rating removes the old figures and adds the new ones in one transaction."""
    with session_scope() as s:
        row = s.exec(select(Cdr).where(Cdr.uniqueid == "a1")).one()
        rollup.apply_rated(s, [row], sign=-1)
        row.price = row.price + D("1.0000")
        row.profit = row.price - row.cost
        rollup.apply_rated(s, [row], sign=1)
    t = cdr.cdr_report(data["actor_a"], PERIOD)["raw"]
    assert t.price == sum(c.price for c in _calls(reseller_id=data["ra"]))


def test_export_endpoint_streams_for_the_session_reseller_only(data):
    from fastapi.testclient import TestClient

    from reseller_app.api import create_api
    from reseller_app.services.access.auth import login_reseller

    api = TestClient(create_api())
    query = f"?date_from={LAST_MONTH.isoformat()}&date_to={NOW.date().isoformat()}"
    assert api.get(f"/api/reports/cdr.csv{query}").status_code == 401
    api.cookies.set("rp_rsess", "forged-token")
    assert api.get(f"/api/reports/cdr.csv{query}").status_code == 401
    api.cookies.set("rp_rsess", login_reseller("ra@example.com", "password-123"))
    res = api.get(f"/api/reports/cdr.csv{query}")
    assert res.status_code == 200 and res.headers["x-total-rows"] == "6"
    assert "attachment" in res.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(res.text)))
    assert len(rows) == 6 and {r["account"] for r in rows} >= {"100001_front", "100001_back"}
    # Another reseller's client id is refused, not silently exported empty.
    assert api.get(f"/api/reports/cdr.csv{query}&client_id={data['other']}").status_code == 404
    assert api.get("/api/reports/cdr.csv?date_from=yesterday").status_code == 422
    assert api.get("/api/reports/ledger.csv").status_code == 404
    # B's session sees B's call only.
    api.cookies.set("rp_rsess", login_reseller("rb@example.com", "password-123"))
    rows = list(csv.DictReader(io.StringIO(api.get(f"/api/reports/cdr.csv{query}").text)))
    assert [r["account"] for r in rows] == ["200001_x"]


def test_subaccount_choices_are_the_clients_own(data):
    a = data["actor_a"]
    assert [c["label"] for c in inventory.subaccount_choices(a, data["c"])] == ["100001_front"]
    with pytest.raises(NotFound):
        inventory.subaccount_choices(a, data["other"])
    assert {c["id"] for c in inventory.client_choices(a)} == {str(data["c"]), str(data["c2"])}
