"""The closed vocabularies of billing: carrier routes and call dispositions, each named once.

Both are `str` enums, so a member equals (and hashes like) its text: rows, JSON and CSV keep plain strings,
and `Route.PREMIUM == "premium"`. Test membership of a string against the tuples (`ROUTES`, `DISPOSITIONS`);
`"x" in Route` raises on Python 3.11.
"""

from __future__ import annotations

from enum import StrEnum


class Route(StrEnum):
    """The carrier's two termination routes, each with its own rate deck."""

    VALUE = "value"
    PREMIUM = "premium"


class Disposition(StrEnum):
    """How a call ended, as the carrier's record says; only ANSWERED calls are billed."""

    ANSWERED = "ANSWERED"
    NO_ANSWER = "NO ANSWER"
    BUSY = "BUSY"
    FAILED = "FAILED"
    CONGESTION = "CONGESTION"

    @classmethod
    def parse(cls, text: str) -> Disposition:
        """The disposition a spelling means: case-insensitive, `_` counts as a space, "NOANSWER" too.

        ValueError names the accepted values.
        """
        d = " ".join(text.replace("_", " ").split()).upper()
        if d == "NOANSWER":
            d = cls.NO_ANSWER.value
        try:
            return cls(d)
        except ValueError:
            raise ValueError(f"disposition: {text!r} is not one of {', '.join(DISPOSITIONS)}") from None


ROUTES: tuple[str, ...] = tuple(r.value for r in Route)
DISPOSITIONS: tuple[str, ...] = tuple(d.value for d in Disposition)

# The call-type switches of a call-history filter (VoIP.ms getCDR's names) and the disposition each selects.
CALL_TYPES: dict[str, str] = {
    "answered": Disposition.ANSWERED.value,
    "noanswer": Disposition.NO_ANSWER.value,
    "busy": Disposition.BUSY.value,
    "failed": Disposition.FAILED.value,
}
# What a carrier's call record says (VoIP.ms's four words; its adapter records any other outcome as FAILED),
# so every stored call matches one of the CALL_TYPES. Rating CDR files also accepts CONGESTION.
RECORDED_DISPOSITIONS: tuple[str, ...] = tuple(CALL_TYPES.values())
