"""Invoices issued by the billing run: lines, taxes (hand-computed), exemption, idempotence, ledger and credit notes."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import func
from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import (
    BillingProfile,
    Cdr,
    Client,
    Did,
    Invoice,
    LedgerEntry,
    OutboundEmail,
    Package,
    Reseller,
    TaxRate,
    utcnow,
)
from reseller_app.models.system import EmailAttachment
from reseller_app.services.accounting.billing_run import run_billing
from reseller_app.services.accounting.postings import Effects, manual_posting, post_to_client
from reseller_app.services.common.errors import NotFound, ValidationFailed
from reseller_app.services.invoicing import documents, issue

ROOT = __import__("pathlib").Path(__file__).resolve().parents[3]


def _day():
    """A billing date after every posting a test makes (postings are dated now)."""
    return utcnow().date() + timedelta(days=1)


def _taxes(rid: int, *, compound: bool) -> None:
    with session_scope() as s:
        s.add(
            TaxRate(
                reseller_id=rid,
                position=0,
                name="GST",
                rate=Decimal("5"),
                country="CA",
                applies_to=["usage", "recurring", "setup", "manual"],
            )
        )
        s.add(
            TaxRate(
                reseller_id=rid,
                position=1,
                name="QST",
                rate=Decimal("9.975"),
                country="CA",
                region="QC",
                compound=compound,
                applies_to=["usage", "recurring", "setup", "manual"],
            )
        )


def _call(rid: int, cid: int, uid: str, price: str, direction: str = "out", seconds: int = 60) -> None:
    with session_scope() as s:
        client = s.get(Client, cid)
        s.add(
            Cdr(
                reseller_id=rid,
                client_id=cid,
                uniqueid=uid,
                start=utcnow(),
                direction=direction,
                destination="15145550000",
                disposition="ANSWERED",
                duration=seconds,
                billable_seconds=seconds,
                price=Decimal(price),
            )
        )
        post_to_client(
            s,
            client,
            kind="call",
            amount=-Decimal(price),
            description=f"Call {uid}",
            reference=f"cdr:{rid}:{uid}",
            by="rating",
            fx=Effects(),
        )


def _setup(world, *, country="CA", state="QC", exempt=False):
    """Package fee 20.00, DID fee 1.50, a 10.00 setup fee, a 5.00 manual charge and two calls of 0.2000 in all."""
    rid, cid, d = world["ra"], world["c"], _day()
    with session_scope() as s:
        s.get(Package, world["pkg"]).monthly_fee = Decimal("20.00")
        c = s.get(Client, cid)
        c.country, c.state, c.city, c.address = country, state, "Montréal", "1 rue Principale"
        c.next_billing_date = d
        c.tax_exempt = exempt
        c.tax_exempt_number = "EX-123" if exempt else ""
        s.get(Reseller, rid).currency = "CAD"
        s.add(
            Did(
                reseller_id=rid,
                number="15145551234",
                client_id=cid,
                monthly_fee=Decimal("1.50"),
                connected_at=utcnow() - timedelta(days=40),
            )
        )
        post_to_client(
            s,
            c,
            kind="fee",
            amount=Decimal("-10.00"),
            description="Package setup fee",
            reference="setup:pkg:1:abc",
            by="reseller",
            fx=Effects(),
        )
    manual_posting(world["actor_a"], cid, "charge", "5.00", "Installation visit")
    _call(rid, cid, "u1", "0.1234")
    _call(rid, cid, "u2", "0.0766", seconds=30)
    return d


def _invoice(world) -> dict:
    with session_scope() as s:
        inv = s.exec(select(Invoice).where(Invoice.client_id == world["c"])).one()
        return documents.as_dict(s, inv)


def test_lines_and_non_compound_taxes_match_hand_computed_figures(world):
    _taxes(world["ra"], compound=False)
    d = _setup(world)
    summary = run_billing(d)
    assert summary.invoices == ["INV-000001"] and not summary.errors
    inv = _invoice(world)
    assert inv["currency"] == "CAD" and inv["period_end"] == d.isoformat() and inv["issued_on"] == d.isoformat()
    kinds = [(ln["kind"], ln["amount"]) for ln in inv["lines"]]
    assert kinds == [
        ("package_fee", "20.0000"),
        ("did_fee", "1.5000"),
        ("setup_fee", "10.0000"),
        ("charge", "5.0000"),
        ("usage_out", "0.2000"),
    ]
    usage = inv["lines"][-1]
    assert usage["quantity"] == "2" and usage["seconds"] == 90 and usage["unit_amount"] is None
    assert usage["taxable_for"] == ["GST", "QST"]
    # 36.70 × 5 % = 1.835 → 1.84; 36.70 × 9.975 % = 3.660825 → 3.66 (half-up, once per tax).
    assert [(t["name"], t["base"], t["amount"], t["compound"]) for t in inv["taxes"]] == [
        ("GST", "36.7000", "1.84", False),
        ("QST", "36.7000", "3.66", False),
    ]
    assert (inv["subtotal"], inv["tax_total"], inv["total"]) == ("36.7000", "5.50", "42.2000")


def test_compound_tax_stacks_on_the_other_taxes(world):
    _taxes(world["ra"], compound=True)
    run_billing(_setup(world))
    inv = _invoice(world)
    # QST compound: (36.70 + 1.84) × 9.975 % = 3.844365 → 3.84.
    assert [(t["name"], t["base"], t["amount"]) for t in inv["taxes"]] == [
        ("GST", "36.7000", "1.84"),
        ("QST", "38.5400", "3.84"),
    ]
    assert inv["total"] == "42.3800"


def test_region_decides_and_exempt_client_pays_no_tax(world):
    _taxes(world["ra"], compound=False)
    run_billing(_setup(world, state="Ontario"))
    inv = _invoice(world)
    assert [t["name"] for t in inv["taxes"]] == ["GST"]  # QST is for Quebec only
    assert inv["tax_total"] == "1.84"


def test_exempt_client(world):
    _taxes(world["ra"], compound=True)
    run_billing(_setup(world, exempt=True))
    inv = _invoice(world)
    assert inv["taxes"] == [] and inv["tax_total"] == "0.00" and inv["total"] == "36.7000"
    assert all(ln["taxable_for"] == [] for ln in inv["lines"])
    assert inv["buyer"]["tax_exempt_number"] == "EX-123"
    with session_scope() as s:
        assert s.exec(select(func.count()).where(LedgerEntry.kind == "tax")).one() == 0


def test_taxes_are_posted_once_and_the_balance_includes_them(world):
    _taxes(world["ra"], compound=True)
    d = _setup(world)
    run_billing(d)
    again = run_billing(d)
    assert again.invoices == [] and again.fees == 0
    assert issue.issue_due(world["c"], [d]) == []  # the cycle's invoice exists: nothing issued twice
    with session_scope() as s:
        taxes = s.exec(select(LedgerEntry).where(LedgerEntry.kind == "tax").order_by(LedgerEntry.id)).all()
        assert [(t.amount, t.reference) for t in taxes] == [
            (Decimal("-1.84"), f"tax:{world['ra']}:INV-000001:GST"),
            (Decimal("-3.84"), f"tax:{world['ra']}:INV-000001:QST"),
        ]
        client = s.get(Client, world["c"])
        ledger = s.exec(select(func.sum(LedgerEntry.amount)).where(LedgerEntry.client_id == world["c"])).one()
        assert client.balance == ledger == Decimal("-42.38")
        assert s.exec(select(func.count()).select_from(Invoice)).one() == 1


def test_issued_invoice_never_changes_when_settings_change(world):
    _taxes(world["ra"], compound=False)
    run_billing(_setup(world))
    before = _invoice(world)
    with session_scope() as s:
        for t in s.exec(select(TaxRate)).all():
            t.rate = Decimal("20")
        s.get(Reseller, world["ra"]).currency = "EUR"
        s.exec(select(BillingProfile)).one().legal_name = "Renamed Inc."
    assert _invoice(world) == before


def test_late_posting_goes_on_the_next_invoice_and_nothing_twice(world):
    d = _setup(world)
    run_billing(d)
    _call(world["ra"], world["c"], "late", "1.0000")
    with session_scope() as s:
        nxt = s.get(Client, world["c"]).next_billing_date
    summary = run_billing(nxt)
    assert summary.invoices == ["INV-000002"]
    with session_scope() as s:
        second = s.exec(select(Invoice).where(Invoice.number == "INV-000002")).one()
        data = documents.as_dict(s, second)
    assert [(ln["kind"], ln["amount"]) for ln in data["lines"]] == [
        ("package_fee", "20.0000"),
        ("did_fee", "1.5000"),
        ("usage_out", "1.0000"),
    ]
    assert data["period_start"] == (d + timedelta(days=1)).isoformat()


def test_credit_note_reverses_lines_with_their_taxes(world):
    _taxes(world["ra"], compound=True)
    run_billing(_setup(world))
    with session_scope() as s:
        inv = s.exec(select(Invoice)).one()
        balance = s.get(Client, world["c"]).balance
    with pytest.raises(ValidationFailed):
        issue.credit_note(world["actor_a"], inv.id, [1], "")
    with pytest.raises(NotFound):
        issue.credit_note(world["actor_b"], inv.id, [1], "Wrong package")
    note = issue.credit_note(world["actor_a"], inv.id, [1], "Wrong package")
    assert note.number == "INV-000002" and note.kind == "credit_note"
    with session_scope() as s:
        data = documents.as_dict(s, s.get(Invoice, note.id))
        # -20.00: GST -1.00; QST compound on (-20.00 - 1.00) × 9.975 % = -2.09475 → -2.09.
        assert [(t["name"], t["base"], t["amount"]) for t in data["taxes"]] == [
            ("GST", "-20.0000", "-1.00"),
            ("QST", "-21.0000", "-2.09"),
        ]
        assert data["total"] == "-23.0900" and data["credit_of"] == "INV-000001"
        client = s.get(Client, world["c"])
        assert client.balance == balance + Decimal("23.09")
        ledger = s.exec(select(func.sum(LedgerEntry.amount)).where(LedgerEntry.client_id == world["c"])).one()
        assert ledger == client.balance
    with pytest.raises(ValidationFailed):
        issue.credit_note(world["actor_a"], inv.id, [1], "Again")


def test_invoice_email_has_the_pdf_attached(world):
    run_billing(_setup(world))
    with session_scope() as s:
        mail = s.exec(select(OutboundEmail).where(OutboundEmail.dedupe_key.like("invoice:%"))).one()
        att = s.exec(select(EmailAttachment).where(EmailAttachment.email_id == mail.id)).one()
        assert mail.subject == "Invoice INV-000001" and "CA$36.70" in mail.body_text
        assert att.filename == "INV-000001.pdf" and att.data.startswith(b"%PDF")
        text = "".join(p.extract_text() for p in PdfReader(BytesIO(att.data)).pages)
    assert "INV-000001" in text and "CA$36.70" in text


def test_gapless_numbers_under_concurrent_runs(world):
    """Four threads run the billing at once over 12 clients: numbers 1..12, each once, one invoice per client."""
    d = _setup(world)
    with session_scope() as s:
        for i in range(11):
            c = Client(
                reseller_id=world["ra"],
                email=f"n{i}@example.com",
                password_hash="x",
                firstname=f"N{i}",
                next_billing_date=d,
            )
            s.add(c)
            s.flush()
            post_to_client(
                s,
                c,
                kind="charge",
                amount=Decimal("-1.00"),
                description="x",
                reference=f"ch{i}",
                by="reseller",
                fx=Effects(),
            )
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        try:
            barrier.wait()
            run_billing(d)
        except BaseException as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with session_scope() as s:
        rows = s.exec(select(Invoice.seq, Invoice.number, Invoice.client_id)).all()
        assert sorted(r[0] for r in rows) == list(range(1, 13))
        assert len({r[2] for r in rows}) == 12
        assert s.exec(select(BillingProfile.next_number)).one() == 13


def test_commands_show_json_and_pdf(world, tmp_path):
    _taxes(world["ra"], compound=True)
    d = _setup(world)
    env = {**__import__("os").environ}
    out = subprocess.run(
        [sys.executable, "-m", "reseller_app", "invoices", "issue", "--today", d.isoformat()],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "INV-000001" in out.stdout
    shown = subprocess.run(
        [sys.executable, "-m", "reseller_app", "invoices", "show", "INV-000001", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    for key in (
        "number",
        "reseller_id",
        "client_id",
        "currency",
        "period_start",
        "period_end",
        "issued_on",
        "lines",
        "taxes",
        "subtotal",
        "tax_total",
        "total",
    ):
        assert key in data
    assert set(data["lines"][0]) >= {"kind", "description", "quantity", "unit_amount", "amount", "taxable_for"}
    assert set(data["taxes"][0]) >= {"name", "rate", "compound", "base", "amount"}
    assert (data["total"], data["taxes"][1]["rate"]) == ("42.3800", "9.975")
    pdf = tmp_path / "inv.pdf"
    made = subprocess.run(
        [sys.executable, "-m", "reseller_app", "invoices", "pdf", "INV-000001", "--out", str(pdf)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    text = "".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    assert "INV-000001" in text and "CA$42.38" in text and "QST 9.975% (compound)" in text
    missing = subprocess.run(
        [sys.executable, "-m", "reseller_app", "invoices", "show", "NOPE"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert missing.returncode == 1


def test_postings_from_before_invoicing_are_never_billed(world):
    """A client with history from before invoices existed: the first invoice starts a month before its date."""
    d = _setup(world)
    with session_scope() as s:
        s.add(
            LedgerEntry(
                reseller_id=world["ra"],
                client_id=world["c"],
                reference="old-charge",
                kind="charge",
                amount=Decimal("-99.00"),
                description="Before invoicing",
                created_at=utcnow() - timedelta(days=90),
            )
        )
    run_billing(d)
    inv = _invoice(world)
    assert "Before invoicing" not in [ln["description"] for ln in inv["lines"]]
    assert inv["period_start"] == utcnow().date().isoformat()  # the client was created today
    with session_scope() as s:
        nxt = s.get(Client, world["c"]).next_billing_date
    run_billing(nxt)
    with session_scope() as s:
        second = s.exec(select(Invoice).where(Invoice.number == "INV-000002")).one()
        assert "Before invoicing" not in [ln["description"] for ln in documents.as_dict(s, second)["lines"]]
