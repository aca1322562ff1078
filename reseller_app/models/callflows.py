"""A client's phone system: IVR menus, ring groups, call hunting, time conditions, queues, conferences, callback,
DISA, caller-ID filters, music on hold, recordings and the phonebook.

Every row belongs to one client of one reseller. Destinations are stored as `kind:id` strings of the portal's ids
(`reseller_app/services/callflows/routing.py`); `carrier_ref` is what the carrier calls the object (the sandbox's
or VoIP.ms's id), filled when the carrier accepted it.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .types import UTCDateTime, utcnow


class _Owned(SQLModel):
    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    carrier_ref: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CallRecording(_Owned, table=True):
    """An uploaded greeting or announcement (WAV or MP3), served from the upload directory."""

    name: str = Field(max_length=80)
    file: str = Field(max_length=120)  # /_upload/<random>.wav|mp3
    audio_format: str = Field(default="wav", max_length=4)
    size_bytes: int = 0


class MusicOnHold(_Owned, table=True):
    """A music-on-hold class made of uploaded recordings, played in their name order or at random."""

    name: str = Field(max_length=80)
    recordings: list = Field(default_factory=list, sa_type=sa.JSON)  # CallRecording ids
    sort: str = Field(default="alpha", max_length=8)  # alpha | random
    quiet: bool = False


class IvrMenu(_Owned, table=True):
    """A voice menu: its greeting, and a destination per key, on timeout and on a wrong key."""

    name: str = Field(max_length=80)
    recording_id: int | None = Field(default=None, foreign_key="callrecording.id")
    timeout: int = 5
    language: str = Field(default="en", max_length=2)
    choices: dict = Field(default_factory=dict, sa_type=sa.JSON)  # {"1": "grp:3", ...}
    timeout_dest: str = Field(default="", max_length=40)
    invalid_dest: str = Field(default="", max_length=40)


class RingGroup(_Owned, table=True):
    """Members ringing at once, with a voicemail box when nobody answers."""

    name: str = Field(max_length=80)
    members: list = Field(default_factory=list, sa_type=sa.JSON)  # [{"dest": "account:7", "ring_time": 25}]
    voicemail_id: int | None = Field(default=None, foreign_key="voicemail.id")
    music_on_hold_id: int | None = Field(default=None, foreign_key="musiconhold.id")
    language: str = Field(default="en", max_length=2)


class CallHunting(_Owned, table=True):
    """Members rung one after another (in order or at random), each for its own time."""

    name: str = Field(max_length=80)
    members: list = Field(default_factory=list, sa_type=sa.JSON)  # [{"dest", "ring_time", "press"}]
    order: str = Field(default="follow", max_length=8)  # follow | random
    music_on_hold_id: int | None = Field(default=None, foreign_key="musiconhold.id")
    recording_id: int | None = Field(default=None, foreign_key="callrecording.id")
    language: str = Field(default="en", max_length=2)


class TimeCondition(_Owned, table=True):
    """Weekly open hours (weekday ranges and times, in the client's time zone) and closed holidays."""

    name: str = Field(max_length=80)
    rules: list = Field(default_factory=list, sa_type=sa.JSON)  # [{"from": "mon", "to": "fri", "start", "end"}]
    holidays: list = Field(default_factory=list, sa_type=sa.JSON)  # ["2026-12-25", ...]
    match_dest: str = Field(max_length=40)
    nomatch_dest: str = Field(max_length=40)


class CallQueue(_Owned, table=True):
    """A call queue: static members, music on hold, a maximum wait and where callers go after it."""

    name: str = Field(max_length=80)
    number: int = 0  # VoIP.ms's queue_number (an internal extension)
    strategy: str = Field(default="ringall", max_length=12)
    music_on_hold_id: int | None = Field(default=None, foreign_key="musiconhold.id")
    max_wait: int = 0  # seconds, multiple of 30; 0 = unlimited
    join_when_empty: str = Field(default="yes", max_length=6)
    leave_when_empty: str = Field(default="no", max_length=6)
    failover_dest: str = Field(default="", max_length=40)
    members: list = Field(default_factory=list, sa_type=sa.JSON)  # [{"name", "dest", "priority", "ref"}]
    language: str = Field(default="en", max_length=2)


class Conference(_Owned, table=True):
    """A conference room with a PIN and a member limit (0 = unlimited)."""

    name: str = Field(max_length=80)
    description: str = Field(default="", max_length=200)
    pin: str = Field(default="", max_length=10)
    max_members: int = 0


class Callback(_Owned, table=True):
    """Hang up and call the caller back on `number`, then give a dial tone."""

    name: str = Field(max_length=80)  # VoIP.ms's description
    number: str = Field(max_length=20)
    delay_before: int = 1
    response_timeout: int = 10
    digit_timeout: int = 5
    callerid_number: str = Field(default="", max_length=20)


class Disa(_Owned, table=True):
    """Direct inward system access: a PIN, then a dial tone to call out through the client's account."""

    name: str = Field(max_length=80)
    pin: str = Field(max_length=10)
    digit_timeout: int = 5
    callerid_override: str = Field(default="", max_length=20)
    language: str = Field(default="en", max_length=2)


class CallerIdFilter(_Owned, table=True):
    """A block or allow list of caller IDs (numbers, prefixes, anonymous) for all numbers or one."""

    name: str = Field(max_length=80)
    mode: str = Field(default="block", max_length=5)  # block | allow
    entries: list = Field(default_factory=list, sa_type=sa.JSON)  # ["15145550100", "1900*", "anonymous"]
    did_id: int | None = Field(default=None, foreign_key="did.id")  # None = all the client's numbers
    dest: str = Field(default="sys:hangup", max_length=40)


class PhonebookEntry(_Owned, table=True):
    """A named contact with an optional speed dial."""

    name: str = Field(max_length=80)
    number: str = Field(max_length=40)  # digits, or sip:<extension>
    speed_dial: str = Field(default="", max_length=6)
    callerid: str = Field(default="", max_length=20)
    note: str = Field(default="", max_length=200)
    group: str = Field(default="", max_length=40)


class SandboxCallFlow(SQLModel, table=True):
    """The sandbox carrier's copy of a call-flow object (or a number's routing), as the portal sent it."""

    __table_args__ = (sa.Index("ix_sandboxcallflow_owner_kind", "owner_reseller_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    owner_reseller_id: int = Field(foreign_key="reseller.id")
    kind: str = Field(max_length=12)
    key: str = Field(default="", max_length=40)  # the DID number for kind "did"
    data: dict = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


CALLFLOW_MODELS = (
    CallRecording,
    MusicOnHold,
    IvrMenu,
    RingGroup,
    CallHunting,
    TimeCondition,
    CallQueue,
    Conference,
    Callback,
    Disa,
    CallerIdFilter,
    PhonebookEntry,
)
