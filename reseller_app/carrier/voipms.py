"""The real carrier: VoIP.ms's REST API over httpx, with timeouts, backoff on rate limits and no double posting.

Read calls are retried on network errors and `api_limit_exceeded`. A call that changes something is retried only
when the request surely did not reach the carrier (connection refused, rate limited); after an ambiguous failure
(timeout while waiting for the answer) it asks the carrier whether the change happened instead of sending it again.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import httpx

from reseller_app.billing.enums import RECORDED_DISPOSITIONS, Disposition

from .base import DID_KINDS, Carrier, CarrierCdr, CarrierError, CarrierMessage, CdrFetch, DidOffer, UnreadableRecord
from .callflows import (
    CallbackSpec,
    CallerIdFilterSpec,
    CallHuntingSpec,
    ConferenceSpec,
    DidRoutingSpec,
    DisaSpec,
    FlowSpec,
    IvrSpec,
    MemberSpec,
    MusicOnHoldSpec,
    PhonebookSpec,
    QueueSpec,
    RecordingSpec,
    RingGroupSpec,
    Target,
    TimeConditionSpec,
)

log = logging.getLogger(__name__)

API_URL = "https://voip.ms/api/v1/rest.php"
# getCDR answers at most this many days per request, like the portal's own API.
CDR_CHUNK_DAYS = 92
DEFAULT_REGIONS = {"CAN": ("QC", "ON", "BC", "AB"), "USA": ("NY", "CA", "IL", "FL")}
# Statuses that mean "nothing to list", not an error.
_EMPTY = {"no_cdr", "no_did", "no_account", "no_rates", "no_subaccount", "no_member", "no_sms"}
# VoIP.ms's routing headers (apidocs: account, fwd, vm, sip, grp, ivr, sys, recording, queue, cb, tc, disa, none).
ROUTING_HEADERS = ("account", "fwd", "vm", "sip", "grp", "ivr", "sys", "recording", "queue", "cb", "tc", "disa", "none")
# The portal's destinations VoIP.ms's API has no header for (or, for forwardings, no id of its own: the portal keeps
# forwardings itself and does not create them at VoIP.ms).
_UNROUTABLE = {
    "hunt": "call hunting",
    "conf": "a conference",
    "fax": "a fax number",
    "fwd": "a forwarding kept by the portal",
}
# Per kind: (set method, its id parameter, the answer key of a new id, del method, its id parameter).
_FLOW_METHODS = {
    "recording": ("setRecording", "recording", "recording", "delRecording", "recording"),
    "moh": ("setMusicOnHold", "", "", "delMusicOnHold", "music_on_hold"),
    "ivr": ("setIVR", "ivr", "ivr", "delIVR", "ivr"),
    "grp": ("setRingGroup", "ring_group", "ring_group", "delRingGroup", "ringgroup"),
    "hunt": ("setCallHunting", "callhunting", "call_hunting", "delCallHunting", "callhunting"),
    "tc": ("setTimeCondition", "timecondition", "timecondition", "delTimeCondition", "timecondition"),
    "queue": ("setQueue", "queue", "queue", "delQueue", "queue"),
    "conf": ("setConference", "conference", "conference", "delConference", "conference"),
    "cb": ("setCallback", "callback", "callback", "delCallback", "callback"),
    "disa": ("setDISA", "disa", "disa", "delDISA", "disa"),
    "filter": ("setCallerIDFiltering", "filter", "filtering", "delCallerIDFiltering", "filtering"),
    "phonebook": ("setPhonebook", "phonebook", "phonebook", "delPhonebook", "phonebook"),
}
# sendSMS takes at most this many characters; a longer text goes as several sendSMS calls.
SMS_MAX_CHARS = 160
# getSMS/getMMS answer at most `limit` rows (default 50): ask for plenty per window.
MESSAGE_LIMIT = "10000"
MESSAGE_CHUNK_DAYS = 92


def as_list(value: Any) -> list:  # noqa: ANN401 - JSON of any shape
    """The carrier sends a one-element list as a bare object (and nothing as a missing key): always a list."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    return [value]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


class VoipMsCarrier(Carrier):
    """VoIP.ms for one reseller's account (its API username and API password)."""

    def __init__(
        self,
        username: str,
        password: str,
        *,
        url: str = API_URL,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 20.0,
        retries: int = 4,
        backoff: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        regions: dict[str, tuple[str, ...]] | None = None,
        deck_path: Path | None = None,
    ) -> None:
        """Configure the client; `transport` and `sleep` let tests answer from recordings without waiting."""
        if not username or not password:
            raise CarrierError("not_configured", "VoIP.ms API username and password are required")
        self._auth = {"api_username": username, "api_password": password}
        self._url = url
        self._client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": "reseller-portal/1.0"},
        )
        self._retries = retries
        self._backoff = backoff
        self._sleep = sleep
        self._regions = regions or DEFAULT_REGIONS
        if deck_path is None:
            from .sandbox import DECK_PATH

            deck_path = DECK_PATH
        self._deck_path = deck_path

    # --- transport -------------------------------------------------------------------------------------

    def _once(self, method: str, params: dict[str, str]) -> dict:
        query = {**self._auth, "method": method, **params}
        r = self._client.get(self._url, params=query)
        if r.status_code == 429:
            return {"status": "api_limit_exceeded"}
        if r.status_code >= 500:
            raise httpx.HTTPStatusError(f"HTTP {r.status_code}", request=r.request, response=r)
        try:
            body = r.json()
        except ValueError:
            raise CarrierError("invalid_response", f"{method}: not JSON (HTTP {r.status_code})") from None
        if not isinstance(body, dict) or "status" not in body:
            raise CarrierError("invalid_response", f"{method}: no status")
        return body

    def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        mutating: bool = False,
        happened: Callable[[], bool] | None = None,
    ) -> dict:
        """One API method with retries; returns the answer (status success or an empty-list status)."""
        params = {k: str(v) for k, v in (params or {}).items()}
        delay = self._backoff
        for attempt in range(self._retries + 1):
            last = attempt == self._retries
            try:
                body = self._once(method, params)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as e:
                # The request never reached the carrier: safe to send again, even for a change.
                if last:
                    raise CarrierError("network_error", f"{method}: {e}") from e
            except (httpx.TransportError, httpx.HTTPStatusError) as e:
                if mutating:
                    # It may have been applied: ask instead of sending it twice.
                    if happened is not None and self._safe_check(happened):
                        return {"status": "success"}
                    if happened is None:
                        raise CarrierError("network_error", f"{method}: outcome unknown ({e})") from e
                if last:
                    raise CarrierError("network_error", f"{method}: {e}") from e
            else:
                status = str(body.get("status"))
                if status == "success" or status in _EMPTY:
                    return body
                if status != "api_limit_exceeded":
                    raise CarrierError(status, f"{method}: {status}")
                if last:
                    raise CarrierError("api_limit_exceeded", f"{method}: still rate limited")
            log.info("VoIP.ms %s: retry %d in %.1fs", method, attempt + 1, delay)
            self._sleep(delay)
            delay = min(delay * 2, 60.0)
        raise CarrierError("network_error", method)  # pragma: no cover - the loop always returns or raises

    def _safe_check(self, happened: Callable[[], bool]) -> bool:
        try:
            return happened()
        except CarrierError:
            return False

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    # --- DIDs ------------------------------------------------------------------------------------------

    def available_dids(self, reseller_id: int, kind: str = "voice") -> list[DidOffer]:
        """Voice numbers in the configured provinces and states (VoIP.ms lists them per region)."""
        if kind not in DID_KINDS:
            raise CarrierError("invalid_type", f"kind must be one of {DID_KINDS}")
        if kind == "fax":
            return []  # fax numbers are ordered through VoIP.ms's fax portal, not listed here
        offers: list[DidOffer] = []
        for country, regions in self._regions.items():
            key = "province" if country == "CAN" else "state"
            for region in regions:
                body = self.call(f"getDIDs{country}", {key: region})
                for row in as_list(body.get("dids")):
                    number = _digits(str(row.get("did", "")))
                    if len(number) == 10:
                        number = "1" + number
                    if number:
                        offers.append(DidOffer(number, str(row.get("ratecenter", "")), region, "voice"))
        return offers

    def _owns(self, number: str) -> bool:
        body = self.call("getDIDsInfo", {"did": number[-10:]})
        return any(_digits(str(r.get("did", "")))[-10:] == number[-10:] for r in as_list(body.get("dids")))

    def claim_did(self, reseller_id: int, number: str) -> DidOffer:
        """Order the number (a no-op when the account already has it)."""
        number = _digits(number)
        if len(number) == 10:
            number = "1" + number
        if not self._owns(number):
            self.call(
                "orderDID",
                {
                    "did": number[-10:],
                    "routing": "sys:noservice",
                    "pop": "1",
                    "dialtime": "60",
                    "cnam": "0",
                    "billing_type": "1",
                },  # fmt: skip
                mutating=True,
                happened=lambda: self._owns(number),
            )
        return DidOffer(number, "", "", "voice")

    def release_did(self, reseller_id: int, number: str) -> None:
        """Cancel the number at the carrier."""
        number = _digits(number)
        self.call(
            "cancelDID", {"did": number[-10:]}, mutating=True, happened=lambda: not self._owns(number)
        )  # fmt: skip

    # --- sub-accounts ----------------------------------------------------------------------------------

    def _subaccount(self, account: str) -> dict | None:
        body = self.call("getSubAccounts", {"account": account})
        return next((r for r in as_list(body.get("accounts")) if r.get("account") == account), None)

    def create_subaccount(self, reseller_id: int, account: str, password: str, *, description: str = "") -> str:
        """Create `<main>_<name>`; returns the carrier's id. Never creates it twice."""
        name = account.split("_", 1)[-1]
        existing = self._subaccount(account)
        if existing is None:
            body = self.call(
                "createSubAccount",
                {
                    "username": name,
                    "password": password or secrets.token_urlsafe(12),
                    "protocol": "1",
                    "description": description,
                    "auth_type": "1",
                    "device_type": "2",
                    "lock_international": "0",
                    "international_route": "1",
                    "music_on_hold": "default",
                    "allowed_codecs": "ulaw;g729;gsm",
                    "dtmf_mode": "auto",
                    "nat": "yes",
                },
                mutating=True,
                happened=lambda: self._subaccount(account) is not None,
            )
            if body.get("id"):
                return str(body["id"])
            existing = self._subaccount(account)
        return str((existing or {}).get("id", account))

    def delete_subaccount(self, reseller_id: int, account: str) -> None:
        """Delete `<main>_<name>` by its VoIP.ms id (delSubAccount); nothing to do when it is not there."""
        existing = self._subaccount(account)
        if existing is None:
            return
        self.call(
            "delSubAccount",
            {"id": str(existing.get("id", ""))},
            mutating=True,
            happened=lambda: self._subaccount(account) is None,
        )

    def block_subaccount(self, account: str) -> None:
        """VoIP.ms's API has no switch to block a sub-account: refuse, so the caller logs it for the reseller."""
        raise CarrierError("unsupported", f"block {account}: suspend it in the VoIP.ms portal")

    def unblock_subaccount(self, account: str) -> None:
        """See block_subaccount."""
        raise CarrierError("unsupported", f"unblock {account}: re-enable it in the VoIP.ms portal")

    # --- rates -----------------------------------------------------------------------------------------

    def deck_csv_path(self) -> Path | None:
        """The shipped deck file."""
        return self._deck_path if self._deck_path.is_file() else None

    # --- CDRs ------------------------------------------------------------------------------------------

    def cdrs_since(self, reseller_id: int, since: datetime) -> list[CarrierCdr]:
        """Calls after `since` up to now, fetched in 92-day windows, oldest first (see fetch_cdrs)."""
        return self.fetch_cdrs(reseller_id, since).cdrs

    def fetch_cdrs(self, reseller_id: int, since: datetime) -> CdrFetch:
        """Calls after `since` up to now, oldest first, and every record that could not be read (none is dropped)."""
        if since.tzinfo is None or since.utcoffset() is None:
            raise ValueError("since must be timezone-aware")
        since = since.astimezone(UTC)
        end = datetime.now(UTC).date()
        start = max(since.date(), end - timedelta(days=365 * 2))
        found: dict[str, CarrierCdr] = {}
        unreadable: dict[str, UnreadableRecord] = {}
        while start <= end:
            stop = min(start + timedelta(days=CDR_CHUNK_DAYS - 1), end)
            body = self.call(
                "getCDR",
                {
                    "date_from": start.isoformat(),
                    "date_to": stop.isoformat(),
                    "timezone": "0",
                    "answered": "1",
                    "noanswer": "1",
                    "busy": "1",
                    "failed": "1",
                },  # fmt: skip
            )
            for row in as_list(body.get("cdr")):
                try:
                    cdr = parse_cdr(row)
                except UnreadableCdrError as e:
                    log.warning("unreadable CDR from VoIP.ms (%s): %r", e.record.reason, row)
                    unreadable[e.record.raw] = e.record
                    continue
                if cdr.start > since:
                    found[cdr.uniqueid] = cdr
            start = stop + timedelta(days=1)
        return CdrFetch(sorted(found.values(), key=lambda c: (c.start, c.uniqueid)), list(unreadable.values()))

    # --- call flows ----------------------------------------------------------------------------------

    def save_flow(self, reseller_id: int, spec: FlowSpec, ref: str | None = None) -> str:
        """Create or change the object with VoIP.ms's set method (its id parameter only when changing it).

        A change (with an id) is safe to send again; a creation is sent once (after an unclear failure the caller
        gets a CarrierError and stores nothing).
        """
        if isinstance(spec, CallerIdFilterSpec):
            return self._save_filter(spec, ref)
        method, id_param, answer_key, _, _ = _FLOW_METHODS[spec.kind]
        params = flow_params(spec)
        if isinstance(spec, MusicOnHoldSpec):
            # Music on hold is named, not numbered: the portal's slug is the name and the reference.
            self.call(method, params, mutating=ref is None)
            return spec.name
        if ref:
            params = {id_param: ref, **params}
        body = self.call(method, params, mutating=not ref)
        new_ref = str(ref or body.get(answer_key) or "")
        if not new_ref:
            raise CarrierError("invalid_response", f"{method}: no {answer_key} in the answer")
        if isinstance(spec, QueueSpec):
            self._sync_members(new_ref, spec)
        return new_ref

    def _sync_members(self, queue: str, spec: QueueSpec) -> None:
        """Make the queue's static members the spec's: remove the old ones, add each member with setStaticMember."""
        body = self.call("getStaticMembers", {"queue": queue})
        for row in as_list(body.get("members")):
            member = str(row.get("member", ""))
            if member:
                self.call("delStaticMember", {"member": member, "queue": queue}, mutating=True)
        for m in spec.members:
            if m.target.kind != "account":
                raise CarrierError("invalid_account", "a queue member must be a sub-account")
            self.call(
                "setStaticMember",
                {"queue": queue, "member_name": m.name, "account": m.target.ref, "priority": str(m.priority)},
                mutating=True,
            )

    def _save_filter(self, spec: CallerIdFilterSpec, ref: str | None) -> str:
        """One VoIP.ms filter per listed caller ID (its filters are single rules); the reference lists their ids."""
        if spec.mode != "block":
            raise CarrierError("unsupported", "VoIP.ms filters divert listed callers only (no allow lists)")
        params = [filter_params(spec, entry) for entry in spec.entries]
        for old in (ref or "").split(";"):
            if old:
                self.call("delCallerIDFiltering", {"filtering": old}, mutating=True)
        ids = []
        for p in params:
            body = self.call("setCallerIDFiltering", p, mutating=True)
            ids.append(str(body.get("filtering") or ""))
        return ";".join(i for i in ids if i)

    def delete_flow(self, reseller_id: int, kind: str, ref: str) -> None:
        """Delete with VoIP.ms's del method (each rule of a caller-ID filter)."""
        _, _, _, method, id_param = _FLOW_METHODS[kind]
        for one in ref.split(";") if kind == "filter" else [ref]:
            if one:
                self.call(method, {id_param: one}, mutating=True)

    def route_did(self, reseller_id: int, number: str, routing: DidRoutingSpec) -> None:
        """setDIDInfo with the routing and failovers, keeping the DID's other required settings as VoIP.ms has them."""
        did = _digits(number)[-10:]
        wires = {
            "routing": wire(routing.routing),
            "failover_busy": wire(routing.busy),
            "failover_unreachable": wire(routing.unreachable),
            "failover_noanswer": wire(routing.noanswer),
        }  # a target VoIP.ms cannot name is refused before anything is sent
        body = self.call("getDIDsInfo", {"did": did})
        info = next((r for r in as_list(body.get("dids")) if _digits(str(r.get("did", "")))[-10:] == did), None)
        if info is None:
            raise CarrierError("invalid_did", f"{did} is not in this VoIP.ms account")
        params = {
            "did": did,
            **wires,
            "pop": str(info.get("pop", "")),
            "dialtime": str(info.get("dialtime", "")),
            "cnam": str(info.get("cnam", "")),
            "billing_type": str(info.get("billing_type", "")),
        }
        for key in ("voicemail", "callerid_prefix", "note"):
            value = str(info.get(key) or "")
            if value:
                params[key] = value
        self.call("setDIDInfo", params)

    # --- text messages ---------------------------------------------------------------------------------

    def set_sms(self, reseller_id: int, did: str, enabled: bool) -> None:
        """setSMS on the DID: on or off, NANPA dial mode. Incoming texts are fetched by the sync (getSMS), and the
        portal itself sends the email copy and the forwarding, so no carrier-side delivery option is set.

        Setting a state twice is harmless, so it is retried like a read.
        """
        self.call("setSMS", {"did": _did10(did), "enable": "1" if enabled else "0", "dialmode": "1"})

    def send_sms(self, reseller_id: int, did: str, dst: str, message: str) -> str:
        """sendSMS (at most 160 characters per call; a longer text is sent in pieces). Returns the first id.

        Never sent twice: after an ambiguous failure it raises `network_error` (nothing is stored or billed).
        """
        ids: list[str] = []
        for start in range(0, max(len(message), 1), SMS_MAX_CHARS):
            body = self.call(
                "sendSMS",
                {"did": _did10(did), "dst": _did10(dst), "message": message[start : start + SMS_MAX_CHARS]},
                mutating=True,
            )
            ids.append(str(body.get("sms", "")))
        if not ids[0]:
            raise CarrierError("invalid_response", "sendSMS: no message id")
        return ids[0]

    def send_mms(self, reseller_id: int, did: str, dst: str, message: str, media: list[str]) -> str:
        """sendMMS with up to three pictures (`media1`..`media3`: URLs or data: URLs). Returns "mms-<id>"."""
        params = {"did": _did10(did), "dst": _did10(dst), "message": message}
        for i, item in enumerate(media[:3], start=1):
            params[f"media{i}"] = item
        body = self.call("sendMMS", params, mutating=True)
        mid = str(body.get("mms", ""))
        if not mid:
            raise CarrierError("invalid_response", "sendMMS: no message id")
        return f"mms-{mid}"

    def messages_since(self, reseller_id: int, since: datetime) -> list[CarrierMessage]:
        """Received SMS and MMS (getSMS / getMMS, type 1, UTC) after `since`, in 92-day windows, oldest first.

        MMS ids are prefixed `mms-` so an SMS and an MMS with the same number never collide.
        """
        if since.tzinfo is None or since.utcoffset() is None:
            raise ValueError("since must be timezone-aware")
        since = since.astimezone(UTC)
        end = datetime.now(UTC).date()
        start = max(since.date(), end - timedelta(days=365 * 2))
        found: dict[str, CarrierMessage] = {}
        while start <= end:
            stop = min(start + timedelta(days=MESSAGE_CHUNK_DAYS - 1), end)
            window = {
                "from": start.isoformat(),
                "to": stop.isoformat(),
                "type": "1",
                "timezone": "0",
                "limit": MESSAGE_LIMIT,
            }
            for method, kind in (("getSMS", "sms"), ("getMMS", "mms")):
                body = self.call(method, window)
                for row in as_list(body.get("sms")):  # getMMS lists under "sms" too
                    msg = parse_message(row, kind)
                    if msg is not None and msg.sent_at > since:
                        found[msg.carrier_id] = msg
            start = stop + timedelta(days=1)
        return sorted(found.values(), key=lambda m: (m.sent_at, m.carrier_id))

    def sms_costs_path(self) -> Path | None:
        """The sms section shipped beside the deck (VoIP.ms's per-message figures are not in its API)."""
        path = self._deck_path.with_name("deck_sms.csv")
        return path if path.is_file() else None


def wire(target: Target) -> str:
    """A routing target as VoIP.ms reads it; CarrierError for one its API cannot name."""
    if target.kind in _UNROUTABLE:
        raise CarrierError("unsupported_routing", f"VoIP.ms's API cannot route calls to {_UNROUTABLE[target.kind]}")
    if target.kind not in ROUTING_HEADERS:
        raise CarrierError("invalid_routing_header", target.kind)
    return target.wire()


def _members(members: tuple[MemberSpec, ...]) -> str:
    return ";".join(f"{wire(m.target)},{m.ring_time},{1 if m.press1 else 0}" for m in members)


def _nanp10(number: str) -> str:
    digits = _digits(number)
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def flow_params(spec: FlowSpec) -> dict[str, str]:
    """The set method's parameters for a spec (without its id), named as VoIP.ms's apidocs name them."""
    if isinstance(spec, RecordingSpec):
        params = {"name": spec.name}
        if spec.data is not None:
            params["file"] = base64.b64encode(spec.data).decode("ascii")
        return params
    if isinstance(spec, MusicOnHoldSpec):
        return {
            "name": spec.name,
            "description": spec.description,
            "volume": "1" if spec.quiet else "0",
            "sort": spec.sort,
            "recordings": ",".join(spec.recordings),
        }
    if isinstance(spec, IvrSpec):
        if not spec.recording:
            raise CarrierError("missing_recording", "VoIP.ms needs a greeting recording for an IVR")
        return {
            "name": spec.name,
            "recording": spec.recording,
            "timeout": str(spec.timeout),
            "language": spec.language,
            "voicemailsetup": "1",
            "choices": ";".join(f"{key}={wire(t)}" for key, t in spec.choices),
        }
    if isinstance(spec, RingGroupSpec):
        params = {"name": spec.name, "members": _members(spec.members), "voicemail": spec.voicemail or "0"}
        if spec.music_on_hold:
            params["music_on_hold"] = spec.music_on_hold
        params["language"] = spec.language
        return params
    if isinstance(spec, CallHuntingSpec):
        if not spec.recording:
            raise CarrierError("missing_recording", "VoIP.ms needs a recording for call hunting")
        return {
            "description": spec.description,
            "music": spec.music or "default",
            "recording": spec.recording,
            "language": spec.language,
            "order": spec.order,
            "members": ";".join(wire(m.target) for m in spec.members),
            "ring_time": ";".join(str(m.ring_time) for m in spec.members),
            "press": ";".join("1" if m.press1 else "0" for m in spec.members),
        }
    if isinstance(spec, TimeConditionSpec):
        rules = spec.rules
        return {
            "name": spec.name,
            "routing_match": wire(spec.match),
            "routing_nomatch": wire(spec.nomatch),
            "starthour": ";".join(str(r.start_hour) for r in rules),
            "startminute": ";".join(str(r.start_minute) for r in rules),
            "endhour": ";".join(str(r.end_hour) for r in rules),
            "endminute": ";".join(str(r.end_minute) for r in rules),
            "weekdaystart": ";".join(r.day_from for r in rules),
            "weekdayend": ";".join(r.day_to for r in rules),
        }
    if isinstance(spec, QueueSpec):
        params = {
            "queue_name": spec.name,
            "queue_number": str(spec.number),
            "queue_language": spec.language,
            "priority_weight": "1",
            "report_hold_time_agent": "no",
            "join_when_empty": spec.join_when_empty,
            "leave_when_empty": spec.leave_when_empty,
            "ring_strategy": spec.strategy,
            "ring_inuse": "no",
            "maximum_wait_time": str(spec.max_wait) if spec.max_wait else "unlimited",
            "fail_over_routing_timeout": wire(spec.failover),
        }
        if spec.music_on_hold:
            params["music_on_hold"] = spec.music_on_hold
        return params
    if isinstance(spec, ConferenceSpec):
        return {
            "name": spec.name,
            "description": spec.description or spec.name,
            "max_members": str(spec.max_members) if spec.max_members else "Unlimited",
        }
    if isinstance(spec, CallbackSpec):
        params = {
            "description": spec.description,
            "number": spec.number,
            "delay_before": str(spec.delay_before),
            "response_timeout": str(spec.response_timeout),
            "digit_timeout": str(spec.digit_timeout),
        }
        if spec.callerid_number:
            params["callerid_number"] = spec.callerid_number
        return params
    if isinstance(spec, DisaSpec):
        params = {"name": spec.name, "pin": spec.pin, "digit_timeout": str(spec.digit_timeout)}
        if spec.callerid_override:
            params["callerid_override"] = spec.callerid_override
        params["language"] = spec.language
        return params
    if isinstance(spec, PhonebookSpec):
        params = {"name": spec.name, "number": spec.number}
        for key in ("speed_dial", "callerid", "note"):
            value = getattr(spec, key)
            if value:
                params[key] = value
        return params
    raise CarrierError("invalid_kind", f"no VoIP.ms method for {spec.kind!r}")


def filter_params(spec: CallerIdFilterSpec, entry: str) -> dict[str, str]:
    """One setCallerIDFiltering rule: `0` for anonymous callers, NPANXXXXXX for a North American number."""
    if entry == "anonymous":
        callerid = "0"
    elif entry.endswith("*"):
        raise CarrierError("unsupported", "VoIP.ms filters match whole numbers, not prefixes")
    else:
        callerid = _nanp10(entry)
        if len(callerid) != 10:
            raise CarrierError("invalid_callerid", f"{entry}: VoIP.ms filters match North American numbers")
    did = spec.did if spec.did == "all" else _nanp10(spec.did)
    return {"callerid": callerid, "did": did, "routing": wire(spec.target), "note": spec.name}


def _did10(number: str) -> str:
    """A NANP number as VoIP.ms takes it: its last 10 digits."""
    digits = _digits(number)
    return digits[-10:] if len(digits) == 11 and digits.startswith("1") else digits


def _nanp11(number: str) -> str:
    digits = _digits(number)
    return "1" + digits if len(digits) == 10 else digits


def parse_message(row: dict, kind: str) -> CarrierMessage | None:
    """One getSMS/getMMS row (UTC, timezone=0) as a received CarrierMessage; None for a row that cannot be read."""
    try:
        mid = str(row["id"]).strip()
        sent_at = datetime.strptime(str(row["date"]), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except (KeyError, ValueError):
        log.warning("unreadable message row skipped: %r", row)
        return None
    if not mid or str(row.get("type", "1")).strip() != "1":
        return None
    media = tuple(str(u) for u in as_list(row.get("media")) if str(u).strip())
    return CarrierMessage(
        carrier_id=(f"mms-{mid}" if kind == "mms" else mid)[:64],
        sent_at=sent_at,
        direction="in",
        kind=kind,
        did=_nanp11(str(row.get("did", ""))),
        contact=_nanp11(str(row.get("contact", ""))),
        body=str(row.get("message") or ""),
        media=media,
    )


class UnreadableCdrError(ValueError):
    """A getCDR row that cannot be read; `record` says what and why."""

    def __init__(self, record: UnreadableRecord) -> None:
        super().__init__(record.reason)
        self.record = record


def _as_json(row: Any) -> str:  # noqa: ANN401 - whatever the carrier sent
    try:
        return json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(row)


def parse_cdr(row: Any) -> CarrierCdr:  # noqa: ANN401 - JSON of any shape
    """One getCDR row (dates in UTC, timezone=0) as a CarrierCdr; UnreadableCdrError for a row that cannot be read."""
    raw = _as_json(row)
    if not isinstance(row, dict):
        raise UnreadableCdrError(UnreadableRecord(raw, "not a call record"))
    uid = str(row.get("uniqueid", "") or "").strip()
    when = str(row.get("date", "") or "")

    def unreadable(reason: str) -> UnreadableCdrError:
        return UnreadableCdrError(UnreadableRecord(raw, reason[:255], uid[:64], when[:40]))

    if not uid:
        raise unreadable("no uniqueid")
    try:
        start = datetime.strptime(when, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        raise unreadable(f"bad date {when[:40]!r}") from None
    seconds_text = str(row.get("seconds") or "0")
    try:
        seconds = int(seconds_text)
    except ValueError:
        raise unreadable(f"bad seconds {seconds_text[:40]!r}") from None
    total = str(row.get("total") or "").strip()
    try:
        cost = abs(Decimal(total)) if total else None
    except InvalidOperation:
        raise unreadable(f"bad total {total[:40]!r}") from None
    if cost is not None and not cost.is_finite():
        raise unreadable(f"bad total {total[:40]!r}")
    description = str(row.get("description", ""))
    inbound = "inbound" in description.lower()
    destination = _digits(str(row.get("destination", "")))
    disposition = str(row.get("disposition", "")).strip().upper()
    if disposition not in RECORDED_DISPOSITIONS:
        disposition = Disposition.FAILED.value
    return CarrierCdr(
        uniqueid=uid[:64],
        start=start,
        direction="in" if inbound else "out",
        account=str(row.get("account", ""))[:64],
        callerid=str(row.get("callerid", "")),
        destination=destination,
        duration=max(seconds, 0),
        disposition=disposition,
        carrier_cost=cost,
        did=destination if inbound else None,
    )
