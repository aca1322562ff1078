"""SQLModel tables. Importing this package registers every table on SQLModel.metadata."""

from .callflows import (
    Callback,
    CallerIdFilter,
    CallHunting,
    CallQueue,
    CallRecording,
    Conference,
    Disa,
    IvrMenu,
    MusicOnHold,
    PhonebookEntry,
    RingGroup,
    SandboxCallFlow,
    TimeCondition,
)
from .cards import CardPayment, CardProfile, StripeAccount
from .catalog import AreaRate, FreeZone, Package
from .client import Client, Did, E911Record, Forwarding, SubAccount, Voicemail
from .invoicing import BillingProfile, Invoice, InvoicedEntry, InvoiceLine, InvoiceTax, TaxRate
from .jobs import JobLease, UnreadableCdr
from .ledger import Cdr, FaxRecord, FreeMinuteUsage, LedgerEntry, PaymentOrder
from .messaging import Message
from .reports import CdrDaily
from .reseller import ApiCredential, Reseller, ResellerSettings
from .staff import StaffMember, TwoFactor
from .system import (
    AuditLog,
    EmailAttachment,
    LoginAttempt,
    LoginSession,
    OutboundEmail,
    PasswordResetToken,
    SandboxDid,
    SandboxSubAccount,
)
from .types import Money, UTCDateTime, utcnow

__all__ = [
    "CallHunting",
    "CallQueue",
    "CallRecording",
    "Callback",
    "CallerIdFilter",
    "Conference",
    "Disa",
    "IvrMenu",
    "MusicOnHold",
    "PhonebookEntry",
    "RingGroup",
    "SandboxCallFlow",
    "TimeCondition",
    "ApiCredential",
    "AreaRate",
    "AuditLog",
    "BillingProfile",
    "CardPayment",
    "CardProfile",
    "Cdr",
    "CdrDaily",
    "Client",
    "Did",
    "E911Record",
    "EmailAttachment",
    "FaxRecord",
    "Forwarding",
    "FreeMinuteUsage",
    "FreeZone",
    "Invoice",
    "InvoiceLine",
    "InvoiceTax",
    "InvoicedEntry",
    "JobLease",
    "LedgerEntry",
    "LoginAttempt",
    "LoginSession",
    "Message",
    "Money",
    "OutboundEmail",
    "Package",
    "PasswordResetToken",
    "PaymentOrder",
    "Reseller",
    "ResellerSettings",
    "SandboxDid",
    "SandboxSubAccount",
    "StaffMember",
    "StripeAccount",
    "SubAccount",
    "TaxRate",
    "TwoFactor",
    "UTCDateTime",
    "UnreadableCdr",
    "Voicemail",
    "utcnow",
]
