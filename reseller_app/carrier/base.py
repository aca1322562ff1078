"""The one interface the portal uses to talk to its upstream carrier (VoIP.ms or the embedded sandbox)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from reseller_app.billing.enums import RECORDED_DISPOSITIONS

if TYPE_CHECKING:
    from reseller_app.models import Reseller

    from .callflows import DidRoutingSpec, FlowSpec

DID_KINDS = ("voice", "fax")
DIRECTIONS = ("in", "out")


class CarrierError(Exception):
    """A refusal or failure from the carrier; `code` is a short machine-readable reason (VoIP.ms style)."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


@dataclass(frozen=True)
class DidOffer:
    """A phone or fax number the carrier can give the reseller."""

    number: str  # digits in international form without '+', e.g. "15145550123"
    rate_center: str
    region: str  # province / state code, e.g. "QC"
    kind: str = "voice"  # voice | fax


@dataclass(frozen=True)
class CarrierCdr:
    """One call as the carrier recorded it."""

    uniqueid: str  # may contain letters on the real carrier
    start: datetime  # timezone-aware, UTC
    direction: str  # in | out
    account: str  # sub-account, e.g. "100000_office"
    callerid: str
    destination: str
    duration: int  # seconds
    disposition: str  # one of billing.enums.RECORDED_DISPOSITIONS
    carrier_cost: Decimal | None = None  # what the carrier charged, when it says
    did: str | None = None  # the DID an inbound call came in on
    path: str = ""  # where an inbound call went through the call flow ("IVR Main → 2 → 100001_alice")

    def __post_init__(self) -> None:
        # Reject bad records at the boundary so billing never has to guess.
        if self.start.tzinfo is None or self.start.utcoffset() is None:
            raise ValueError("CarrierCdr.start must be timezone-aware")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, not {self.direction!r}")
        if self.disposition not in RECORDED_DISPOSITIONS:
            raise ValueError(f"disposition must be one of {RECORDED_DISPOSITIONS}, not {self.disposition!r}")
        if self.duration < 0:
            raise ValueError("duration cannot be negative")
        if self.carrier_cost is not None and not isinstance(self.carrier_cost, Decimal):
            raise TypeError("carrier_cost must be a Decimal")


@dataclass(frozen=True)
class UnreadableRecord:
    """A call record the carrier sent that could not be read: never rated, so it must reach the reseller."""

    raw: str  # the record as the carrier sent it, as JSON
    reason: str  # what could not be read, e.g. "bad date '2026-13-01 10:00:00'"
    uniqueid: str = ""  # as far as it could be read
    call_date: str = ""  # the carrier's text, as far as there is one


@dataclass
class CdrFetch:
    """What a fetch of call records brought: the readable calls, and the records that could not be read."""

    cdrs: list[CarrierCdr]
    unreadable: list[UnreadableRecord] = field(default_factory=list)


MESSAGE_KINDS = ("sms", "mms")


@dataclass(frozen=True)
class CarrierMessage:
    """One SMS or MMS as the carrier recorded it (received messages come from the sync, sent ones from send_*)."""

    carrier_id: str  # the carrier's message id (unique per account)
    sent_at: datetime  # timezone-aware, UTC
    direction: str  # in | out
    kind: str  # sms | mms
    did: str  # our number, digits
    contact: str  # the other party, digits
    body: str = ""
    media: tuple[str, ...] = ()
    cost: Decimal | None = None  # what the carrier charged, when it says

    def __post_init__(self) -> None:
        if not self.carrier_id:
            raise ValueError("carrier_id must not be empty")
        if self.sent_at.tzinfo is None or self.sent_at.utcoffset() is None:
            raise ValueError("CarrierMessage.sent_at must be timezone-aware")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, not {self.direction!r}")
        if self.kind not in MESSAGE_KINDS:
            raise ValueError(f"kind must be one of {MESSAGE_KINDS}, not {self.kind!r}")


class Carrier(ABC):
    """What the portal needs from an upstream carrier.

    Calls may block on the network (and the sandbox opens its own transactions): make them outside a DB transaction.
    """

    @abstractmethod
    def available_dids(self, reseller_id: int, kind: str = "voice") -> list[DidOffer]:
        """Numbers of this kind the reseller could connect now."""

    @abstractmethod
    def claim_did(self, reseller_id: int, number: str) -> DidOffer:
        """Take a number for the reseller (idempotent for its owner); CarrierError if someone else has it."""

    @abstractmethod
    def release_did(self, reseller_id: int, number: str) -> None:
        """Give a number back; CarrierError if the reseller does not own it."""

    @abstractmethod
    def create_subaccount(self, reseller_id: int, account: str, password: str, *, description: str = "") -> str:
        """Create a SIP sub-account and return the carrier's reference for it."""

    @abstractmethod
    def delete_subaccount(self, reseller_id: int, account: str) -> None:
        """Remove one of the reseller's sub-accounts (undoes a create whose database write failed); no-op if gone."""

    @abstractmethod
    def block_subaccount(self, account: str) -> None:
        """Stop a sub-account from placing calls (HARD balance management, manual suspension)."""

    @abstractmethod
    def unblock_subaccount(self, account: str) -> None:
        """Let a blocked sub-account place calls again."""

    @abstractmethod
    def deck_csv_path(self) -> Path | None:
        """The rate deck (billing.deck's CSV format) the portal rates calls with, if the carrier has one on disk."""

    @abstractmethod
    def cdrs_since(self, reseller_id: int, since: datetime) -> list[CarrierCdr]:
        """Calls of the reseller that started strictly after `since`, oldest first."""

    def fetch_cdrs(self, reseller_id: int, since: datetime) -> CdrFetch:
        """cdrs_since, and the records in the same answer that could not be read (a carrier with none: none)."""
        return CdrFetch(self.cdrs_since(reseller_id, since))

    # --- call flows (carrier/callflows.py) ------------------------------------------------------------

    @abstractmethod
    def save_flow(self, reseller_id: int, spec: FlowSpec, ref: str | None = None) -> str:
        """Create (no `ref`) or change a call-flow object; returns the carrier's reference for it.

        CarrierError when the carrier refuses it (a target or recording it does not know, a value it rejects).
        """

    @abstractmethod
    def delete_flow(self, reseller_id: int, kind: str, ref: str) -> None:
        """Delete a call-flow object of this kind (FLOW_KINDS); CarrierError when it is unknown or still in use."""

    @abstractmethod
    def route_did(self, reseller_id: int, number: str, routing: DidRoutingSpec) -> None:
        """Send a DID's calls to `routing.routing`, with its failovers; CarrierError for a DID not the reseller's."""

    # --- text messages (issue 18); a carrier without them refuses with `unsupported` ---------------------

    def send_sms(self, reseller_id: int, did: str, dst: str, message: str) -> str:
        """Send a text from the reseller's number `did` to `dst`; returns the carrier's message id."""
        raise CarrierError("unsupported", "this carrier does not send SMS")

    def send_mms(self, reseller_id: int, did: str, dst: str, message: str, media: list[str]) -> str:
        """Send a picture message (`media`: data: URLs or URLs); returns the carrier's message id."""
        raise CarrierError("unsupported", "this carrier does not send MMS")

    def messages_since(self, reseller_id: int, since: datetime) -> list[CarrierMessage]:
        """Messages the reseller's numbers received strictly after `since`, oldest first."""
        return []

    def set_sms(self, reseller_id: int, did: str, enabled: bool) -> None:
        """Turn SMS on or off on one of the reseller's numbers at the carrier."""
        raise CarrierError("unsupported", "this carrier has no SMS settings")

    def sms_costs_path(self) -> Path | None:
        """The deck's `sms` section (billing.messages.load_costs_csv format), if the carrier has one on disk."""
        return None


_default_sandbox: Carrier | None = None


def get_carrier(reseller: Reseller) -> Carrier:
    """The carrier adapter for this reseller's `carrier_kind`; CarrierError for a kind with no adapter."""
    global _default_sandbox
    kind = (getattr(reseller, "carrier_kind", None) or "sandbox").strip().lower()
    if kind == "sandbox":
        # One process-wide instance, so CDRs fed with record_call() are seen by every caller.
        if _default_sandbox is None:
            from reseller_app.carrier.sandbox import SandboxCarrier

            _default_sandbox = SandboxCarrier()
        return _default_sandbox
    if kind == "voipms":
        from reseller_app.carrier.voipms import VoipMsCarrier

        username = getattr(reseller, "carrier_username", None) or ""
        secret = getattr(reseller, "carrier_secret", None) or ""
        if not username or not secret:
            raise CarrierError("not_configured", "the VoIP.ms API username and password are not set")
        return VoipMsCarrier(username, secret)
    raise CarrierError("unsupported_carrier", f"no carrier adapter for kind {kind!r}")
