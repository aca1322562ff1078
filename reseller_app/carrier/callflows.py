"""Call-flow objects and number routing as the carrier receives them (the `Carrier` interface's part for them).

The services translate the portal's rows into these specs: every destination becomes a `Target` naming the
carrier's own reference (a sub-account's name, a mailbox number, the id the carrier gave an IVR, ...), so a spec
holds nothing the carrier does not know.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

# VoIP.ms's routing headers, and the portal's own kinds that the sandbox also switches (hunt, conf, fax).
TARGET_KINDS = (
    "account",
    "fwd",
    "vm",
    "grp",
    "ivr",
    "queue",
    "cb",
    "tc",
    "disa",
    "sys",
    "none",
    "hunt",
    "conf",
    "fax",
)
FLOW_KINDS = (
    "recording",
    "moh",
    "ivr",
    "grp",
    "hunt",
    "tc",
    "queue",
    "conf",
    "cb",
    "disa",
    "filter",
    "phonebook",
)


@dataclass(frozen=True)
class Target:
    """A destination in the carrier's terms: `header:value` (`account:100001_alice`, `ivr:4636`, `none:`)."""

    kind: str
    ref: str = ""

    def wire(self) -> str:
        """The routing string VoIP.ms reads."""
        return f"{self.kind}:{self.ref}"


NO_TARGET = Target("none", "")


@dataclass(frozen=True)
class FlowSpec:
    """Base of every call-flow object spec; `kind` names it in FLOW_KINDS."""

    kind: ClassVar[str] = ""

    def targets(self) -> tuple[Target, ...]:
        """Every destination the object sends calls to (the sandbox checks they exist)."""
        return ()

    def needs(self) -> tuple[tuple[str, str], ...]:
        """Other carrier objects it uses by reference (recordings, music on hold): (kind, ref) pairs."""
        return ()


@dataclass(frozen=True)
class RecordingSpec(FlowSpec):
    """An audio file (WAV or MP3 bytes); `data` None keeps the carrier's file and changes only the name."""

    kind: ClassVar[str] = "recording"
    name: str = ""
    data: bytes | None = None


@dataclass(frozen=True)
class MusicOnHoldSpec(FlowSpec):
    """A music-on-hold class: its carrier name (a slug), description, recordings, quiet volume and order."""

    kind: ClassVar[str] = "moh"
    name: str = ""
    description: str = ""
    recordings: tuple[str, ...] = ()
    quiet: bool = False
    sort: str = "alpha"

    def needs(self) -> tuple[tuple[str, str], ...]:
        return tuple(("recording", r) for r in self.recordings)


@dataclass(frozen=True)
class IvrSpec(FlowSpec):
    """A menu: greeting recording, timeout (s), language and a target per key.

    `timeout_target` and `invalid_target` are the portal's; VoIP.ms's setIVR has no such fields.
    """

    kind: ClassVar[str] = "ivr"
    name: str = ""
    recording: str = ""
    timeout: int = 5
    language: str = "en"
    choices: tuple[tuple[str, Target], ...] = ()
    timeout_target: Target = NO_TARGET
    invalid_target: Target = NO_TARGET

    def targets(self) -> tuple[Target, ...]:
        return tuple(t for _, t in self.choices) + (self.timeout_target, self.invalid_target)

    def needs(self) -> tuple[tuple[str, str], ...]:
        return (("recording", self.recording),) if self.recording else ()


@dataclass(frozen=True)
class MemberSpec:
    """A ring group or call hunting member: a target, its ring time (s) and whether it must press 1 to take the call."""

    target: Target
    ring_time: int = 25
    press1: bool = False


@dataclass(frozen=True)
class RingGroupSpec(FlowSpec):
    """Members ringing together; `voicemail` is the mailbox when nobody answers ("0": none)."""

    kind: ClassVar[str] = "grp"
    name: str = ""
    members: tuple[MemberSpec, ...] = ()
    voicemail: str = "0"
    music_on_hold: str = ""
    language: str = "en"

    def targets(self) -> tuple[Target, ...]:
        extra = (Target("vm", self.voicemail),) if self.voicemail not in ("", "0") else ()
        return tuple(m.target for m in self.members) + extra

    def needs(self) -> tuple[tuple[str, str], ...]:
        return (("moh", self.music_on_hold),) if self.music_on_hold else ()


@dataclass(frozen=True)
class CallHuntingSpec(FlowSpec):
    """Members rung in order (`follow`) or at random; music on hold and an announcement recording."""

    kind: ClassVar[str] = "hunt"
    description: str = ""
    members: tuple[MemberSpec, ...] = ()
    order: str = "follow"
    music: str = "default"
    recording: str = ""
    language: str = "en"

    def targets(self) -> tuple[Target, ...]:
        return tuple(m.target for m in self.members)

    def needs(self) -> tuple[tuple[str, str], ...]:
        out: list[tuple[str, str]] = []
        if self.music and self.music != "default":
            out.append(("moh", self.music))
        if self.recording:
            out.append(("recording", self.recording))
        return tuple(out)


@dataclass(frozen=True)
class TimeRuleSpec:
    """Open from start to end (hour, minute) on the weekdays from `day_from` to `day_to` (`mon` .. `sun`)."""

    day_from: str
    day_to: str
    start_hour: int
    start_minute: int
    end_hour: int
    end_minute: int


@dataclass(frozen=True)
class TimeConditionSpec(FlowSpec):
    """Weekly rules; `holidays` (YYYY-MM-DD) are the portal's (VoIP.ms's setTimeCondition has none)."""

    kind: ClassVar[str] = "tc"
    name: str = ""
    rules: tuple[TimeRuleSpec, ...] = ()
    match: Target = NO_TARGET
    nomatch: Target = NO_TARGET
    holidays: tuple[str, ...] = ()

    def targets(self) -> tuple[Target, ...]:
        return (self.match, self.nomatch)


@dataclass(frozen=True)
class QueueMemberSpec:
    """A static member of a queue: its name, target (a sub-account or number) and priority."""

    name: str
    target: Target
    priority: int = 0


@dataclass(frozen=True)
class QueueSpec(FlowSpec):
    """A call queue with static members, music on hold, a maximum wait and its failover."""

    kind: ClassVar[str] = "queue"
    name: str = ""
    number: int = 0
    language: str = "en"
    strategy: str = "ringall"
    music_on_hold: str = ""
    max_wait: int = 0  # seconds; 0 = unlimited
    join_when_empty: str = "yes"
    leave_when_empty: str = "no"
    failover: Target = NO_TARGET
    members: tuple[QueueMemberSpec, ...] = ()

    def targets(self) -> tuple[Target, ...]:
        return tuple(m.target for m in self.members) + (self.failover,)

    def needs(self) -> tuple[tuple[str, str], ...]:
        return (("moh", self.music_on_hold),) if self.music_on_hold else ()


@dataclass(frozen=True)
class ConferenceSpec(FlowSpec):
    """A conference room; the PIN is the portal's (VoIP.ms keeps PINs on member profiles)."""

    kind: ClassVar[str] = "conf"
    name: str = ""
    description: str = ""
    max_members: int = 0  # 0 = unlimited
    pin: str = ""


@dataclass(frozen=True)
class CallbackSpec(FlowSpec):
    """Call the caller back on `number` after `delay_before` seconds."""

    kind: ClassVar[str] = "cb"
    description: str = ""
    number: str = ""
    delay_before: int = 1
    response_timeout: int = 10
    digit_timeout: int = 5
    callerid_number: str = ""


@dataclass(frozen=True)
class DisaSpec(FlowSpec):
    """A PIN, then a dial tone."""

    kind: ClassVar[str] = "disa"
    name: str = ""
    pin: str = ""
    digit_timeout: int = 5
    callerid_override: str = ""
    language: str = "en"


@dataclass(frozen=True)
class CallerIdFilterSpec(FlowSpec):
    """A block (or allow) list for all numbers (`did` "all") or one DID (10 digits), sending matches to `target`."""

    kind: ClassVar[str] = "filter"
    name: str = ""
    mode: str = "block"
    entries: tuple[str, ...] = ()
    did: str = "all"
    target: Target = Target("sys", "hangup")

    def targets(self) -> tuple[Target, ...]:
        return (self.target,)


@dataclass(frozen=True)
class PhonebookSpec(FlowSpec):
    """A contact: name, number (or sip:ext), speed dial, caller ID override, note and group."""

    kind: ClassVar[str] = "phonebook"
    name: str = ""
    number: str = ""
    speed_dial: str = ""
    callerid: str = ""
    note: str = ""
    group: str = ""


@dataclass(frozen=True)
class DidRoutingSpec:
    """Where a DID sends its calls, and its failovers for busy / unreachable / no answer."""

    routing: Target
    busy: Target = NO_TARGET
    unreachable: Target = NO_TARGET
    noanswer: Target = NO_TARGET

    def targets(self) -> tuple[Target, ...]:
        """Every target it names."""
        return (self.routing, self.busy, self.unreachable, self.noanswer)
