"""SQLModel tables. Importing this package registers every table on SQLModel.metadata."""

from .catalog import AreaRate, FreeZone, Package
from .client import Client, Did, E911Record, Forwarding, SubAccount, Voicemail
from .jobs import JobLease, UnreadableCdr
from .ledger import Cdr, FaxRecord, FreeMinuteUsage, LedgerEntry, PaymentOrder
from .reports import CdrDaily
from .reseller import ApiCredential, Reseller, ResellerSettings
from .system import (
    AuditLog,
    LoginAttempt,
    LoginSession,
    OutboundEmail,
    PasswordResetToken,
    SandboxDid,
    SandboxSubAccount,
)
from .types import Money, UTCDateTime, utcnow

__all__ = [
    "ApiCredential",
    "AreaRate",
    "AuditLog",
    "Cdr",
    "CdrDaily",
    "Client",
    "Did",
    "E911Record",
    "FaxRecord",
    "Forwarding",
    "FreeMinuteUsage",
    "FreeZone",
    "JobLease",
    "LedgerEntry",
    "LoginAttempt",
    "LoginSession",
    "Money",
    "OutboundEmail",
    "Package",
    "PasswordResetToken",
    "PaymentOrder",
    "Reseller",
    "ResellerSettings",
    "SandboxDid",
    "SandboxSubAccount",
    "SubAccount",
    "UTCDateTime",
    "UnreadableCdr",
    "Voicemail",
    "utcnow",
]
