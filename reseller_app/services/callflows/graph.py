"""One client's call flow read from the tables: the routing Graph, each number's route, and carrier targets."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import phonenumbers
from sqlmodel import Session, select

from reseller_app.carrier.callflows import NO_TARGET, Target
from reseller_app.i18n import _
from reseller_app.models import (
    Callback,
    CallerIdFilter,
    CallHunting,
    CallQueue,
    CallRecording,
    Client,
    Conference,
    Did,
    Disa,
    Forwarding,
    IvrMenu,
    MusicOnHold,
    RingGroup,
    SubAccount,
    TimeCondition,
    Voicemail,
)
from reseller_app.services.callflows import routing as rt

# Where a building block lives: destination kind -> table (the kinds a number or a menu can send calls to).
DEST_MODELS: dict[str, type] = {
    "ivr": IvrMenu,
    "grp": RingGroup,
    "hunt": CallHunting,
    "tc": TimeCondition,
    "queue": CallQueue,
    "conf": Conference,
    "cb": Callback,
    "disa": Disa,
}


def pretty(number: str) -> str:
    """A number for people (+1 514-555-0123), the digits when it does not parse."""
    try:
        parsed = phonenumbers.parse(f"+{number}")
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def dest_of(text: str | None) -> rt.Dest:
    """A stored destination; anything unreadable counts as nowhere (the walk then says so)."""
    try:
        return rt.parse_dest(text)
    except ValueError:
        return rt.NOWHERE


def _members(raw: list | None) -> tuple[rt.Member, ...]:
    out = []
    for m in raw or []:
        if isinstance(m, dict):
            out.append(rt.Member(dest_of(m.get("dest")), int(m.get("ring_time") or 25), str(m.get("name") or "")))
    return tuple(out)


def time_rules(raw: list | None) -> tuple[rt.TimeRule, ...]:
    """Stored rules ({"from": "mon", "to": "fri", "start": "09:00", "end": "17:00"}) as routing rules."""
    rules = []
    for r in raw or []:
        try:
            rules.append(
                rt.TimeRule(
                    rt.DAYS.index(r["from"]), rt.DAYS.index(r["to"]), rt.parse_hhmm(r["start"]), rt.parse_hhmm(r["end"])
                )
            )
        except (KeyError, ValueError, TypeError):
            continue
    return tuple(rules)


def holidays(raw: list | None) -> frozenset[date]:
    """Stored holiday dates."""
    out = set()
    for d in raw or []:
        try:
            out.add(date.fromisoformat(str(d)))
        except ValueError:
            continue
    return frozenset(out)


def load_one(session: Session, kind: str, row: Any) -> object | None:  # noqa: ANN401 - a row of DEST_MODELS[kind]
    """One stored object as the routing code reads it (None for kinds that are not routing nodes)."""
    ref = str(row.id)
    if kind == "ivr":
        choices = {str(k): dest_of(v) for k, v in (row.choices or {}).items()}
        return rt.IvrMenu(ref, row.name, choices, dest_of(row.timeout_dest), dest_of(row.invalid_dest), row.timeout)
    if kind == "grp":
        box = rt.Dest("vm", str(row.voicemail_id)) if row.voicemail_id else rt.NOWHERE
        return rt.RingGroup(ref, row.name, _members(row.members), box)
    if kind == "hunt":
        return rt.CallHunt(ref, row.name, _members(row.members), row.order)
    if kind == "tc":
        rules, closed = time_rules(row.rules), holidays(row.holidays)
        return rt.TimeCondition(ref, row.name, rules, dest_of(row.match_dest), dest_of(row.nomatch_dest), closed)
    if kind == "queue":
        return rt.CallQueue(ref, row.name, _members(row.members), dest_of(row.failover_dest), row.max_wait)
    if kind == "conf":
        size = _("up to {n} members").format(n=row.max_members) if row.max_members else _("no member limit")
        return rt.Named(ref, row.name, size)
    if kind == "cb":
        return rt.Named(ref, row.name, _("calls back {number}").format(number=row.number))
    if kind == "disa":
        return rt.Named(ref, row.name, _("asks for the PIN, then gives a dial tone"))
    return None


TABLES = {
    "ivr": "ivrs",
    "grp": "groups",
    "hunt": "hunts",
    "tc": "conditions",
    "queue": "queues",
    "conf": "conferences",
    "cb": "callbacks",
    "disa": "disas",
}


def load_graph(session: Session, client: Client) -> rt.Graph:
    """Every call-flow object and endpoint of the client, as the routing code reads them."""
    cid = client.id

    def rows(model: Any) -> list:  # noqa: ANN401 - a table
        return list(session.exec(select(model).where(model.client_id == cid).order_by(model.id)).all())

    nodes: dict[str, dict[str, Any]] = {}
    for kind, model in DEST_MODELS.items():
        nodes[TABLES[kind]] = {str(r.id): load_one(session, kind, r) for r in rows(model)}
    numbers = dict(session.exec(select(Did.id, Did.number).where(Did.client_id == cid)).all())
    filters = tuple(
        rt.CallerFilter(
            str(f.id),
            f.name,
            f.mode,
            tuple(str(e) for e in f.entries or []),
            dest_of(f.dest),
            numbers.get(f.did_id, "0") if f.did_id else "",
        )
        for f in rows(CallerIdFilter)
    )
    return rt.Graph(
        **nodes,
        filters=filters,
        accounts={str(s.id): s.account for s in rows(SubAccount)},
        voicemails={str(v.id): f"{v.mailbox} ({v.name})" for v in rows(Voicemail)},
        forwardings={str(f.id): "+" + f.phone_number for f in rows(Forwarding)},
        faxes={
            str(d.id): pretty(d.number)
            for d in session.exec(select(Did).where(Did.client_id == cid, Did.kind == "fax")).all()
        },
    )


def number_route(did: Did) -> rt.NumberRoute:
    """Where a number sends its calls: its routing, or (never routed here) the sub-account or forwarding it was
    connected with, with its connected voicemail as the no-answer failover."""
    if did.routing:
        dest = dest_of(did.routing)
        noanswer = dest_of(did.failover_noanswer)
    else:
        if did.forwarding_id:
            dest = rt.Dest("fwd", str(did.forwarding_id))
        elif did.sub_account_id:
            dest = rt.Dest("account", str(did.sub_account_id))
        else:
            dest = rt.NOWHERE
        noanswer = rt.Dest("vm", str(did.voicemail_id)) if did.voicemail_id else dest_of(did.failover_noanswer)
    return rt.NumberRoute(
        number=did.number,
        dest=dest,
        busy=dest_of(did.failover_busy),
        noanswer=noanswer,
        unreachable=dest_of(did.failover_unreachable),
        label=pretty(did.number),
    )


def number_routes(session: Session, client: Client, *, routed_only: bool = False) -> list[rt.NumberRoute]:
    """The routes of the client's phone numbers, by number (`routed_only`: those the client routed itself)."""
    stmt = select(Did).where(Did.client_id == client.id, Did.kind == "voice")
    if routed_only:
        stmt = stmt.where(Did.routing != "")
    return [number_route(d) for d in session.exec(stmt.order_by(Did.number)).all()]


# --- the carrier's names for the portal's destinations ---------------------------------------------------------


def target_of(session: Session, client: Client, dest: rt.Dest) -> Target:
    """The carrier's target for a destination of this client: a sub-account's name, a mailbox, the carrier's id.

    ValueError when it names nothing of the client's (the caller checked that already; this is the last guard).
    """
    if not dest.is_set:
        return NO_TARGET
    if dest.kind == "sys":
        return Target("sys", dest.ref)
    row_id = int(dest.ref)
    if dest.kind == "account":
        sub = session.get(SubAccount, row_id)
        if sub is None or sub.client_id != client.id:
            raise ValueError(str(dest))
        return Target("account", sub.account)
    if dest.kind == "vm":
        box = session.get(Voicemail, row_id)
        if box is None or box.client_id != client.id:
            raise ValueError(str(dest))
        return Target("vm", box.mailbox)
    if dest.kind == "fwd":
        fwd = session.get(Forwarding, row_id)
        if fwd is None or fwd.client_id != client.id:
            raise ValueError(str(dest))
        return Target("fwd", str(fwd.id))
    if dest.kind == "fax":
        did = session.get(Did, row_id)
        if did is None or did.client_id != client.id or did.kind != "fax":
            raise ValueError(str(dest))
        return Target("fax", did.number)
    model = DEST_MODELS[dest.kind]
    row = session.get(model, row_id)
    if row is None or row.client_id != client.id:
        raise ValueError(str(dest))
    return Target(dest.kind, row.carrier_ref)


def recording_ref(session: Session, client: Client, recording_id: int | None) -> str:
    """The carrier's id of one of the client's recordings ("" for none)."""
    if not recording_id:
        return ""
    rec = session.get(CallRecording, recording_id)
    if rec is None or rec.client_id != client.id:
        raise ValueError(f"recording {recording_id}")
    return rec.carrier_ref


def moh_ref(session: Session, client: Client, moh_id: int | None) -> str:
    """The carrier's name of one of the client's music-on-hold classes ("" for none)."""
    if not moh_id:
        return ""
    moh = session.get(MusicOnHold, moh_id)
    if moh is None or moh.client_id != client.id:
        raise ValueError(f"music on hold {moh_id}")
    return moh.carrier_ref


def rule_hours(text: str) -> tuple[int, int]:
    """ "17:30" as (17, 30); "24:00" as (23, 59), the last minute VoIP.ms can name."""
    t = rt.parse_hhmm(text)
    if t == time(23, 59, 59, 999999):
        return 23, 59
    return t.hour, t.minute
