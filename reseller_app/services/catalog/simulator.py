"""The profit simulator: real or uploaded calls and text messages re-rated under the wizard's draft and under the
saved package.

Both sides use the engine's own code: billing.rating.Rater for calls, billing.messages.price_message (through
price_for_package) for messages, as live billing does. An uploaded file is read by the rules of
`python -m reseller_app.billing rate`: billing.cdrs for a CDR file, billing.message_file for a MESSAGES.csv.
Real messages are counted in SQL, one row per (kind, direction, parts): every message of a group has the same
price, so a group is priced once and multiplied by its count (exact; each price is rounded once).
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
from reseller_app.billing.message_file import MessageFileError, MessageTotals, read_messages
from reseller_app.billing.messages import MessageKind, MessageRates, price_for_package
from reseller_app.billing.package import PackageRules
from reseller_app.db import read_scope, session_scope
from reseller_app.models import Cdr, Client, Did, Message, Package, Reseller, SubAccount, utcnow
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.catalog import fields
from reseller_app.services.catalog.fields import owned_package
from reseller_app.services.catalog.wizard import clean_form
from reseller_app.services.common import format as fmt
from reseller_app.services.common.errors import ValidationFailed
from reseller_app.services.messaging.messages import carrier_costs
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
        sms_out_rate=clean["sms_out_rate"],
        sms_in_rate=clean["sms_in_rate"],
        mms_out_rate=clean["mms_out_rate"],
        mms_in_rate=clean["mms_in_rate"],
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


def _compare(prefix: str, current: tuple[Decimal, Decimal], draft: tuple[Decimal, Decimal]) -> dict[str, str]:
    """Revenue, carrier cost and profit of the saved package and the draft, and the change in profit."""
    out: dict[str, str] = {}
    for key, (revenue, cost) in (("current", current), ("draft", draft)):
        out[f"{prefix}{key}_revenue"] = fmt.money(revenue, 4)
        out[f"{prefix}{key}_cost"] = fmt.money(cost, 4)
        out[f"{prefix}{key}_profit"] = fmt.money(revenue - cost, 4)
    diff = (draft[0] - draft[1]) - (current[0] - current[1])
    out[f"{prefix}difference"] = ("+" if diff > 0 else "") + fmt.money(diff, 4)
    out[f"{prefix}difference_sign"] = "up" if diff > 0 else ("down" if diff < 0 else "same")
    return out


def _sim_result(current: dict[str, Any], draft: dict[str, Any], source: str) -> dict[str, str]:
    out = {"source": source, "calls": str(current["calls"]), "unrated": str(current["unrated"])}
    out.update(_compare("", (current["revenue"], current["cost"]), (draft["revenue"], draft["cost"])))
    return out


# --- messages ------------------------------------------------------------------------------------------------

MESSAGE_LINES = (("sms_out", "sms", "out"), ("sms_in", "sms", "in"), ("mms_out", "mms", "out"), ("mms_in", "mms", "in"))
# (kind, direction, parts) -> how many messages
MessageGroups = dict[tuple[str, str, int], int]


def parse_message_file(data: bytes) -> MessageGroups:
    """Messages counted per (kind, direction, parts) from an uploaded MESSAGES.csv (the rating command's format)."""
    try:
        rows = read_messages(fields.upload_text(data, "file"), "upload")
    except MessageFileError as e:
        raise ValidationFailed({"file": "\n".join(f"line {p.line}: {p.message}" for p in e.problems)}) from None
    if not rows:
        raise ValidationFailed({"file": "The file has no messages."})
    groups: MessageGroups = {}
    for m in rows:
        key = (m.kind.value, m.direction, m.parts)
        groups[key] = groups.get(key, 0) + 1
    return groups


def _recent_messages(
    session: Session, reseller_id: int, package_id: int, since: datetime
) -> tuple[MessageGroups, Decimal]:
    """The billed messages since `since` that the package prices (as live billing picks a number's package: its
    sub-account's, else its client's oldest sub-account's), counted per (kind, direction, parts) in SQL, and the sum
    of what was charged for them."""
    did_package = (
        select(SubAccount.package_id).where(SubAccount.id == Did.sub_account_id).correlate(Did).scalar_subquery()
    )
    client_package = (
        select(SubAccount.package_id)
        .join(Package, Package.id == SubAccount.package_id)
        .where(SubAccount.client_id == Message.client_id)
        .order_by(SubAccount.id)
        .limit(1)
        .correlate(Message)
        .scalar_subquery()
    )
    rows = session.exec(
        select(Message.kind, Message.direction, Message.segments, func.count(), func.sum(Message.price))
        .outerjoin(Did, Did.id == Message.did_id)
        .where(
            Message.reseller_id == reseller_id,
            Message.client_id.is_not(None),
            Message.sent_at >= since,
            func.coalesce(did_package, client_package) == package_id,
        )
        .group_by(Message.kind, Message.direction, Message.segments)
    ).all()
    groups: MessageGroups = {}
    charged = Decimal(0)
    for kind, direction, parts, count, price in rows:
        groups[(kind, direction, parts)] = count
        charged += price or 0
    return groups, charged


def _message_result(
    groups: MessageGroups, costs: MessageRates, current: PackageRules, draft: PackageRules, source: str
) -> dict[str, str]:
    """The messages' figures under the saved package and the draft, in total and per kind and direction."""
    totals = {"current": MessageTotals(), "draft": MessageTotals()}
    lines = {
        (kind, direction): {"current": MessageTotals(), "draft": MessageTotals()}
        for _, kind, direction in MESSAGE_LINES
    }
    for (kind, direction, parts), count in sorted(groups.items()):
        for side, rules in (("current", current), ("draft", draft)):
            priced = price_for_package(MessageKind(kind), direction, parts, costs=costs, package=rules)
            totals[side] = totals[side].plus(priced, parts, count)
            line = lines[(kind, direction)]
            line[side] = line[side].plus(priced, parts, count)
    out = {"msg_source": source, "messages": str(totals["current"].messages), "msg_parts": str(totals["current"].parts)}
    cur, new = totals["current"], totals["draft"]
    out.update(_compare("msg_", (cur.price, cur.cost), (new.price, new.cost)))
    for key, kind, direction in MESSAGE_LINES:
        unit = "part" if (kind, direction) == ("sms", "out") else "message"
        line = lines[(kind, direction)]
        out[f"msg_{key}_count"] = str(line["current"].messages)
        out[f"msg_{key}_cost"] = fmt.money(line["current"].cost, 4)
        for side, rules in (("current", current), ("draft", draft)):
            rate = price_for_package(MessageKind(kind), direction, 1, costs=costs, package=rules).sell_rate
            out[f"msg_{key}_{side}_rate"] = f"{fmt.money(rate, 6)}/{unit}"
            out[f"msg_{key}_{side}"] = fmt.money(line[side].price, 4)
    return out


def simulate(
    actor: Actor,
    package_id: int | str,
    form: dict[str, Any],
    days: int | str = 30,
    upload: bytes | None = None,
    messages_upload: bytes | None = None,
) -> Iterator[tuple[int, int, dict[str, str] | None]]:
    """Re-rate calls and messages under the draft package and the saved one; yields (done, total, None) then
    (total, total, result).

    The calls are the last `days` days of real CDRs of the sub-accounts on the package, read from the database a
    chunk at a time in start order (so free minutes are drawn as the billing engine draws them), or an uploaded
    CDR file in the rating command's format. Both sides use billing.rating.Rater, the engine's own code. With the
    real calls come the real messages the package prices (the `msg_` keys; `messages` is "0" when there are none);
    `messages_upload` re-prices a MESSAGES.csv instead (messages only, no `calls` key).
    """
    require_reseller(actor)
    with session_scope() as session:
        pkg = owned_package(session, actor, package_id)
        draft_rules = _draft_rules(session, pkg, form)
        current_rules = package_rules(session, pkg)
        reseller = session.get(Reseller, actor.reseller_id)
        deck = deck_for(reseller)
        costs = carrier_costs(reseller)
        onnet = set(session.exec(select(Did.number).where(Did.client_id.is_not(None))).all())
        pkg_id = pkg.id
    current, draft = _sim_totals(), _sim_totals()

    if messages_upload is not None:
        groups = parse_message_file(messages_upload)
        count = sum(groups.values())
        label = f"{count} messages from the uploaded file"
        result = _message_result(groups, costs, current_rules, draft_rules, label)
        yield count, count, {"source": label, **result}
        return

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
    result = _sim_result(current, draft, label)
    with read_scope() as session:
        groups, charged = _recent_messages(session, actor.reseller_id, pkg_id, since)
    count = sum(groups.values())
    msg_label = f"{count} text messages in the last {d} days of the numbers on this package"
    result.update(_message_result(groups, costs, current_rules, draft_rules, msg_label))
    result["msg_charged"] = fmt.money(charged, 4)
    yield done, max(total, done), result


def simulate_all(
    actor: Actor,
    package_id: int | str,
    form: dict[str, Any],
    days: int | str = 30,
    upload: bytes | None = None,
    messages_upload: bytes | None = None,
) -> dict[str, str]:
    """The simulator's result without progress (for tests and the API)."""
    result: dict[str, str] | None = None
    for _done, _total, res in simulate(actor, package_id, form, days, upload, messages_upload):
        result = res or result
    assert result is not None
    return result
