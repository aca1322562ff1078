"""The real carrier: VoIP.ms's REST API over httpx, with timeouts, backoff on rate limits and no double posting.

Read calls are retried on network errors and `api_limit_exceeded`. A call that changes something is retried only
when the request surely did not reach the carrier (connection refused, rate limited); after an ambiguous failure
(timeout while waiting for the answer) it asks the carrier whether the change happened instead of sending it again.
"""

from __future__ import annotations

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

log = logging.getLogger(__name__)

API_URL = "https://voip.ms/api/v1/rest.php"
# getCDR answers at most this many days per request, like the portal's own API.
CDR_CHUNK_DAYS = 92
DEFAULT_REGIONS = {"CAN": ("QC", "ON", "BC", "AB"), "USA": ("NY", "CA", "IL", "FL")}
# Statuses that mean "nothing to list", not an error.
_EMPTY = {"no_cdr", "no_did", "no_account", "no_rates", "no_subaccount", "no_sms"}
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
