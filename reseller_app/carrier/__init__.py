"""Upstream carrier adapters behind one interface (`Carrier`); the embedded sandbox is the default."""

from .base import (
    Carrier,
    CarrierCdr,
    CarrierError,
    CarrierMessage,
    CdrFetch,
    DidOffer,
    UnreadableRecord,
    get_carrier,
)

__all__ = [
    "Carrier",
    "CarrierCdr",
    "CarrierError",
    "CarrierMessage",
    "CdrFetch",
    "DidOffer",
    "UnreadableRecord",
    "get_carrier",
]
