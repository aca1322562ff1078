"""The client's building blocks: list, read for editing, create or change, delete.

Each kind is one of the services a reseller shows or hides (Services tab, or the package's own list); a hidden kind's
objects are neither listed nor changed here. A change is checked completely first (every destination one of the
client's own, in a kind the client may use; no loop that a caller could not leave by pressing a key), then applied
at the carrier, then stored; when storing fails the carrier is put back (a new object deleted, a changed one sent
again as it was). An object that something still sends calls to, or plays, cannot be deleted: the refusal names
what uses it.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import secrets
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from reseller_app.carrier import Carrier, CarrierError, get_carrier
from reseller_app.carrier import callflows as cf
from reseller_app.db import session_scope
from reseller_app.i18n import N_, _, ngettext
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
    IvrMenu,
    MusicOnHold,
    PhonebookEntry,
    Reseller,
    RingGroup,
    TimeCondition,
)
from reseller_app.services.access.actor import Actor, require_client
from reseller_app.services.callflows import audio
from reseller_app.services.callflows import graph as gr
from reseller_app.services.callflows import routing as rt
from reseller_app.services.common import audit
from reseller_app.services.common.errors import Forbidden, NotFound, ServiceError, ValidationFailed
from reseller_app.services.common.lookup import own_account, owned
from reseller_app.services.portal.account import PortalView, view_for

log = logging.getLogger(__name__)

# Object kind -> the service (Reseller configuration > Services, or a package's list) that shows it.
SERVICE_OF = {
    "tc": "timeconditions",
    "ivr": "ivr",
    "grp": "ringgroups",
    "hunt": "callhunting",
    "queue": "queues",
    "conf": "conferences",
    "cb": "callback",
    "disa": "disa",
    "filter": "callerid",
    "moh": "moh",
    "recording": "recordings",
    "phonebook": "phonebook",
}
SERVICES = tuple(SERVICE_OF.values())
KIND_ORDER = tuple(SERVICE_OF)
# The tabs' titles (English ids: `_(TITLES[kind])` shows one in the client's language).
TITLES = {
    "tc": N_("Time conditions"),
    "ivr": N_("IVR menus"),
    "grp": N_("Ring groups"),
    "hunt": N_("Call hunting"),
    "queue": N_("Call queues"),
    "conf": N_("Conferences"),
    "cb": N_("Callback"),
    "disa": N_("DISA"),
    "filter": N_("Caller ID filtering"),
    "moh": N_("Music on hold"),
    "recording": N_("Recordings"),
    "phonebook": N_("Phonebook"),
}
MODELS: dict[str, Any] = {
    "tc": TimeCondition,
    "ivr": IvrMenu,
    "grp": RingGroup,
    "hunt": CallHunting,
    "queue": CallQueue,
    "conf": Conference,
    "cb": Callback,
    "disa": Disa,
    "filter": CallerIdFilter,
    "moh": MusicOnHold,
    "recording": CallRecording,
    "phonebook": PhonebookEntry,
}
# Destination kinds that are endpoints kept elsewhere, and the service that shows them.
ENDPOINT_SERVICE = {"vm": "voicemail", "fwd": "forwarding", "fax": "fax"}
MEMBER_KINDS = frozenset({"account", "fwd"})
AGENT_KINDS = frozenset({"account"})
ROUTE_KINDS = frozenset(rt.DEST_KINDS) - {"none"}
IVR_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#")
KEY_FIELD = {k: "choice_" + {"*": "star", "#": "hash"}.get(k, k) for k in IVR_KEYS}
LANGUAGES = ("en", "fr", "es")
STRATEGIES = ("ringall", "leastrecent", "fewestcalls", "random", "rrmemory")
EMPTY_CHOICES = ("yes", "no", "strict")
MAX_MEMBERS = 6
MAX_RULES = 4
MAX_HOLIDAYS = 60
MAX_ENTRIES = 200
_DIGITS = re.compile(r"^\d+$")


# --- who may do what ----------------------------------------------------------------------------------------


def _client(session: Session, actor: Actor) -> Client:
    require_client(actor)
    return own_account(session, actor)


def kinds_shown(view: PortalView) -> list[str]:
    """The building blocks the client's view includes, in page order (none without the Services page)."""
    if not view.services_page:
        return []
    return [k for k in KIND_ORDER if SERVICE_OF[k] in view.services]


def require_kind(session: Session, client: Client, kind: str) -> PortalView:
    """The client's view when it shows this kind of object; otherwise refuse (a hidden kind is not there)."""
    if kind not in SERVICE_OF:
        raise NotFound(_("No such kind of object."))
    view = view_for(session, client)
    if kind not in kinds_shown(view):
        raise Forbidden(_("This service is not available."))
    return view


def dest_available(view: PortalView, kind: str) -> bool:
    """Whether the client may pick destinations of this kind (sub-accounts, system actions: always)."""
    if kind in ("account", "sys", "none"):
        return True
    if kind in ENDPOINT_SERVICE:
        return view.services_page and ENDPOINT_SERVICE[kind] in view.services
    return kind in SERVICE_OF and kind in kinds_shown(view)


def _own(session: Session, model: Any, obj_id: object, client: Client, what: str) -> Any:  # noqa: ANN401 - a row
    """One of the client's rows by the id a browser sent (the services' one ownership check, lookup.owned)."""
    return owned(session, Actor("client", client.reseller_id, client.id), model, obj_id, what, client_id=client.id)


# --- reading a form -----------------------------------------------------------------------------------------


@dataclasses.dataclass
class Form:
    """A submitted form of one kind, read field by field; every refusal lands in `errors` under its field."""

    session: Session
    client: Client
    view: PortalView
    graph: rt.Graph
    values: Mapping[str, object]
    current: Any = None  # the row being changed
    errors: dict[str, str] = dataclasses.field(default_factory=dict)

    def raw(self, key: str) -> str:
        value = self.values.get(key, "")
        if isinstance(value, bool):
            return "1" if value else ""
        return str(value if value is not None else "").strip()

    def text(self, key: str, limit: int, *, required: bool = False) -> str:
        value = self.raw(key)
        if len(value) > limit:
            self.errors[key] = _("Use at most {limit} characters.").format(limit=limit)
        elif required and not value:
            self.errors[key] = _("Required.")
        return value[:limit]

    def number(self, key: str, lo: int, hi: int, default: int) -> int:
        value = self.raw(key)
        if value == "":
            return default
        if not _DIGITS.match(value) or not lo <= int(value) <= hi:
            self.errors[key] = _("Enter a whole number from {lo} to {hi}.").format(lo=lo, hi=hi)
            return default
        return int(value)

    def choice(self, key: str, options: tuple[str, ...], default: str) -> str:
        value = self.raw(key) or default
        if value not in options:
            self.errors[key] = _("Choose one from the list.")
            return default
        return value

    def flag(self, key: str) -> bool:
        return self.raw(key).lower() in ("1", "on", "true", "yes")

    def digits(self, key: str, lo: int, hi: int, *, required: bool = False) -> str:
        value = self.raw(key)
        if not value:
            if required:
                self.errors[key] = _("Enter {lo} to {hi} digits.").format(lo=lo, hi=hi)
            return ""
        if not _DIGITS.match(value) or not lo <= len(value) <= hi:
            self.errors[key] = _("Use {lo} to {hi} digits only.").format(lo=lo, hi=hi)
            return ""
        return value

    def dest(self, key: str, allowed: frozenset[str], *, required: bool, current: str = "") -> str:
        """A destination of the client's own, of an allowed kind the client may use ("" when none and allowed)."""
        raw = self.raw(key)
        try:
            dest = rt.parse_dest(raw)
        except ValueError:
            self.errors[key] = _("Choose a destination from the list.")
            return ""
        if not dest.is_set:
            if required:
                self.errors[key] = _("Choose where the call goes.")
            return ""
        unchanged = str(dest) == current
        if dest.kind not in allowed or not self.graph.exists(dest):
            self.errors[key] = _("Choose one of your destinations from the list.")
            return ""
        if not unchanged and not dest_available(self.view, dest.kind):
            self.errors[key] = _("{kind} is not available to you.").format(kind=_(rt.KIND_LABELS[dest.kind]))
            return ""
        return str(dest)

    def own_id(self, key: str, model: Any, service: str | None, current: int | None = None) -> int | None:  # noqa: ANN401
        """The id of one of the client's rows of `model` picked in a list, or None."""
        raw = self.raw(key)
        if raw in ("", "0", "none"):
            return None
        try:
            row = _own(self.session, model, raw, self.client, "item")
        except NotFound:
            self.errors[key] = _("Choose one of yours from the list.")
            return None
        if service and row.id != current and not (self.view.services_page and service in self.view.services):
            self.errors[key] = _("This is not available to you.")
            return None
        return int(row.id)

    def name_unique(self, model: Any, name: str) -> None:  # noqa: ANN401
        if not name or "name" in self.errors:
            return
        stmt = select(model.id).where(model.client_id == self.client.id, model.name == name)
        if self.current is not None:
            stmt = stmt.where(model.id != self.current.id)
        if self.session.exec(stmt).first() is not None:
            self.errors["name"] = _("You already have one with this name.")


def _members(f: Form, allowed: frozenset[str], current: list | None, *, field: str = "member") -> list[dict]:
    """Up to MAX_MEMBERS rows `member_<i>` (a destination) and `ring_<i>` (seconds); blank rows are skipped."""
    old = {str(m.get("dest")) for m in current or [] if isinstance(m, dict)}
    out: list[dict] = []
    seen: set[str] = set()
    for i in range(1, MAX_MEMBERS + 1):
        key = f"{field}_{i}"
        if not f.raw(key):
            continue
        dest = f.dest(key, allowed, required=True, current=f.raw(key) if f.raw(key) in old else "")
        if not dest:
            continue
        if dest in seen:
            f.errors[key] = _("Already listed.")
            continue
        seen.add(dest)
        if field == "agent":
            out.append({"dest": dest, "priority": f.number(f"priority_{i}", 0, 99, 0)})
        else:
            out.append({"dest": dest, "ring_time": f.number(f"ring_{i}", 1, 60, 25)})
    if not out and not any(k.startswith(f"{field}_") for k in f.errors):
        f.errors[f"{field}s"] = _("Add at least one member.")
    return out


def _rules(f: Form) -> list[dict]:
    """Up to MAX_RULES weekly rules `rule_<i>_from|to|start|end`: all four or none; no inverted or overlapping one."""
    rules: list[dict] = []
    parsed: list[tuple[int, rt.TimeRule]] = []
    for i in range(1, MAX_RULES + 1):
        parts = {p: f.raw(f"rule_{i}_{p}").lower() for p in ("from", "to", "start", "end")}
        if not any(parts.values()):
            continue
        bad = False
        for p in ("from", "to"):
            if parts[p] not in rt.DAYS:
                f.errors[f"rule_{i}_{p}"] = _("Choose a day.")
                bad = True
        times = {}
        for p in ("start", "end"):
            try:
                times[p] = rt.parse_hhmm(parts[p])
            except ValueError:
                f.errors[f"rule_{i}_{p}"] = _("Enter a time as HH:MM (00:00 to 24:00).")
                bad = True
        if bad:
            continue
        if rt.DAYS.index(parts["from"]) > rt.DAYS.index(parts["to"]):
            f.errors[f"rule_{i}_to"] = _("The last day comes before the first day.")
            continue
        if times["start"] >= times["end"]:
            f.errors[f"rule_{i}_end"] = _("The end is not after the start.")
            continue
        rule = rt.TimeRule(rt.DAYS.index(parts["from"]), rt.DAYS.index(parts["to"]), times["start"], times["end"])
        parsed.append((i, rule))
        rules.append({"from": parts["from"], "to": parts["to"], "start": parts["start"], "end": parts["end"]})
    clash = rt.overlapping([r for _i, r in parsed])
    if clash is not None:
        a, b = parsed[clash[0]][0], parsed[clash[1]][0]
        f.errors[f"rule_{b}_start"] = _("Overlaps rule {n}.").format(n=a)
    if not rules and not any(k.startswith("rule_") for k in f.errors):
        f.errors["rules"] = _("Add at least one rule of open hours.")
    return rules


def _holidays(f: Form) -> list[str]:
    days: list[str] = []
    for n, line in enumerate(re.split(r"[\n,;]+", f.raw("holidays")), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            days.append(date.fromisoformat(line).isoformat())
        except ValueError:
            f.errors["holidays"] = _("Entry {n} is not a date (YYYY-MM-DD).").format(n=n)
            return []
    if len(days) > MAX_HOLIDAYS:
        f.errors["holidays"] = _("List at most {n} holidays.").format(n=MAX_HOLIDAYS)
    return sorted(set(days))


def _entries(f: Form) -> list[str]:
    out: list[str] = []
    for n, line in enumerate(re.split(r"[\n,;]+", f.raw("entries")), start=1):
        entry = re.sub(r"[\s\-().+]", "", line.strip().lower())
        if not entry:
            continue
        if entry != "anonymous" and not re.fullmatch(r"\d{3,15}\*?", entry):
            message = _("Entry {n}: use a number, a prefix ending in * (1900*) or anonymous.")
            f.errors["entries"] = message.format(n=n)
            return []
        out.append(entry)
    if not out:
        f.errors["entries"] = _("List at least one caller ID.")
    if len(out) > MAX_ENTRIES:
        f.errors["entries"] = _("List at most {n} caller IDs.").format(n=MAX_ENTRIES)
    return list(dict.fromkeys(out))


# --- one cleaner per kind: the row's values, checked ---------------------------------------------------------


def _clean_tc(f: Form) -> dict:
    cur = f.current
    name = f.text("name", 80, required=True)
    f.name_unique(TimeCondition, name)
    return {
        "name": name,
        "rules": _rules(f),
        "holidays": _holidays(f),
        "match_dest": f.dest("match", ROUTE_KINDS, required=True, current=cur.match_dest if cur else ""),
        "nomatch_dest": f.dest("nomatch", ROUTE_KINDS, required=True, current=cur.nomatch_dest if cur else ""),
    }


def _clean_ivr(f: Form) -> dict:
    cur = f.current
    name = f.text("name", 80, required=True)
    f.name_unique(IvrMenu, name)
    for key in f.values:
        if key.startswith("choice_") and key not in KEY_FIELD.values():
            f.errors["choices"] = _("Unknown key {key}: use 0-9, * or #.").format(key=repr(key.removeprefix("choice_")))
    old = cur.choices if cur else {}
    choices = {}
    for k in IVR_KEYS:
        field = KEY_FIELD[k]
        if f.raw(field):
            dest = f.dest(field, ROUTE_KINDS, required=True, current=str(old.get(k, "")))
            if dest:
                choices[k] = dest
    if not choices and not any(k.startswith("choice_") for k in f.errors):
        f.errors["choices"] = _("Give at least one key a destination.")
    return {
        "name": name,
        "recording_id": f.own_id("recording_id", CallRecording, "recordings", cur.recording_id if cur else None),
        "timeout": f.number("timeout", 1, 60, 5),
        "language": f.choice("language", LANGUAGES, "en"),
        "choices": choices,
        "timeout_dest": f.dest("timeout_dest", ROUTE_KINDS, required=False, current=cur.timeout_dest if cur else ""),
        "invalid_dest": f.dest("invalid_dest", ROUTE_KINDS, required=False, current=cur.invalid_dest if cur else ""),
    }


def _clean_grp(f: Form) -> dict:
    cur = f.current
    name = f.text("name", 80, required=True)
    f.name_unique(RingGroup, name)
    return {
        "name": name,
        "members": _members(f, MEMBER_KINDS, cur.members if cur else None),
        "voicemail_id": f.own_id("voicemail_id", _voicemail_model(), "voicemail", cur.voicemail_id if cur else None),
        "music_on_hold_id": f.own_id("music_on_hold_id", MusicOnHold, "moh", cur.music_on_hold_id if cur else None),
        "language": f.choice("language", LANGUAGES, "en"),
    }


def _voicemail_model() -> Any:  # noqa: ANN401 - the Voicemail table
    from reseller_app.models import Voicemail

    return Voicemail


def _clean_hunt(f: Form) -> dict:
    cur = f.current
    name = f.text("name", 80, required=True)
    f.name_unique(CallHunting, name)
    return {
        "name": name,
        "members": _members(f, MEMBER_KINDS, cur.members if cur else None),
        "order": f.choice("order", ("follow", "random"), "follow"),
        "music_on_hold_id": f.own_id("music_on_hold_id", MusicOnHold, "moh", cur.music_on_hold_id if cur else None),
        "recording_id": f.own_id("recording_id", CallRecording, "recordings", cur.recording_id if cur else None),
        "language": f.choice("language", LANGUAGES, "en"),
    }


def _clean_queue(f: Form) -> dict:
    cur = f.current
    name = f.text("name", 80, required=True)
    f.name_unique(CallQueue, name)
    max_wait = f.number("max_wait", 0, 1200, 0)
    if max_wait % 30:
        f.errors["max_wait"] = _("Use a multiple of 30 seconds (0 for no limit).")
    return {
        "name": name,
        "number": f.number("number", 1, 99999, 0) or 0,
        "strategy": f.choice("strategy", STRATEGIES, "ringall"),
        "music_on_hold_id": f.own_id("music_on_hold_id", MusicOnHold, "moh", cur.music_on_hold_id if cur else None),
        "max_wait": max_wait,
        "join_when_empty": f.choice("join_when_empty", EMPTY_CHOICES, "yes"),
        "leave_when_empty": f.choice("leave_when_empty", EMPTY_CHOICES, "no"),
        "failover_dest": f.dest("failover", ROUTE_KINDS, required=False, current=cur.failover_dest if cur else ""),
        "members": _members(f, AGENT_KINDS, cur.members if cur else None, field="agent"),
        "language": f.choice("language", LANGUAGES, "en"),
    }


def _clean_conf(f: Form) -> dict:
    name = f.text("name", 80, required=True)
    f.name_unique(Conference, name)
    return {
        "name": name,
        "description": f.text("description", 200),
        "pin": f.digits("pin", 3, 10),
        "max_members": f.number("max_members", 0, 500, 0),
    }


def _clean_cb(f: Form) -> dict:
    name = f.text("name", 80, required=True)
    f.name_unique(Callback, name)
    return {
        "name": name,
        "number": f.digits("number", 10, 15, required=True),
        "delay_before": f.number("delay_before", 1, 60, 1),
        "response_timeout": f.number("response_timeout", 1, 60, 10),
        "digit_timeout": f.number("digit_timeout", 1, 60, 5),
        "callerid_number": f.digits("callerid_number", 10, 15),
    }


def _clean_disa(f: Form) -> dict:
    name = f.text("name", 80, required=True)
    f.name_unique(Disa, name)
    return {
        "name": name,
        "pin": f.digits("pin", 3, 10, required=True),
        "digit_timeout": f.number("digit_timeout", 1, 60, 5),
        "callerid_override": f.digits("callerid_override", 10, 15),
        "language": f.choice("language", LANGUAGES, "en"),
    }


def _clean_filter(f: Form) -> dict:
    cur = f.current
    name = f.text("name", 80, required=True)
    f.name_unique(CallerIdFilter, name)
    did_id = None
    if f.raw("did_id") not in ("", "all"):
        try:
            did = _own(f.session, Did, f.raw("did_id"), f.client, "number")
            if did.kind != "voice":
                raise NotFound()
            did_id = did.id
        except NotFound:
            f.errors["did_id"] = _("Choose one of your numbers, or all of them.")
    return {
        "name": name,
        "mode": f.choice("mode", ("block", "allow"), "block"),
        "entries": _entries(f),
        "did_id": did_id,
        "dest": f.dest("dest", ROUTE_KINDS, required=True, current=cur.dest if cur else ""),
    }


def _clean_moh(f: Form) -> dict:
    name = f.text("name", 80, required=True)
    f.name_unique(MusicOnHold, name)
    picked: list[int] = []
    for key in f.values:
        if key.startswith("rec_") and f.flag(key):
            rid = None
            try:
                rid = _own(f.session, CallRecording, key.removeprefix("rec_"), f.client, "recording").id
            except NotFound:
                f.errors["recordings"] = _("Choose your own recordings.")
            if rid is not None:
                picked.append(int(rid))
    if not picked and "recordings" not in f.errors:
        f.errors["recordings"] = _("Choose at least one recording.")
    return {
        "name": name,
        "recordings": sorted(set(picked)),
        "sort": f.choice("sort", ("alpha", "random"), "alpha"),
        "quiet": f.flag("quiet"),
    }


def _clean_phonebook(f: Form) -> dict:
    name = f.text("name", 80, required=True)
    f.name_unique(PhonebookEntry, name)
    number = re.sub(r"[\s\-().+]", "", f.raw("number"))
    if not (re.fullmatch(r"\d{3,15}", number) or re.fullmatch(r"sip:\d{1,10}", number)):
        f.errors["number"] = _("Enter a phone number (digits) or sip:<extension>.")
    speed = f.digits("speed_dial", 1, 4)
    if speed and "speed_dial" not in f.errors:
        stmt = select(PhonebookEntry.id).where(
            PhonebookEntry.client_id == f.client.id, PhonebookEntry.speed_dial == speed
        )
        if f.current is not None:
            stmt = stmt.where(PhonebookEntry.id != f.current.id)
        if f.session.exec(stmt).first() is not None:
            f.errors["speed_dial"] = _("Another contact has this speed dial.")
    return {
        "name": name,
        "number": number[:40],
        "speed_dial": speed,
        "callerid": f.digits("callerid", 10, 15),
        "note": f.text("note", 200),
        "group": f.text("group", 40),
    }


def _clean_recording(f: Form) -> dict:
    name = f.text("name", 80, required=True)
    f.name_unique(CallRecording, name)
    return {"name": name}


CLEANERS: dict[str, Callable[[Form], dict]] = {
    "tc": _clean_tc,
    "ivr": _clean_ivr,
    "grp": _clean_grp,
    "hunt": _clean_hunt,
    "queue": _clean_queue,
    "conf": _clean_conf,
    "cb": _clean_cb,
    "disa": _clean_disa,
    "filter": _clean_filter,
    "moh": _clean_moh,
    "phonebook": _clean_phonebook,
    "recording": _clean_recording,
}
# Where a loop through this kind is reported.
LOOP_FIELD = {"tc": "match", "ivr": "timeout_dest", "queue": "failover", "grp": "members"}


# --- the candidate flow and its loop check -------------------------------------------------------------------


def _with(graph: rt.Graph, kind: str, ref: str, values: dict, client: Client, session: Session) -> rt.Graph:
    """The client's graph with one object replaced by (or added as) its new values."""
    row = MODELS[kind](reseller_id=client.reseller_id, client_id=client.id, **values)
    row.id = int(ref)
    one = gr.load_one(session, kind, row)
    table = gr.TABLES.get(kind)
    if table is None or one is None:
        return graph
    return dataclasses.replace(graph, **{table: {**getattr(graph, table), ref: one}})


def _check_loops(f: Form, kind: str, values: dict) -> None:
    if kind not in LOOP_FIELD or f.errors:
        return
    ref = str(f.current.id) if f.current is not None else "0"
    candidate = _with(f.graph, kind, ref, values, f.client, f.session)
    loop = rt.silent_loop(candidate, [rt.Dest(kind, ref)])
    if loop:
        path = " → ".join(candidate.label(d) for d in loop)
        f.errors[LOOP_FIELD[kind]] = _("This makes a loop no key press ends: {path}.").format(path=path)


# --- the carrier's spec of an object --------------------------------------------------------------------------


def _target(session: Session, client: Client, text: str) -> cf.Target:
    return gr.target_of(session, client, gr.dest_of(text))


def _member_specs(session: Session, client: Client, members: list) -> tuple[cf.MemberSpec, ...]:
    return tuple(
        cf.MemberSpec(_target(session, client, m["dest"]), int(m.get("ring_time", 25)), bool(m.get("press", False)))
        for m in members
    )


def _agent(session: Session, client: Client, member: dict) -> cf.QueueMemberSpec:
    target = _target(session, client, member["dest"])
    return cf.QueueMemberSpec(target.ref, target, int(member.get("priority", 0)))


def spec_of(session: Session, client: Client, kind: str, v: dict, *, data: bytes | None = None) -> cf.FlowSpec:
    """What the carrier is sent for an object with these values (destinations in the carrier's own names)."""
    if kind == "tc":
        rules = []
        for r in v["rules"]:
            sh, sm = gr.rule_hours(r["start"])
            eh, em = gr.rule_hours(r["end"])
            rules.append(cf.TimeRuleSpec(r["from"], r["to"], sh, sm, eh, em))
        return cf.TimeConditionSpec(
            name=v["name"],
            rules=tuple(rules),
            match=_target(session, client, v["match_dest"]),
            nomatch=_target(session, client, v["nomatch_dest"]),
            holidays=tuple(v["holidays"]),
        )
    if kind == "ivr":
        return cf.IvrSpec(
            name=v["name"],
            recording=gr.recording_ref(session, client, v["recording_id"]),
            timeout=v["timeout"],
            language=v["language"],
            choices=tuple((k, _target(session, client, d)) for k, d in v["choices"].items()),
            timeout_target=_target(session, client, v["timeout_dest"]),
            invalid_target=_target(session, client, v["invalid_dest"]),
        )
    if kind == "grp":
        mailbox = "0"
        if v["voicemail_id"]:
            mailbox = gr.target_of(session, client, rt.Dest("vm", str(v["voicemail_id"]))).ref
        return cf.RingGroupSpec(
            name=v["name"],
            members=_member_specs(session, client, v["members"]),
            voicemail=mailbox,
            music_on_hold=gr.moh_ref(session, client, v["music_on_hold_id"]),
            language=v["language"],
        )
    if kind == "hunt":
        return cf.CallHuntingSpec(
            description=v["name"],
            members=_member_specs(session, client, v["members"]),
            order=v["order"],
            music=gr.moh_ref(session, client, v["music_on_hold_id"]) or "default",
            recording=gr.recording_ref(session, client, v["recording_id"]),
            language=v["language"],
        )
    if kind == "queue":
        return cf.QueueSpec(
            name=v["name"],
            number=v["number"],
            language=v["language"],
            strategy=v["strategy"],
            music_on_hold=gr.moh_ref(session, client, v["music_on_hold_id"]),
            max_wait=v["max_wait"],
            join_when_empty=v["join_when_empty"],
            leave_when_empty=v["leave_when_empty"],
            failover=_target(session, client, v["failover_dest"]),
            members=tuple(_agent(session, client, m) for m in v["members"]),
        )
    if kind == "conf":
        return cf.ConferenceSpec(
            name=v["name"], description=v["description"], max_members=v["max_members"], pin=v["pin"]
        )
    if kind == "cb":
        return cf.CallbackSpec(
            description=v["name"],
            number=v["number"],
            delay_before=v["delay_before"],
            response_timeout=v["response_timeout"],
            digit_timeout=v["digit_timeout"],
            callerid_number=v["callerid_number"],
        )
    if kind == "disa":
        return cf.DisaSpec(
            name=v["name"],
            pin=v["pin"],
            digit_timeout=v["digit_timeout"],
            callerid_override=v["callerid_override"],
            language=v["language"],
        )
    if kind == "filter":
        did = "all"
        if v["did_id"]:
            row = session.get(Did, v["did_id"])
            did = row.number if row is not None else "all"
        return cf.CallerIdFilterSpec(
            name=v["name"],
            mode=v["mode"],
            entries=tuple(v["entries"]),
            did=did,
            target=_target(session, client, v["dest"]),
        )
    if kind == "moh":
        return cf.MusicOnHoldSpec(
            name=v["slug"],
            description=v["name"],
            recordings=tuple(gr.recording_ref(session, client, r) for r in v["recordings"]),
            quiet=v["quiet"],
            sort=v["sort"],
        )
    if kind == "phonebook":
        return cf.PhonebookSpec(
            name=v["name"],
            number=v["number"],
            speed_dial=v["speed_dial"],
            callerid=v["callerid"],
            note=v["note"],
            group=v["group"],
        )
    if kind == "recording":
        return cf.RecordingSpec(name=v["name"], data=data)
    raise NotFound(_("No such kind of object."))


def _values_of(row: Any, kind: str) -> dict:  # noqa: ANN401 - a row of MODELS[kind]
    out = {k: getattr(row, k) for k in CLEANERS_KEYS[kind]}
    if kind == "moh":
        out["slug"] = row.carrier_ref
    return out


CLEANERS_KEYS = {
    "tc": ("name", "rules", "holidays", "match_dest", "nomatch_dest"),
    "ivr": ("name", "recording_id", "timeout", "language", "choices", "timeout_dest", "invalid_dest"),
    "grp": ("name", "members", "voicemail_id", "music_on_hold_id", "language"),
    "hunt": ("name", "members", "order", "music_on_hold_id", "recording_id", "language"),
    "queue": (
        "name",
        "number",
        "strategy",
        "music_on_hold_id",
        "max_wait",
        "join_when_empty",
        "leave_when_empty",
        "failover_dest",
        "members",
        "language",
    ),
    "conf": ("name", "description", "pin", "max_members"),
    "cb": ("name", "number", "delay_before", "response_timeout", "digit_timeout", "callerid_number"),
    "disa": ("name", "pin", "digit_timeout", "callerid_override", "language"),
    "filter": ("name", "mode", "entries", "did_id", "dest"),
    "moh": ("name", "recordings", "sort", "quiet"),
    "phonebook": ("name", "number", "speed_dial", "callerid", "note", "group"),
    "recording": ("name",),
}


# --- the use cases --------------------------------------------------------------------------------------------


def _reseller(session: Session, client: Client) -> Reseller:
    reseller = session.get(Reseller, client.reseller_id)
    if reseller is None:
        raise NotFound()
    return reseller


def _prepare(actor: Actor, kind: str, form: Mapping[str, object], object_id: object | None) -> tuple:
    """Check a submitted form completely: (values, the carrier spec, the old spec, the carrier ref, the reseller)."""
    with session_scope() as session:
        client = _client(session, actor)
        view = require_kind(session, client, kind)
        current = _own(session, MODELS[kind], object_id, client, TITLES[kind].lower()) if object_id else None
        f = Form(session, client, view, gr.load_graph(session, client), form, current)
        values = CLEANERS[kind](f)
        _check_loops(f, kind, values)
        if f.errors:
            raise ValidationFailed(f.errors)
        if kind == "moh":
            values["slug"] = current.carrier_ref if current is not None and current.carrier_ref else _slug(client)
        old_spec = spec_of(session, client, kind, _values_of(current, kind)) if current is not None else None
        spec = spec_of(session, client, kind, values)
        return (
            values,
            spec,
            old_spec,
            (current.carrier_ref if current is not None else None),
            _reseller(session, client),
        )


def _slug(client: Client) -> str:
    return f"c{client.id}_{secrets.token_hex(4)}"


# Carrier refusals that belong beside one field of the form (the others go above the buttons).
_CARRIER_FIELDS = {"missing_recording": "recording_id", "unsupported_routing": "form"}


def _carrier_failed(e: CarrierError) -> ValidationFailed:
    field = _CARRIER_FIELDS.get(e.code, "form")
    message = _("The carrier refused this change: {error} ({code}). Nothing was saved.")
    return ValidationFailed({field: message.format(error=e, code=e.code)})


def save(actor: Actor, kind: str, form: Mapping[str, object], object_id: object | None = None) -> int:
    """Create (no id) or change one of the client's objects of this kind; returns its id."""
    if kind == "recording":
        raise NotFound(_("Upload a recording with its file."))
    values, spec, old_spec, ref, reseller = _prepare(actor, kind, form, object_id)
    carrier = get_carrier(reseller)
    try:
        new_ref = carrier.save_flow(reseller.id, spec, ref or None)  # outside any transaction
    except CarrierError as e:
        raise _carrier_failed(e) from None
    try:
        return _store(actor, kind, values, object_id, new_ref)
    except BaseException:
        _undo(carrier, reseller.id, kind, new_ref, old_spec, ref)
        raise


def _undo(
    carrier: Carrier, reseller_id: int, kind: str, new_ref: str, old_spec: cf.FlowSpec | None, ref: str | None
) -> None:
    """Put the carrier back after a failed store: delete what was created, or send the old version again."""
    try:
        if old_spec is None or not ref:
            carrier.delete_flow(reseller_id, kind, new_ref)
        else:
            carrier.save_flow(reseller_id, old_spec, ref)
    except CarrierError as e:
        log.warning("could not put back %s %s at the carrier: %s", kind, new_ref, e)


def _store(actor: Actor, kind: str, values: dict, object_id: object | None, ref: str) -> int:
    with session_scope() as session:
        client = _client(session, actor)
        require_kind(session, client, kind)
        model = MODELS[kind]
        row = _own(session, model, object_id, client, TITLES[kind].lower()) if object_id else None
        if row is None:
            row = model(reseller_id=client.reseller_id, client_id=client.id)
            session.add(row)
        for key in CLEANERS_KEYS[kind]:
            setattr(row, key, values[key])
        row.carrier_ref = ref
        session.flush()
        # Checked again in this transaction: an object it names may have gone meanwhile.
        graph = gr.load_graph(session, client)
        if kind in LOOP_FIELD:
            loop = rt.silent_loop(graph, [rt.Dest(kind, str(row.id))])
            if loop:
                raise ValidationFailed({LOOP_FIELD[kind]: _("This makes a loop no key press ends.")})
        for dest in _dests_of(kind, values):
            if not graph.exists(dest):
                raise ValidationFailed({"form": _("Something it sends calls to was just deleted: try again.")})
        audit.record(session, actor, f"save_{kind}", kind, row.id, name=values.get("name", ""))
        return int(row.id)


def _dests_of(kind: str, v: dict) -> list[rt.Dest]:
    texts: list[str] = []
    if kind == "tc":
        texts = [v["match_dest"], v["nomatch_dest"]]
    elif kind == "ivr":
        texts = [*v["choices"].values(), v["timeout_dest"], v["invalid_dest"]]
    elif kind in ("grp", "hunt", "queue"):
        texts = [m["dest"] for m in v["members"]] + ([v["failover_dest"]] if kind == "queue" else [])
    elif kind == "filter":
        texts = [v["dest"]]
    return [gr.dest_of(t) for t in texts if t]


def save_recording(
    actor: Actor, name: str, data: bytes | None, upload_dir: Path, recording_id: object | None = None
) -> int:
    """Upload a recording (WAV or MP3, checked by its bytes), or rename one (no data); returns its id."""
    errors: dict[str, str] = {}
    kind_of_audio = None
    if data is not None:
        kind_of_audio, message = audio.check_audio(data)
        if kind_of_audio is None:
            errors["file"] = message
    elif recording_id is None:
        errors["file"] = _("Choose a WAV or MP3 file.")
    with session_scope() as session:
        client = _client(session, actor)
        view = require_kind(session, client, "recording")
        current = _own(session, CallRecording, recording_id, client, "recording") if recording_id else None
        f = Form(session, client, view, rt.Graph(), {"name": name}, current)
        values = _clean_recording(f)
        errors = {**f.errors, **errors}
        if errors:
            raise ValidationFailed(errors)
        ref = current.carrier_ref if current is not None else None
        old_name = current.name if current is not None else ""
        reseller = _reseller(session, client)
    carrier = get_carrier(reseller)
    url = audio.write_audio(data, kind_of_audio, upload_dir) if data is not None and kind_of_audio else ""
    try:
        new_ref = carrier.save_flow(reseller.id, cf.RecordingSpec(values["name"], data), ref or None)
    except CarrierError as e:
        audio.remove_audio(url, upload_dir)
        raise _carrier_failed(e) from None
    try:
        with session_scope() as session:
            client = _client(session, actor)
            require_kind(session, client, "recording")
            row = _own(session, CallRecording, recording_id, client, "recording") if recording_id else None
            old_file = row.file if row is not None else ""
            if row is None:
                row = CallRecording(reseller_id=client.reseller_id, client_id=client.id, file="")
                session.add(row)
            row.name = values["name"]
            row.carrier_ref = new_ref
            if url:
                row.file = url
                row.audio_format = kind_of_audio or "wav"
                row.size_bytes = len(data or b"")
            session.flush()
            audit.record(session, actor, "save_recording", "recording", row.id, name=row.name)
            rid = int(row.id)
    except BaseException:
        audio.remove_audio(url, upload_dir)
        old = cf.RecordingSpec(old_name, audio.read_audio(old_file, upload_dir)) if ref else None
        _undo(carrier, reseller.id, "recording", new_ref, old, ref)
        raise
    if url and old_file and old_file != url:
        audio.remove_audio(old_file, upload_dir)
    return rid


# --- deleting, and what uses what --------------------------------------------------------------------------------


def used_by(session: Session, client: Client, kind: str, row_id: int) -> list[str]:
    """What still sends calls to (or plays) this object: names the page can show."""
    graph = gr.load_graph(session, client)
    # A number connected with a sub-account, forwarding or voicemail (never routed here) lets go of them itself.
    routes = gr.number_routes(session, client, routed_only=True)
    found: list[str] = []
    if kind in gr.DEST_MODELS or kind in ("account", "vm", "fwd", "fax"):
        found += rt.uses(graph, routes, rt.Dest(kind, str(row_id)))
    if kind == "vm":
        for g in session.exec(select(RingGroup).where(RingGroup.voicemail_id == row_id)).all():
            if g.client_id == client.id:
                found.append(_("Ring group {name} (voicemail)").format(name=g.name))
    if kind == "recording":
        for model, what in ((IvrMenu, "ivr"), (CallHunting, "hunt")):
            for r in session.exec(select(model).where(model.client_id == client.id, model.recording_id == row_id)):
                found.append(_("{kind} {name} (greeting)").format(kind=_(rt.KIND_LABELS[what]), name=r.name))
        for m in session.exec(select(MusicOnHold).where(MusicOnHold.client_id == client.id)).all():
            if row_id in (m.recordings or []):
                found.append(_("Music on hold {name}").format(name=m.name))
    if kind == "moh":
        for model, what in ((RingGroup, "grp"), (CallHunting, "hunt"), (CallQueue, "queue")):
            for r in session.exec(select(model).where(model.client_id == client.id, model.music_on_hold_id == row_id)):
                found.append(_("{kind} {name} (music on hold)").format(kind=_(rt.KIND_LABELS[what]), name=r.name))
    return list(dict.fromkeys(found))


def refuse_endpoint_if_used(session: Session, client_id: int, kind: str, row_id: int, field: str = "form") -> None:
    """For the pages that delete voicemail boxes and forwardings: refuse while the client's call flow uses one."""
    client = session.get(Client, client_id)
    if client is not None:
        refuse_if_used(session, client, kind, row_id, field)


def endpoint_in_use(session: Session, client_id: int, kind: str, row_id: int) -> bool:
    """Whether the client's call flow sends calls to this voicemail box, forwarding or fax number."""
    client = session.get(Client, client_id)
    return client is not None and bool(used_by(session, client, kind, row_id))


def refuse_if_used(session: Session, client: Client, kind: str, row_id: int, field: str = "form") -> None:
    """ValidationFailed naming what uses the object, when anything does."""
    users = used_by(session, client, kind, row_id)
    if users:
        shown = ", ".join(users[:6])
        if len(users) > 6:
            shown = _("{names} and {n} more").format(names=shown, n=len(users) - 6)
        raise ValidationFailed({field: _("Still in use by {names}. Change those first.").format(names=shown)})


def delete(actor: Actor, kind: str, object_id: object, upload_dir: Path | None = None) -> None:
    """Delete one of the client's objects; refused (naming them) while anything sends calls to it or plays it."""
    with session_scope() as session:
        client = _client(session, actor)
        require_kind(session, client, kind)
        row = _own(session, MODELS[kind], object_id, client, TITLES[kind].lower())
        refuse_if_used(session, client, kind, row.id)
        ref, row_id = row.carrier_ref, int(row.id)
        old_spec = spec_of(session, client, kind, _values_of(row, kind)) if kind != "recording" else None
        file = row.file if kind == "recording" else ""
        reseller = _reseller(session, client)
    carrier = get_carrier(reseller)
    if ref:
        try:
            carrier.delete_flow(reseller.id, kind, ref)
        except CarrierError as e:
            raise ValidationFailed(
                {"form": _("The carrier refused to delete it ({code}).").format(code=e.code)}
            ) from None
    try:
        with session_scope() as session:
            client = _client(session, actor)
            row = _own(session, MODELS[kind], row_id, client, TITLES[kind].lower())
            refuse_if_used(session, client, kind, row.id)
            session.delete(row)
            audit.record(session, actor, f"delete_{kind}", kind, row_id)
    except (ServiceError, Exception):
        if ref and old_spec is not None:
            try:
                again = carrier.save_flow(reseller.id, old_spec, None)
                with session_scope() as session:
                    row = session.get(MODELS[kind], row_id)
                    if row is not None:
                        row.carrier_ref = again
            except (CarrierError, ServiceError) as e:
                log.warning("could not recreate %s %s at the carrier: %s", kind, row_id, e)
        raise
    if file and upload_dir is not None:
        audio.remove_audio(file, upload_dir)


# Deleting a client's whole phone system: objects that use others go first.
FORGET_ORDER = ("filter", "tc", "ivr", "queue", "hunt", "grp", "conf", "cb", "disa", "phonebook", "moh", "recording")


def forget_client(session: Session, client_id: int) -> list[tuple[str, str]]:
    """Delete every call-flow object of a client being deleted (in the caller's transaction).

    Returns the (kind, carrier reference) pairs to delete at the carrier once the transaction has committed.
    """
    refs: list[tuple[str, str]] = []
    for kind in FORGET_ORDER:
        model = MODELS[kind]
        for row in session.exec(select(model).where(model.client_id == client_id)).all():
            if row.carrier_ref:
                refs.append((kind, row.carrier_ref))
            session.delete(row)
        session.flush()
    return refs


def release_at_carrier(reseller_id: int, refs: list[tuple[str, str]]) -> None:
    """Delete a deleted client's objects at the carrier; a refusal is logged (the portal no longer uses them)."""
    if not refs:
        return
    with session_scope() as session:
        reseller = session.get(Reseller, reseller_id)
    if reseller is None:
        return
    carrier = get_carrier(reseller)
    for kind, ref in refs:
        try:
            carrier.delete_flow(reseller_id, kind, ref)
        except CarrierError as e:
            log.warning("could not delete %s %s of a deleted client at the carrier: %s", kind, ref, e)


# --- reading for the page --------------------------------------------------------------------------------------


def _dest_label(graph: rt.Graph, text: str) -> str:
    dest = gr.dest_of(text)
    return graph.label(dest) if dest.is_set else "—"


def overview(actor: Actor) -> dict:
    """The building blocks the client may manage, each kind's rows for its list, and the pick lists of the forms."""
    with session_scope() as session:
        client = _client(session, actor)
        view = view_for(session, client)
        kinds = kinds_shown(view)
        if not kinds:
            raise Forbidden(_("This page is not available."))
        graph = gr.load_graph(session, client)
        out: dict[str, Any] = {"kinds": kinds, "titles": {k: _(TITLES[k]) for k in kinds}, "rows": {}}
        for kind in kinds:
            model = MODELS[kind]
            rows = session.exec(select(model).where(model.client_id == client.id).order_by(model.id)).all()
            out["rows"][kind] = [_row(kind, r, graph) for r in rows]
        out["choices"] = pick_lists(session, client, view, graph)
        return out


def _row(kind: str, r: Any, graph: rt.Graph) -> dict[str, str]:  # noqa: ANN401 - a row of MODELS[kind]
    row = {"id": str(r.id), "name": r.name, "detail": ""}
    if kind == "tc":
        rules = "; ".join(rt.rule_text(x) for x in gr.time_rules(r.rules))
        row["detail"] = _("{rules} · open → {open} · closed → {closed}").format(
            rules=rules, open=_dest_label(graph, r.match_dest), closed=_dest_label(graph, r.nomatch_dest)
        )
    elif kind == "ivr":
        row["detail"] = ", ".join(f"{k} → {_dest_label(graph, d)}" for k, d in (r.choices or {}).items())
    elif kind in ("grp", "hunt", "queue"):
        row["detail"] = ", ".join(_dest_label(graph, m.get("dest", "")) for m in r.members or [])
    elif kind == "conf":
        size = _("up to {n}").format(n=r.max_members) if r.max_members else _("no limit")
        row["detail"] = _("PIN set · {size}").format(size=size) if r.pin else size
    elif kind == "cb":
        row["detail"] = _("calls back {number}").format(number=r.number)
    elif kind == "disa":
        row["detail"] = _("PIN set")
    elif kind == "filter":
        verb = _("blocks {callers}") if r.mode == "block" else _("allows only {callers}")
        row["detail"] = f"{verb.format(callers=', '.join((r.entries or [])[:5]))} → {_dest_label(graph, r.dest)}"
    elif kind == "moh":
        count = len(r.recordings or [])
        played = _("random") if r.sort == "random" else _("in order")
        row["detail"] = ngettext("{n} recording, {played}", "{n} recordings, {played}", count).format(
            n=count, played=played
        )
    elif kind == "recording":
        row["detail"] = f"{r.audio_format.upper()}, {max(1, r.size_bytes // 1024)} KB"
        row["file"] = r.file
    elif kind == "phonebook":
        row["detail"] = r.number + (" · " + _("speed dial {n}").format(n=r.speed_dial) if r.speed_dial else "")
    return row


def pick_lists(session: Session, client: Client, view: PortalView, graph: rt.Graph) -> dict[str, list[dict[str, str]]]:
    """The options of the forms' lists: destinations (all, members, agents), boxes, recordings, music, numbers."""
    dests: list[dict[str, str]] = []
    members: list[dict[str, str]] = []
    agents: list[dict[str, str]] = []
    groups = (
        ("account", graph.accounts),
        ("tc", graph.conditions),
        ("ivr", graph.ivrs),
        ("grp", graph.groups),
        ("hunt", graph.hunts),
        ("queue", graph.queues),
        ("conf", graph.conferences),
        ("cb", graph.callbacks),
        ("disa", graph.disas),
        ("vm", graph.voicemails),
        ("fwd", graph.forwardings),
        ("fax", graph.faxes),
    )
    for kind, table in groups:
        if not dest_available(view, kind):
            continue
        for ref in table:
            dest = rt.Dest(kind, ref)
            option = {"value": str(dest), "label": graph.label(dest)}
            dests.append(option)
            if kind in MEMBER_KINDS:
                members.append(option)
            if kind in AGENT_KINDS:
                agents.append(option)
    dests += [{"value": f"sys:{k}", "label": _(v)} for k, v in rt.SYS_ACTIONS.items()]
    recordings = [
        {"value": str(r.id), "label": r.name}
        for r in session.exec(select(CallRecording).where(CallRecording.client_id == client.id)).all()
    ]
    mohs = [
        {"value": str(m.id), "label": m.name}
        for m in session.exec(select(MusicOnHold).where(MusicOnHold.client_id == client.id)).all()
    ]
    boxes = [
        {"value": ref, "label": _("Voicemail {name}").format(name=label)} for ref, label in graph.voicemails.items()
    ]
    numbers = [
        {"value": str(d.id), "label": gr.pretty(d.number)}
        for d in session.exec(
            select(Did).where(Did.client_id == client.id, Did.kind == "voice").order_by(Did.number)
        ).all()
    ]
    show = set(view.services) if view.services_page else set()
    return {
        "dests": dests,
        "members": members,
        "agents": agents,
        "recordings": recordings if "recordings" in show else [],
        "moh": mohs if "moh" in show else [],
        "voicemails": boxes if "voicemail" in show else [],
        "numbers": numbers,
    }


def form_values(actor: Actor, kind: str, object_id: object) -> dict[str, str]:
    """One object's values as the form's fields (strings), for editing it."""
    with session_scope() as session:
        client = _client(session, actor)
        require_kind(session, client, kind)
        r = _own(session, MODELS[kind], object_id, client, TITLES[kind].lower())
        out: dict[str, str] = {"name": r.name}
        plain = {
            "ivr": ("timeout", "language", "timeout_dest", "invalid_dest"),
            "grp": ("language",),
            "hunt": ("order", "language"),
            "queue": ("number", "strategy", "max_wait", "join_when_empty", "leave_when_empty", "language"),
            "conf": ("description", "pin", "max_members"),
            "cb": ("number", "delay_before", "response_timeout", "digit_timeout", "callerid_number"),
            "disa": ("pin", "digit_timeout", "callerid_override", "language"),
            "filter": ("mode", "dest"),
            "moh": ("sort",),
            "phonebook": ("number", "speed_dial", "callerid", "note", "group"),
        }.get(kind, ())
        for key in plain:
            out[key] = str(getattr(r, key) if getattr(r, key) is not None else "")
        for key in ("recording_id", "voicemail_id", "music_on_hold_id"):
            if hasattr(r, key):
                out[key] = str(getattr(r, key) or "")
        if kind == "tc":
            out["match"], out["nomatch"] = r.match_dest, r.nomatch_dest
            out["holidays"] = "\n".join(r.holidays or [])
            for i, rule in enumerate(r.rules or [], start=1):
                for p in ("from", "to", "start", "end"):
                    out[f"rule_{i}_{p}"] = str(rule.get(p, ""))
        if kind == "ivr":
            for k, d in (r.choices or {}).items():
                out[KEY_FIELD.get(k, "")] = d
        if kind in ("grp", "hunt"):
            for i, m in enumerate(r.members or [], start=1):
                out[f"member_{i}"], out[f"ring_{i}"] = str(m.get("dest", "")), str(m.get("ring_time", 25))
        if kind == "queue":
            out["failover"] = r.failover_dest
            for i, m in enumerate(r.members or [], start=1):
                out[f"agent_{i}"], out[f"priority_{i}"] = str(m.get("dest", "")), str(m.get("priority", 0))
        if kind == "filter":
            out["entries"] = "\n".join(r.entries or [])
            out["did_id"] = str(r.did_id or "")
        if kind == "moh":
            out["quiet"] = "1" if r.quiet else ""
            for rid in r.recordings or []:
                out[f"rec_{rid}"] = "1"
        return {k: v for k, v in out.items() if k}
