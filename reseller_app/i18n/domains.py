"""The one table of translation domains: which source files feed which catalogue (`make extract` reads it).

One domain per area of the client portal, so two people can translate two areas at once without touching the
same .po file. At run time every domain of a language is merged into one catalogue (reseller_app/i18n).
Paths are relative to the repository root; a folder means every .py file under it.
"""

from __future__ import annotations

DOMAINS: dict[str, tuple[str, ...]] = {
    # The client's login, signup, forgot and reset pages, their states and the client-facing access messages.
    "access": (
        "reseller_app/pages/access",
        "reseller_app/state/access",
        "reseller_app/state/portal/reset.py",
        "reseller_app/state/i18n.py",
        "reseller_app/components/language.py",
        "reseller_app/services/access/auth.py",
        "reseller_app/services/access/security.py",
        "reseller_app/services/access/signup.py",
        "reseller_app/services/access/password_reset.py",
        "reseller_app/services/access/abuse.py",
    ),
    # The client portal's shell and pages: dashboard, balance, calls, services, deposit and cards.
    "portal": (
        "reseller_app/pages/portal/parts.py",
        "reseller_app/pages/portal/dashboard.py",
        "reseller_app/pages/portal/balance.py",
        "reseller_app/pages/portal/calls.py",
        "reseller_app/pages/portal/services.py",
        "reseller_app/state/portal/shell.py",
        "reseller_app/state/portal/dashboard.py",
        "reseller_app/state/portal/balance.py",
        "reseller_app/state/portal/calls.py",
        "reseller_app/state/portal/services.py",
        "reseller_app/state/portal/deposit.py",
        "reseller_app/state/portal/cards.py",
        "reseller_app/components/layout.py",
        "reseller_app/components/forms.py",
        "reseller_app/components/pager.py",
        "reseller_app/components/deposit.py",
        "reseller_app/components/card_payments.py",
        "reseller_app/services/portal",
        "reseller_app/services/telephony/voicemail.py",  # the voicemail form's checks (Services page)
        "reseller_app/services/accounting/cards.py",  # the card panel's refusals
        "reseller_app/services/accounting/payments.py",  # the deposit panel's refusals
    ),
    # Shared words: field validation, formats, the emails' built-in texts, CSV headers, service errors.
    "common": (
        "reseller_app/services/common",
        "reseller_app/notify",
        "reseller_app/state/messages.py",
        "reseller_app/models/reseller.py",  # the built-in wording of the reseller's texts (emails, welcome)
    ),
    # The client's Messages page and the messaging messages it shows (sending, SMS settings, the CSV's header).
    "messaging": (
        "reseller_app/pages/messaging/inbox.py",
        "reseller_app/state/messaging/inbox.py",
        "reseller_app/services/messaging/messages.py",
        "reseller_app/services/messaging/inbox.py",
    ),
    # The client's Phone system and Call flows pages, and the call-flow messages, labels, diagram and simulator.
    "callflows": ("reseller_app/pages/callflows", "reseller_app/state/callflows", "reseller_app/services/callflows"),
    # The client's Invoices page and the invoicing messages it shows (statement dates, invoice kinds), the invoice
    # documents (HTML, PDF) and the invoice email's built-in wording.
    "invoicing": (
        "reseller_app/pages/invoicing/client_invoices.py",
        "reseller_app/state/invoicing/client_invoices.py",
        "reseller_app/services/invoicing/queries.py",
        "reseller_app/services/invoicing/documents.py",
        "reseller_app/models/invoicing.py",
    ),
    # The client's own two-factor sign-in: the portal's Security page and the panel it shares with the Staff page.
    "staff": (
        "reseller_app/pages/portal/security.py",
        "reseller_app/state/portal/security.py",
        "reseller_app/components/two_factor.py",
        "reseller_app/state/access/two_factor.py",
        "reseller_app/services/access/two_factor.py",
    ),
}

# The calls whose first string argument is a message id (`t` and `t_format` in components, `_` in Python).
KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "t": None,
    "t_format": None,
}
