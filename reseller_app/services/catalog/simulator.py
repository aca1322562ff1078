"""The profit simulator: real or uploaded calls re-rated under the wizard's draft and under the saved package.

Both sides use billing.rating.Rater, the engine's own code; an uploaded file is read by billing.cdrs, the rules
of `python -m reseller_app.billing rate`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, select

from reseller_app.billing import rating
from reseller_app.billing.cdrs import CdrFileError, read_calls
from reseller_app.billing.package import PackageRules
from reseller_app.db import session_scope
from reseller_app.models import Cdr, Client, Did, Package, Reseller, SubAccount, utcnow
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.catalog import fields
from reseller_app.services.catalog.fields import owned_package
from reseller_app.services.catalog.wizard import clean_form
from reseller_app.services.common import format as fmt
from reseller_app.services.common.errors import ValidationFailed
from reseller_app.services.telephony.calls import deck_for, package_rules

MAX_SIM_DAYS = 366
SIM_CHUNK = 5000


def _draft_rules(session: Session, pkg: Package, form: dict[str, Any]) -> PackageRules:
    clean, errors = clean_form(form)
    if errors:
        raise ValidationFailed(errors)
    saved = package_rules(session, pkg)
    return PackageRules(
        name=clean["name"],
        markup_fixed=clean["markup_fixed"],
        markup_percent=clean["markup_percent"],
        pulse=clean["pulse"],
        canada_route=clean["canada_route"],
        international_route=clean["international_route"],
        onnet_free=clean["onnet_free"],
        free_minutes=clean["free_minutes"],
        area_rates=saved.area_rates,
        free_zones=saved.free_zones,
        setup_fee=clean["setup_fee"],
        monthly_fee=clean["monthly_fee"],
    )


def parse_cdr_file(data: bytes) -> list[rating.Call]:
    """Calls from an uploaded CDR CSV in the `python -m reseller_app.billing rate` format; errors by line."""
    try:
        calls = read_calls(fields.upload_text(data, "file"), "upload")
    except CdrFileError as e:
        raise ValidationFailed({"file": "\n".join(f"line {p.line}: {p.message}" for p in e.problems)}) from None
    if not calls:
        raise ValidationFailed({"file": "The file has no calls."})
    return calls


def _sim_totals() -> dict[str, Any]:
    return {"calls": 0, "revenue": Decimal(0), "cost": Decimal(0), "unrated": 0}


def _add(totals: dict[str, Any], rated: list[rating.RatedCall]) -> None:
    for r in rated:
        totals["calls"] += 1
        totals["revenue"] += r.price or 0
        totals["cost"] += r.cost or 0
        totals["unrated"] += r.reason == "unrated"


def _sim_result(current: dict[str, Any], draft: dict[str, Any], source: str) -> dict[str, str]:
    out = {"source": source, "calls": str(current["calls"]), "unrated": str(current["unrated"])}
    for key, t in (("current", current), ("draft", draft)):
        profit = t["revenue"] - t["cost"]
        out[f"{key}_revenue"] = fmt.money(t["revenue"], 4)
        out[f"{key}_cost"] = fmt.money(t["cost"], 4)
        out[f"{key}_profit"] = fmt.money(profit, 4)
    diff = (draft["revenue"] - draft["cost"]) - (current["revenue"] - current["cost"])
    out["difference"] = ("+" if diff > 0 else "") + fmt.money(diff, 4)
    out["difference_sign"] = "up" if diff > 0 else ("down" if diff < 0 else "same")
    return out


def simulate(
    actor: Actor,
    package_id: int | str,
    form: dict[str, Any],
    days: int | str = 30,
    upload: bytes | None = None,
) -> Iterator[tuple[int, int, dict[str, str] | None]]:
    """Re-rate calls under the draft package and the saved one; yields (done, total, None) then (total, total, result).

    The calls are the last `days` days of real CDRs of the sub-accounts on the package, read from the database a
    chunk at a time in start order (so free minutes are drawn as the billing engine draws them), or an uploaded
    CDR file in the rating command's format. Both sides use billing.rating.Rater, the engine's own code.
    """
    require_reseller(actor)
    with session_scope() as session:
        pkg = owned_package(session, actor, package_id)
        draft_rules = _draft_rules(session, pkg, form)
        current_rules = package_rules(session, pkg)
        deck = deck_for(session.get(Reseller, actor.reseller_id))
        onnet = set(session.exec(select(Did.number).where(Did.client_id.is_not(None))).all())
        pkg_id = pkg.id
    current, draft = _sim_totals(), _sim_totals()

    if upload is not None:
        calls = parse_cdr_file(upload)
        anchor = date(2000, 1, 1)
        raters = (
            rating.Rater(current_rules, deck, onnet_numbers=onnet, anchor=anchor),
            rating.Rater(draft_rules, deck, onnet_numbers=onnet, anchor=anchor),
        )
        calls.sort(key=lambda c: (c.start, c.call_id))
        for i in range(0, len(calls), SIM_CHUNK):
            chunk = calls[i : i + SIM_CHUNK]
            _add(current, raters[0].rate(chunk))
            _add(draft, raters[1].rate(chunk))
            yield min(i + SIM_CHUNK, len(calls)), len(calls), None
        yield len(calls), len(calls), _sim_result(current, draft, f"{len(calls)} calls from the uploaded file")
        return

    d = fields.whole(str(days), "days", errs := {}, 1, MAX_SIM_DAYS)
    if errs:
        raise ValidationFailed(errs)
    since = utcnow() - timedelta(days=d)
    where = [
        Cdr.reseller_id == actor.reseller_id,
        Cdr.start >= since,
        Cdr.sub_account_id.in_(select(SubAccount.id).where(SubAccount.package_id == pkg_id)),
    ]
    with session_scope() as session:
        total = session.exec(select(func.count(Cdr.id)).where(*where)).one()
        anchors = {
            cid: (nbd or date(2000, 1, 1))
            for cid, nbd in session.exec(
                select(Client.id, Client.next_billing_date).where(Client.reseller_id == actor.reseller_id)
            ).all()
        }
    raters: dict[date, tuple[rating.Rater, rating.Rater]] = {}
    done = 0
    cursor: tuple[datetime, int] | None = None
    yield 0, total, None
    while True:
        # Short transactions, keyset-paged in start order: the simulator never holds the database.
        with session_scope() as session:
            stmt = select(Cdr, Did.per_minute).outerjoin(Did, Did.id == Cdr.did_id).where(*where)
            if cursor is not None:
                stmt = stmt.where(or_(Cdr.start > cursor[0], (Cdr.start == cursor[0]) & (Cdr.id > cursor[1])))
            rows = session.exec(stmt.order_by(Cdr.start, Cdr.id).limit(SIM_CHUNK)).all()
        if not rows:
            break
        cursor = (rows[-1][0].start, rows[-1][0].id)
        groups: dict[date, list[rating.Call]] = {}
        for cdr, did_rate in rows:
            inbound = cdr.direction == "in"
            groups.setdefault(anchors.get(cdr.client_id, date(2000, 1, 1)), []).append(
                rating.Call(
                    call_id=cdr.uniqueid,
                    start=cdr.start,
                    direction=cdr.direction,
                    account=cdr.account or str(cdr.sub_account_id),
                    caller=fields.digits(cdr.callerid),
                    destination=cdr.destination if cdr.destination.isdigit() else fields.digits(cdr.destination) or "0",
                    duration=cdr.duration,
                    disposition=cdr.disposition,
                    did_rate=(did_rate if did_rate is not None else Decimal(0)) if inbound else None,
                )
            )
        for anchor, calls in groups.items():
            if anchor not in raters:
                raters[anchor] = (
                    rating.Rater(current_rules, deck, onnet_numbers=onnet, anchor=anchor),
                    rating.Rater(draft_rules, deck, onnet_numbers=onnet, anchor=anchor),
                )
            _add(current, raters[anchor][0].rate(calls))
            _add(draft, raters[anchor][1].rate(calls))
        done += len(rows)
        yield done, max(total, done), None
    label = f"{done} calls in the last {d} days of the clients on this package"
    yield done, max(total, done), _sim_result(current, draft, label)


def simulate_all(
    actor: Actor, package_id: int | str, form: dict[str, Any], days: int | str = 30, upload: bytes | None = None
) -> dict[str, str]:
    """The simulator's result without progress (for tests and the API)."""
    result: dict[str, str] | None = None
    for _done, _total, res in simulate(actor, package_id, form, days, upload):
        result = res or result
    assert result is not None
    return result
