"""The rating command re-prices messages exactly as live billing posted them (same parts, same rounding, once)."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlmodel import select

from reseller_app.billing.cli import main
from reseller_app.billing.money import fmt_money, fmt_rate
from reseller_app.carrier import CarrierMessage
from reseller_app.carrier.sandbox import SMS_COSTS_PATH
from reseller_app.db import session_scope
from reseller_app.models import LedgerEntry, Message, Package
from reseller_app.services.messaging import messages
from reseller_app.services.telephony.calls import package_rules
from tests.services.messaging.test_messages import PNG

D = Decimal


def _package_json(package_id: int) -> dict[str, object]:
    """PACKAGE.json of a stored package, as the command reads it."""
    with session_scope() as s:
        rules = package_rules(s, s.get(Package, package_id))
    out: dict[str, object] = {
        "name": rules.name,
        "markup_fixed": str(rules.markup_fixed),
        "markup_percent": str(rules.markup_percent),
        "pulse": rules.pulse,
        "canada_route": rules.canada_route,
        "international_route": rules.international_route,
    }
    for key in ("sms_out_rate", "sms_in_rate", "mms_out_rate", "mms_in_rate"):
        value = getattr(rules, key)
        out[key] = None if value is None else str(value)
    return out


def _traffic(pair) -> None:
    """Texts both ways between the two clients, long and short, GSM-7 and UCS-2, a picture, and received texts."""
    c, d = pair["c_actor"], pair["d_actor"]
    messages.send(c, pair["did1"], pair["n2"], "x" * 161)  # GSM-7, 2 parts
    messages.send(c, pair["did1"], pair["n2"], "{[~]}" * 32)  # extension characters: 320 septets, 3 parts
    messages.send(d, pair["did2"], pair["n1"], "Ça va? 🙂" * 16)  # UCS-2, emoji 2 units each: 144 units, 3 parts
    messages.send(d, pair["did2"], pair["n1"], "look", image=PNG)
    start = datetime.now(UTC) - timedelta(minutes=5)
    messages.ingest_messages(
        pair["ra"],
        [
            CarrierMessage("ext-1", start, "in", "sms", pair["n1"], "14165550143", "y" * 1700),  # 12 parts: 10
            CarrierMessage("ext-2", start, "in", "mms", pair["n2"], "14165550143", "", ("https://x/p.png",)),
            CarrierMessage("ext-3", start, "in", "sms", pair["n2"], "14165550143", ""),  # empty text: 1 part
        ],
    )


def _export(tmp_path, columns: tuple[str, ...]) -> dict[str, Message]:
    """The stored messages as a MESSAGES.csv of these columns; the rows by carrier id."""
    with session_scope() as s:
        rows = s.exec(select(Message).order_by(Message.id)).all()
        s.expunge_all()
    with open(tmp_path / "messages.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for m in rows:
            value = {"message_id": m.carrier_id, "kind": m.kind, "direction": m.direction}
            value |= {"text": m.body, "parts": str(m.segments)}
            w.writerow([value[c] for c in columns])
    return {m.carrier_id: m for m in rows}


def _rerate(tmp_path, package_id: int) -> list[dict[str, str]]:
    (tmp_path / "package.json").write_text(json.dumps(_package_json(package_id)))
    args = ["rate", "--package", str(tmp_path / "package.json"), "--sms-deck", str(SMS_COSTS_PATH)]
    args += ["--messages", str(tmp_path / "messages.csv"), "--messages-out", str(tmp_path / "rated.csv")]
    assert main(args) == 0
    with open(tmp_path / "rated.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _assert_same_as_posted(rated: list[dict[str, str]], stored: dict[str, Message]) -> None:
    with session_scope() as s:
        posted = {e.reference: e.amount for e in s.exec(select(LedgerEntry).where(LedgerEntry.kind == "message"))}
    assert len(rated) == len(stored) == 11  # 4 sent, the same 4 received on the platform, 3 from outside
    for r in rated:
        m = stored[r["message_id"]]
        assert (r["kind"], r["direction"], int(r["parts"])) == (m.kind, m.direction, m.segments)
        assert (r["cost_rate"], r["sell_rate"]) == (fmt_rate(m.cost_rate), fmt_rate(m.sell_rate))
        assert (r["cost"], r["price"], r["profit"]) == (fmt_money(m.cost), fmt_money(m.price), fmt_money(m.profit))
        ledger = posted.get(f"msg:{m.reseller_id}:{m.carrier_id}")
        assert ledger == (-m.price if m.price else None)
    # The mix really exercises the rules: parts 2, 3, 3, 1 each way; 10, 1 and 1 from outside; amounts unlike.
    assert sorted(int(r["parts"]) for r in rated) == [1, 1, 1, 1, 2, 2, 3, 3, 3, 3, 10]
    assert len({r["price"] for r in rated}) >= 3


def test_the_command_prices_messages_as_live_billing_posted_them_markup(pair, tmp_path):
    _traffic(pair)
    stored = _export(tmp_path, ("message_id", "kind", "direction", "text"))  # parts counted from the text
    _assert_same_as_posted(_rerate(tmp_path, pair["pkg"]), stored)


def test_the_command_prices_messages_as_live_billing_posted_them_package_rates(pair, tmp_path):
    with session_scope() as s:
        pkg = s.get(Package, pair["pkg"])
        pkg.sms_out_rate, pkg.mms_in_rate = D("0.013333"), D("0.05")  # sms in and mms out stay at the markup
    _traffic(pair)
    stored = _export(tmp_path, ("kind", "parts", "message_id", "direction"))  # the stored parts
    rated = _rerate(tmp_path, pair["pkg"])
    _assert_same_as_posted(rated, stored)
    # 3 parts at 0.013333 = 0.039999 -> 0.0400, rounded once from the exact product.
    assert {r["price"] for r in rated if (r["direction"], r["parts"]) == ("out", "3")} == {"0.0400"}
    assert {r["rule"] for r in rated} == {"package", "markup"}
