"""Where a call goes: the client's call flow as plain data, and the one walk every caller of it shares.

Pure code (no database, no Reflex): the services build a `Graph` of one client's objects and a `NumberRoute` per
phone number from the tables; the "what happens if" simulator, the call-flow diagram, the loop check on save and the
sandbox's invented inbound calls all read them through the functions here, so they can never disagree.

A destination is `kind:ref` (`ivr:12`, `account:7`, `sys:hangup`, `none:`): the kinds follow VoIP.ms's routing
headers (`account`, `fwd`, `vm`, `grp`, `ivr`, `queue`, `cb`, `tc`, `disa`, `sys`, `none`) plus the portal's `hunt`
(call hunting), `conf` (conference) and `fax`; the refs are the portal's row ids (the carrier layer translates them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from reseller_app.i18n import N_, _, ngettext

DEST_KINDS = ("account", "ivr", "grp", "hunt", "tc", "queue", "conf", "cb", "disa", "vm", "fwd", "fax", "sys", "none")
# What a destination kind is called on the page (the object kinds also name the service that manages them).
# The labels here are English message ids: every text shown goes through `_()` when it is made (the client's
# language); what the sandbox's invented calls store runs in English.
KIND_LABELS = {
    "account": N_("Sub-account"),
    "ivr": N_("IVR"),
    "grp": N_("Ring group"),
    "hunt": N_("Call hunting"),
    "tc": N_("Time condition"),
    "queue": N_("Queue"),
    "conf": N_("Conference"),
    "cb": N_("Callback"),
    "disa": N_("DISA"),
    "vm": N_("Voicemail"),
    "fwd": N_("Forwarding"),
    "fax": N_("Fax"),
    "sys": N_("System"),
    "none": N_("Nothing"),
}
SYS_ACTIONS = {"hangup": N_("Hang up"), "busy": N_("Busy tone"), "noservice": N_("Number not in service")}
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# The days as a rule and the time-condition form show them.
DAY_NAMES = {
    "mon": N_("Mon"),
    "tue": N_("Tue"),
    "wed": N_("Wed"),
    "thu": N_("Thu"),
    "fri": N_("Fri"),
    "sat": N_("Sat"),
    "sun": N_("Sun"),
}
# The ways out of an object (Edge.label, English ids) and of a number, as the diagram and "used by" show them.
EDGE_WORDS = frozenset(
    {
        N_("wrong key"),
        N_("no key"),
        N_("open"),
        N_("closed"),
        N_("rings"),
        N_("no answer"),
        N_("agent"),
        N_("max wait"),
        N_("calls"),
        N_("busy"),
        N_("unreachable"),
        N_("filter"),
        N_("diverted"),
        N_("member"),
    }
)
KEYS = frozenset("0123456789*#")
# What the numbers' and objects' callers can do at the phone (the simulator's and the sandbox's outcomes).
OUTCOMES = ("answer", "noanswer", "busy", "unreachable")
MAX_STEPS = 60
MAX_DIAGRAM_DEPTH = 12


@dataclass(frozen=True, order=True)
class Dest:
    """A destination: a kind and the id (or system action) it names."""

    kind: str
    ref: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref}"

    @property
    def is_set(self) -> bool:
        """Whether it names somewhere to go (`none:` does not)."""
        return self.kind != "none"


NOWHERE = Dest("none", "")


def parse_dest(text: str | None) -> Dest:
    """`kind:ref` as a Dest; "" (or `none:`) is NOWHERE. ValueError for anything else malformed."""
    raw = (text or "").strip()
    if raw in ("", "none", "none:"):
        return NOWHERE
    kind, sep, ref = raw.partition(":")
    if not sep or kind not in DEST_KINDS:
        raise ValueError(f"not a destination: {raw!r}")
    if kind == "sys":
        if ref not in SYS_ACTIONS:
            raise ValueError(f"not a system action: {ref!r}")
    elif kind == "none":
        if ref:
            raise ValueError("none: takes no value")
    elif not ref.isdigit() or len(ref) > 12:
        raise ValueError(f"not an id: {ref!r}")
    return Dest(kind, ref)


@dataclass(frozen=True)
class Member:
    """Someone a ring group, call hunting or queue rings: a sub-account or a forwarding, for `ring_time` seconds."""

    dest: Dest
    ring_time: int = 25
    name: str = ""


@dataclass(frozen=True)
class IvrMenu:
    """A voice menu: the caller presses a key; no key before `timeout` seconds, or a key with no choice, go on."""

    id: str
    name: str
    choices: Mapping[str, Dest]
    timeout_dest: Dest = NOWHERE
    invalid_dest: Dest = NOWHERE
    timeout: int = 5


@dataclass(frozen=True)
class RingGroup:
    """Members ring at once; when nobody answers, the group's voicemail (if any) takes the call."""

    id: str
    name: str
    members: tuple[Member, ...]
    voicemail: Dest = NOWHERE


@dataclass(frozen=True)
class CallHunt:
    """Members ring one after another (`follow`) or in a random order, each for its own ring time."""

    id: str
    name: str
    members: tuple[Member, ...]
    order: str = "follow"


@dataclass(frozen=True)
class TimeRule:
    """Open from `start` (inclusive) to `end` (exclusive) on each day `day_from` .. `day_to` (0 = Monday)."""

    day_from: int
    day_to: int
    start: time
    end: time

    def covers(self, when: datetime) -> bool:
        """Whether `when` (a wall-clock time in the client's zone) falls in this rule."""
        return self.day_from <= when.weekday() <= self.day_to and self.start <= when.time() < self.end


@dataclass(frozen=True)
class TimeCondition:
    """Open hours by weekday and time in the client's time zone; holidays are closed all day."""

    id: str
    name: str
    rules: tuple[TimeRule, ...]
    match: Dest
    nomatch: Dest
    holidays: frozenset[date] = frozenset()

    def is_open(self, when: datetime) -> bool:
        """Whether the condition matches at `when` (the client's local time)."""
        if when.date() in self.holidays:
            return False
        return any(rule.covers(when) for rule in self.rules)


@dataclass(frozen=True)
class CallQueue:
    """Callers wait (with music) for a free member; after `max_wait` seconds (0: no limit) the failover takes them."""

    id: str
    name: str
    members: tuple[Member, ...]
    failover: Dest = NOWHERE
    max_wait: int = 0


@dataclass(frozen=True)
class CallerFilter:
    """A block list (matching callers go to `dest`) or an allow list (callers that do not match go to `dest`).

    Entries are numbers (digits), prefixes (`1415*`) or `anonymous`; `did` limits it to one number ("" = all).
    """

    id: str
    name: str
    mode: str
    entries: tuple[str, ...]
    dest: Dest
    did: str = ""

    def applies_to(self, number: str) -> bool:
        """Whether the filter watches calls to this number."""
        return self.did in ("", number)

    def matches(self, caller: str) -> bool:
        """Whether a caller ID (digits, or "" for anonymous) is on the list."""
        return any(entry_matches(e, caller) for e in self.entries)

    def triggers(self, caller: str) -> bool:
        """Whether a call from `caller` is diverted: on a block list, or missing from an allow list."""
        return self.matches(caller) if self.mode == "block" else not self.matches(caller)


def entry_matches(entry: str, caller: str) -> bool:
    """One filter entry against a caller ID: `anonymous`, a prefix `1415*`, or the exact number."""
    digits = "".join(ch for ch in caller if ch.isdigit())
    if entry == "anonymous":
        return digits == ""
    if entry.endswith("*"):
        return digits != "" and digits.startswith(entry[:-1])
    return digits == entry


@dataclass(frozen=True)
class Named:
    """A destination that ends the walk (conference, callback, DISA), by its name and what it does."""

    id: str
    name: str
    detail: str = ""


@dataclass(frozen=True)
class Graph:
    """One client's call-flow objects, by kind and id; endpoints (sub-accounts, mailboxes, ...) by their label."""

    ivrs: Mapping[str, IvrMenu] = field(default_factory=dict)
    groups: Mapping[str, RingGroup] = field(default_factory=dict)
    hunts: Mapping[str, CallHunt] = field(default_factory=dict)
    conditions: Mapping[str, TimeCondition] = field(default_factory=dict)
    queues: Mapping[str, CallQueue] = field(default_factory=dict)
    conferences: Mapping[str, Named] = field(default_factory=dict)
    callbacks: Mapping[str, Named] = field(default_factory=dict)
    disas: Mapping[str, Named] = field(default_factory=dict)
    filters: tuple[CallerFilter, ...] = ()
    accounts: Mapping[str, str] = field(default_factory=dict)
    voicemails: Mapping[str, str] = field(default_factory=dict)
    forwardings: Mapping[str, str] = field(default_factory=dict)
    faxes: Mapping[str, str] = field(default_factory=dict)

    def _table(self, kind: str) -> Mapping[str, object] | None:
        tables: dict[str, Mapping[str, object]] = {
            "ivr": self.ivrs,
            "grp": self.groups,
            "hunt": self.hunts,
            "tc": self.conditions,
            "queue": self.queues,
            "conf": self.conferences,
            "cb": self.callbacks,
            "disa": self.disas,
            "account": self.accounts,
            "vm": self.voicemails,
            "fwd": self.forwardings,
            "fax": self.faxes,
        }
        return tables.get(kind)

    def exists(self, dest: Dest) -> bool:
        """Whether the destination names one of this client's objects (sys and none always exist)."""
        if dest.kind in ("sys", "none"):
            return True
        table = self._table(dest.kind)
        return table is not None and dest.ref in table

    def label(self, dest: Dest) -> str:
        """How a person reads the destination: "IVR Main", "Ring group Sales", "100001_alice", "Hang up"."""
        if dest.kind == "none":
            return _("Nothing")
        if dest.kind == "sys":
            return _(SYS_ACTIONS[dest.ref]) if dest.ref in SYS_ACTIONS else dest.ref
        table = self._table(dest.kind)
        obj = table.get(dest.ref) if table is not None else None
        if obj is None:
            return _("{kind} (deleted)").format(kind=_(KIND_LABELS.get(dest.kind, dest.kind)))
        if isinstance(obj, str):
            if dest.kind == "account":
                return obj
            endpoint = {"fwd": _("Forward to {name}"), "vm": _("Voicemail {name}"), "fax": _("Fax {name}")}
            return endpoint[dest.kind].format(name=obj)
        name = getattr(obj, "name", "")
        return f"{_(KIND_LABELS[dest.kind])} {name}"

    def edges(self, dest: Dest) -> list[Edge]:
        """Where a call at `dest` can go next, each with its label and whether the caller pressed a key for it."""
        out: list[Edge] = []
        if dest.kind == "ivr" and dest.ref in self.ivrs:
            menu = self.ivrs[dest.ref]
            for key in sorted(menu.choices, key=_key_order):
                out.append(Edge(key, menu.choices[key], True, f"choice_{key}"))
            if menu.invalid_dest.is_set:
                out.append(Edge("wrong key", menu.invalid_dest, True, "invalid_dest"))
            if menu.timeout_dest.is_set:
                out.append(Edge("no key", menu.timeout_dest, False, "timeout_dest"))
        elif dest.kind == "tc" and dest.ref in self.conditions:
            tc = self.conditions[dest.ref]
            out.append(Edge("open", tc.match, False, "match"))
            out.append(Edge("closed", tc.nomatch, False, "nomatch"))
        elif dest.kind == "grp" and dest.ref in self.groups:
            group = self.groups[dest.ref]
            out.extend(Edge("rings", m.dest, False, "members") for m in group.members)
            if group.voicemail.is_set:
                out.append(Edge("no answer", group.voicemail, False, "voicemail"))
        elif dest.kind == "hunt" and dest.ref in self.hunts:
            hunt = self.hunts[dest.ref]
            out.extend(Edge(f"{i}. rings", m.dest, False, "members") for i, m in enumerate(hunt.members, start=1))
        elif dest.kind == "queue" and dest.ref in self.queues:
            queue = self.queues[dest.ref]
            out.extend(Edge("agent", m.dest, False, "members") for m in queue.members)
            if queue.failover.is_set:
                out.append(Edge("max wait", queue.failover, False, "failover"))
        return out

    def describe(self, dest: Dest) -> str:
        """A line on what the object does, for the diagram (hours, ring order, PINs are never shown)."""
        if dest.kind == "tc" and dest.ref in self.conditions:
            tc = self.conditions[dest.ref]
            hours = "; ".join(rule_text(r) for r in tc.rules)
            n = len(tc.holidays)
            extra = "; " + ngettext("closed on {n} holiday", "closed on {n} holidays", n).format(n=n) if n else ""
            return hours + extra
        if dest.kind == "ivr" and dest.ref in self.ivrs:
            return _("waits {n}s for a key").format(n=self.ivrs[dest.ref].timeout)
        if dest.kind == "hunt" and dest.ref in self.hunts:
            return _("in order") if self.hunts[dest.ref].order == "follow" else _("in random order")
        if dest.kind == "queue" and dest.ref in self.queues:
            wait = self.queues[dest.ref].max_wait
            return _("waits up to {n}s").format(n=wait) if wait else _("waits without limit")
        if dest.kind == "grp" and dest.ref in self.groups:
            return _("rings everyone at once")
        for table, kind in ((self.conferences, "conf"), (self.callbacks, "cb"), (self.disas, "disa")):
            if dest.kind == kind and dest.ref in table:
                return table[dest.ref].detail
        return ""


@dataclass(frozen=True)
class Edge:
    """One way out of an object: its label, where it goes, whether a key press takes it, the field that holds it."""

    label: str
    dest: Dest
    pressed: bool
    field: str


def _key_order(key: str) -> tuple[int, str]:
    return (0 if key.isdigit() else 1, key)


def edge_text(label: str) -> str:
    """An edge's label as the page shows it (a key pressed stays as it is): "open", "2. rings", "2"."""
    number, dot, rest = label.partition(". ")
    if dot and number.isdigit() and rest == "rings":
        return _("{n}. rings").format(n=number)
    return _(label) if label in EDGE_WORDS else label


def rule_text(rule: TimeRule) -> str:
    """ "Mon–Fri 09:00–17:00"."""
    days = _(DAY_NAMES[DAYS[rule.day_from]])
    if rule.day_to != rule.day_from:
        days += "–" + _(DAY_NAMES[DAYS[rule.day_to]])
    return f"{days} {rule.start:%H:%M}–{rule.end:%H:%M}"


@dataclass(frozen=True)
class NumberRoute:
    """Where a phone number sends its calls, with the failovers VoIP.ms has for busy / no answer / unreachable."""

    number: str
    dest: Dest
    busy: Dest = NOWHERE
    noanswer: Dest = NOWHERE
    unreachable: Dest = NOWHERE
    label: str = ""

    def failover(self, outcome: str) -> Dest:
        """The number's failover for a ringing endpoint that did not answer (or was busy, or unreachable)."""
        return {"busy": self.busy, "unreachable": self.unreachable}.get(outcome, self.noanswer)


# --- the walk ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallResult:
    """Where a call went: its steps (for "IVR Main → 2 → Ring group Sales → 100001_alice"), how it ended."""

    steps: tuple[str, ...]
    ended: str  # answered | voicemail | conference | callback | disa | fax | busy | no answer | hung up | ...
    disposition: str  # ANSWERED | NO ANSWER | BUSY | FAILED, as the carrier records calls
    account: str | None = None  # the sub-account that answered
    rang: tuple[str, ...] = ()  # the endpoints that rang last

    @property
    def path(self) -> str:
        """The steps joined with arrows."""
        return " → ".join(self.steps)


Chooser = Callable[[Sequence[Member]], int]
_DISPOSITION = {"busy": "BUSY", "noanswer": "NO ANSWER", "unreachable": "FAILED"}
_ENDED = {"busy": N_("busy"), "noanswer": N_("no answer"), "unreachable": N_("unreachable")}
# How a call that reached an endpoint ends.
_ENDPOINT_ENDED = {
    "vm": N_("voicemail"),
    "conf": N_("conference"),
    "cb": N_("callback"),
    "disa": N_("disa"),
    "fax": N_("fax"),
}


def walk(
    graph: Graph,
    route: NumberRoute,
    when: datetime,
    keys: str = "",
    *,
    caller: str = "",
    outcome: str = "answer",
    choose: Chooser | None = None,
) -> CallResult:
    """Follow a call to `route` at `when` (the client's wall-clock time) with the caller pressing `keys`.

    `outcome` is what the phones that ring do (answer, noanswer, busy, unreachable); `choose` picks which member of a
    group answers (the first one when not given, which is also how call hunting in order behaves).
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}")
    pressed = [k for k in keys if k in KEYS]
    steps: list[str] = []
    dest = route.dest
    for flt in graph.filters:
        if flt.applies_to(route.number) and flt.triggers(caller):
            steps.append(_("Caller ID filter {name}").format(name=flt.name))
            dest = flt.dest
            break
    failed_over = False

    def fail(rang: tuple[str, ...]) -> CallResult | Dest:
        """The ringing phones did not answer: the number's failover once, else the call ends so."""
        nonlocal failed_over
        nxt = route.failover(outcome)
        if not failed_over and nxt.is_set:
            failed_over = True
            steps.append(_(_ENDED[outcome]))
            return nxt
        return CallResult(tuple(steps), _(_ENDED[outcome]), _DISPOSITION[outcome], rang=rang)

    for _step in range(MAX_STEPS):
        if not graph.exists(dest):
            steps.append(graph.label(dest))
            return CallResult(tuple(steps), _("destination missing"), "FAILED")
        label = graph.label(dest)
        kind = dest.kind
        if kind == "none":
            steps.append(_("No destination"))
            return CallResult(tuple(steps), _("no destination"), "FAILED")
        if kind == "sys":
            steps.append(label)
            return CallResult(tuple(steps), label.lower(), "BUSY" if dest.ref == "busy" else "FAILED")
        if kind == "tc":
            tc = graph.conditions[dest.ref]
            is_open = tc.is_open(when)
            steps.append(f"{label} ({_('open') if is_open else _('closed')})")
            dest = tc.match if is_open else tc.nomatch
            continue
        if kind == "ivr":
            menu = graph.ivrs[dest.ref]
            steps.append(label)
            if not pressed:
                steps.append(_("no key"))
                if not menu.timeout_dest.is_set:
                    return CallResult(tuple(steps), _("hung up"), "FAILED")
                dest = menu.timeout_dest
                continue
            key = pressed.pop(0)
            if key in menu.choices:
                steps.append(key)
                dest = menu.choices[key]
                continue
            steps.append(_("{key} (wrong key)").format(key=key))
            if not menu.invalid_dest.is_set:
                return CallResult(tuple(steps), _("hung up"), "FAILED")
            dest = menu.invalid_dest
            continue
        if kind in ("grp", "hunt", "queue"):
            steps.append(label)
            members, after = _members_and_after(graph, dest)
            rang = tuple(graph.label(m.dest) for m in members)
            if outcome == "answer" and members:
                idx = choose(members) if choose is not None else 0
                member = members[max(0, min(idx, len(members) - 1))]
                steps.append(graph.label(member.dest))
                account = graph.accounts.get(member.dest.ref) if member.dest.kind == "account" else None
                return CallResult(tuple(steps), _("answered"), "ANSWERED", account=account, rang=rang)
            if after.is_set:
                steps.append(_("max wait") if kind == "queue" else _("no answer"))
                dest = after
                continue
            nxt = fail(rang)
            if isinstance(nxt, CallResult):
                return nxt
            dest = nxt
            continue
        steps.append(label)
        if kind in ("account", "fwd"):
            if outcome == "answer":
                account = graph.accounts.get(dest.ref) if kind == "account" else None
                return CallResult(tuple(steps), _("answered"), "ANSWERED", account=account, rang=(label,))
            nxt = fail((label,))
            if isinstance(nxt, CallResult):
                return nxt
            dest = nxt
            continue
        return CallResult(tuple(steps), _(_ENDPOINT_ENDED[kind]), "ANSWERED")
    steps.append("…")
    return CallResult(tuple(steps), _("stopped (loop)"), "FAILED")


def _members_and_after(graph: Graph, dest: Dest) -> tuple[tuple[Member, ...], Dest]:
    if dest.kind == "grp":
        group = graph.groups[dest.ref]
        return group.members, group.voicemail
    if dest.kind == "hunt":
        return graph.hunts[dest.ref].members, NOWHERE
    queue = graph.queues[dest.ref]
    return queue.members, queue.failover


# --- loops, uses, diagram ----------------------------------------------------------------------------------


def silent_loop(graph: Graph, starts: Sequence[Dest] = ()) -> list[Dest] | None:
    """A loop a caller could go round forever without pressing a key, as [a, b, ..., a]; None when there is none.

    Only edges taken without a key press count (time conditions, timeouts, failovers): a loop through an IVR choice
    or wrong key is broken by the caller and allowed.
    """
    nodes: list[Dest] = list(starts) + [
        Dest(kind, ref)
        for kind, table in (
            ("ivr", graph.ivrs),
            ("tc", graph.conditions),
            ("grp", graph.groups),
            ("queue", graph.queues),
        )
        for ref in table
    ]
    state: dict[Dest, int] = {}  # 1 = on the current path, 2 = done
    path: list[Dest] = []

    def visit(node: Dest) -> list[Dest] | None:
        state[node] = 1
        path.append(node)
        for edge in graph.edges(node):
            if edge.pressed:
                continue
            nxt = edge.dest
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in nodes:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def uses(graph: Graph, routes: Sequence[NumberRoute], target: Dest) -> list[str]:
    """What sends calls to `target`: "IVR Main (option 2)", "Number +1 514-555-0123 (no answer)", ..."""
    found: list[str] = []
    for route in routes:
        for what, dest in (
            ("calls", route.dest),
            ("busy", route.busy),
            ("no answer", route.noanswer),
            ("unreachable", route.unreachable),
        ):
            if dest == target:
                found.append(_("Number {number} ({what})").format(number=route.label or route.number, what=_(what)))
    for kind, table in (("ivr", graph.ivrs), ("tc", graph.conditions), ("grp", graph.groups), ("hunt", graph.hunts)):
        for ref in table:
            source = Dest(kind, ref)
            for edge in graph.edges(source):
                if edge.dest == target:
                    found.append(f"{graph.label(source)} ({_edge_name(edge)})")
    for ref in graph.queues:
        source = Dest("queue", ref)
        for edge in graph.edges(source):
            if edge.dest == target:
                found.append(f"{graph.label(source)} ({_edge_name(edge)})")
    for flt in graph.filters:
        if flt.dest == target:
            found.append(_("Caller ID filter {name}").format(name=flt.name))
    return list(dict.fromkeys(found))


def _edge_name(edge: Edge) -> str:
    if edge.field.startswith("choice_"):
        return _("option {key}").format(key=edge.label)
    return edge_text({"rings": "member", "agent": "member"}.get(edge.label, edge.label.removeprefix("1. ")))


@dataclass(frozen=True)
class DiagramRow:
    """One box of the call-flow diagram: how deep it sits, the edge that leads to it, what it is."""

    depth: int
    edge: str
    label: str
    kind: str
    note: str = ""


def diagram(graph: Graph, route: NumberRoute) -> list[DiagramRow]:
    """The call flow of one number as rows of a tree: number → filters → destination → ... with the failovers."""
    rows = [DiagramRow(0, "", _("Number {number}").format(number=route.label or route.number), "number")]
    expanded: set[Dest] = set()

    def expand(dest: Dest, depth: int, edge_label: str, stack: tuple[Dest, ...]) -> None:
        label, edge = graph.label(dest), edge_text(edge_label)
        if dest in stack:
            note = _("back to the menu above (the caller pressed a key)")
            rows.append(DiagramRow(depth, edge, label, dest.kind, note))
            return
        if dest in expanded and graph.edges(dest):
            rows.append(DiagramRow(depth, edge, label, dest.kind, _("as shown above")))
            return
        note = graph.describe(dest) if graph.exists(dest) else _("this destination was deleted")
        rows.append(DiagramRow(depth, edge, label, dest.kind, note))
        if depth >= MAX_DIAGRAM_DEPTH:
            return
        expanded.add(dest)
        for out in graph.edges(dest):
            expand(out.dest, depth + 1, out.label, (*stack, dest))

    for flt in graph.filters:
        if flt.applies_to(route.number):
            verb = _("blocks {callers}") if flt.mode == "block" else _("allows only {callers}")
            shown = ", ".join(flt.entries[:4]) + (" …" if len(flt.entries) > 4 else "")
            name = _("Caller ID filter {name}").format(name=flt.name)
            rows.append(DiagramRow(1, edge_text("filter"), name, "filter", verb.format(callers=shown)))
            expand(flt.dest, 2, "diverted", ())
    expand(route.dest, 1, "calls", ())
    for edge, dest in (("busy", route.busy), ("no answer", route.noanswer), ("unreachable", route.unreachable)):
        if dest.is_set:
            expand(dest, 1, edge, ())
    return rows


# --- time rules ---------------------------------------------------------------------------------------------


def parse_hhmm(text: str) -> time:
    """ "09:00" as a time; "24:00" is the end of the day. ValueError for anything else."""
    raw = (text or "").strip()
    hh, sep, mm = raw.partition(":")
    if not sep or not hh.isdigit() or not mm.isdigit() or len(mm) != 2 or len(hh) > 2:
        raise ValueError(f"not a time: {raw!r}")
    hour, minute = int(hh), int(mm)
    if (hour, minute) == (24, 0):
        return time(23, 59, 59, 999999)
    return time(hour, minute)


def overlapping(rules: Sequence[TimeRule]) -> tuple[int, int] | None:
    """The first two rules (by index) that share a day and a moment, or None."""
    for i, a in enumerate(rules):
        for j in range(i + 1, len(rules)):
            b = rules[j]
            days = a.day_from <= b.day_to and b.day_from <= a.day_to
            if days and a.start < b.end and b.start < a.end:
                return i, j
    return None
