"""The ledger's built-in descriptions in the reader's language, at display time (stored rows are never rewritten).

The system writes a posting's description in English ("Call to 15145550000 (65s)", "Card deposit", "Phone number
15145550000 (2026-11-01 to 2026-12-01)"); a reseller's own words (a manual payment's or charge's description, a
package's or a tax's name) stay as typed. `posting()` recognises the system's wordings by their shape and gives
them in the current language, with the values (numbers, names, dates) put back in; anything else is shown as is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from reseller_app import i18n
from reseller_app.i18n import N_, _
from reseller_app.services.common import format as fmt

# Whole descriptions without values.
FIXED = {
    "Card deposit": N_("Card deposit"),
    "Automatic top-up by card": N_("Automatic top-up by card"),
    "PayPal deposit": N_("PayPal deposit"),
    "Card refund": N_("Card refund"),
    "Reversal": N_("Reversal"),
    "e911 record": N_("e911 record"),
}

_DAY = r"\d{4}-\d{2}-\d{2}"
_PERIOD = re.compile(rf"^(?P<head>.+) \((?P<start>{_DAY}) to (?P<end>{_DAY})\)$")


def _values(m: re.Match[str]) -> dict[str, str]:
    return {k: v for k, v in m.groupdict().items() if v is not None}


# (shape of the English description, message id with the same {names}); the first that matches is used.
_SMS = r"^(?P<kind>SMS|MMS) (?:to|from) (?P<number>\+\d+)"
SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^Call to (?P<number>.+) \((?P<seconds>\d+)s\)$"), N_("Call to {number} ({seconds} s)")),
    (re.compile(r"^Call from (?P<number>.+) \((?P<seconds>\d+)s\)$"), N_("Call from {number} ({seconds} s)")),
    (re.compile(_SMS.replace("(?:to|from)", "to") + r", (?P<parts>\d+) parts$"),
     N_("{kind} to {number}, {parts} parts")),
    (re.compile(_SMS.replace("(?:to|from)", "from") + r", (?P<parts>\d+) parts$"),
     N_("{kind} from {number}, {parts} parts")),
    (re.compile(_SMS.replace("(?:to|from)", "to") + "$"), N_("{kind} to {number}")),
    (re.compile(_SMS.replace("(?:to|from)", "from") + "$"), N_("{kind} from {number}")),
    (re.compile(r"^Phone number (?P<number>\S+) setup fee$"), N_("Phone number {number} setup fee")),
    (re.compile(r"^Phone number (?P<number>\S+)$"), N_("Phone number {number}")),
    (re.compile(r"^Fax number (?P<number>\S+)$"), N_("Fax number {number}")),
    (re.compile(r"^Fax number setup fee: (?P<number>\S+)$"), N_("Fax number setup fee: {number}")),
    (re.compile(r"^DID setup fee: (?P<number>\S+)$"), N_("Phone number setup fee: {number}")),
    (re.compile(r"^e911 setup fee, (?P<number>\S+)$"), N_("e911 setup fee, {number}")),
    (re.compile(r"^Setup fee: package (?P<package>.+) on (?P<account>\S+)$"),
     N_("Setup fee: package {package} on {account}")),
    (re.compile(r"^(?P<package>.+) monthly fee, (?P<account>\S+)$"), N_("{package} monthly fee, {account}")),
    (re.compile(r"^Card refund \(part of (?P<amount>[\d.]+)\)$"), N_("Card refund (part of {amount})")),
)  # fmt: skip


# An invoice's usage line: "Outbound calls (3 calls, 0:02:05 billed)" (services/invoicing/issue.py).
USAGE = {
    "Outbound calls": N_("Outbound calls"),
    "Inbound calls": N_("Inbound calls"),
    "Faxes": N_("Faxes"),
    "Messages": N_("Messages"),
}
_USAGE = re.compile(
    r"^(?P<what>Outbound calls|Inbound calls|Faxes|Messages) \((?P<count>\d+) (?P<noun>calls?|fax(?:es)?|messages?)"
    r"(?:, (?P<billed>\d+:\d{2}:\d{2}) billed)?\)$"
)


def _usage(m: re.Match[str]) -> str:
    n = int(m["count"])
    if m["noun"].startswith("call"):
        count = i18n.ngettext("{n} call", "{n} calls", n)
    elif m["noun"].startswith("fax"):
        count = i18n.ngettext("{n} fax", "{n} faxes", n)
    else:
        count = i18n.ngettext("{n} message", "{n} messages", n)
    count = count.format(n=fmt.number(n))
    if m["billed"]:
        count = _("{count}, {duration} billed").format(count=count, duration=m["billed"])
    return _("{what} ({count})").format(what=_(USAGE[m["what"]]), count=count)


def _manual(kind: str, reference: str) -> bool:
    """A reseller's manual payment or charge: its description is the reseller's own words."""
    return kind in ("payment", "charge") and reference.startswith(f"{kind}:")


def _words(text: str, recurse: Callable[[str], str]) -> str:
    if text in FIXED:
        return _(FIXED[text])
    if text.startswith("Reversal of: "):
        return _("Reversal of: {description}").format(description=recurse(text[len("Reversal of: ") :]))
    period = _PERIOD.match(text)
    if period:
        start, end = date.fromisoformat(period["start"]), date.fromisoformat(period["end"])
        return _("{description} ({start} to {end})").format(
            description=recurse(period["head"]), start=fmt.day(start), end=fmt.day(end)
        )
    usage = _USAGE.match(text)
    if usage:
        return _usage(usage)
    for shape, message in SHAPES:
        m = shape.match(text)
        if m:
            return _(message).format(**_values(m))
    return text


def _translate(text: str) -> str:
    return _words(text, _translate)


def posting(description: str, kind: str = "", reference: str = "") -> str:
    """A ledger entry's description for a client in the current language (English and the reseller's own words:
    unchanged). `kind` and `reference` tell a reseller's manual posting, whose words are never translated."""
    if i18n.current_language() == i18n.SOURCE or _manual(kind, reference):
        return description
    if kind == "credit":  # "CN-0003: <the invoice line's description>"
        number, sep, rest = description.partition(": ")
        return f"{number}{sep}{_translate(rest)}" if sep else description
    return _translate(description)
