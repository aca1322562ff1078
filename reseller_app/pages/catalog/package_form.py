"""The wizard's first five tabs: details (with the live example), fees, free minutes, system and services.

Every field shows the draft (PackageDraftState) and changes it through its own tab's state.
"""

from __future__ import annotations

import reflex as rx

from reseller_app.components.forms import field_error
from reseller_app.state.catalog.package_draft import PackageDraftState as D
from reseller_app.state.catalog.package_form import DetailsTab, FeesTab, FreeMinutesTab, ServicesTab, SystemTab

EDITABLE_LABELS = [
    ("password", "Password"),
    ("device_type", "Device type"),
    ("auth_type", "Authentication type"),
    ("callerid", "Caller ID override"),
    ("moh", "Music on hold"),
    ("codecs", "Allowed codecs"),
    ("dtmf", "DTMF mode"),
    ("nat", "NAT"),
]
SERVICE_LABELS = [
    ("subaccounts", "Sub-accounts"),
    ("dids", "Phone numbers (DIDs)"),
    ("e911", "e911"),
    ("voicemail", "Voicemail"),
    ("forwarding", "Call forwarding"),
    ("fax", "Fax"),
    ("cdr", "Call history (CDR)"),
    ("balance", "Balance"),
    ("timeconditions", "Time conditions"),
    ("ivr", "IVR"),
    ("ringgroups", "Ring groups"),
    ("callhunting", "Call hunting"),
    ("queues", "Call queues"),
    ("conferences", "Conferences"),
    ("callback", "Callback"),
    ("disa", "DISA"),
    ("callerid", "Caller ID filtering"),
    ("moh", "Music on hold"),
    ("recordings", "Recordings"),
    ("phonebook", "Phonebook"),
    ("messages", "Messages (SMS/MMS)"),
]


ROUTE_OPTIONS = [("value", "Value"), ("premium", "Premium")]


def _field(label: str, control: rx.Component, key: str, hint: str = "") -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="label"),
        control,
        rx.text(hint, size="1", color="gray") if hint else rx.fragment(),
        field_error(D.errors, key),
        spacing="1",
        width="100%",
        max_width="360px",
    )


def _text(tab: type[rx.State], key: str, label: str, hint: str = "", placeholder: str = "") -> rx.Component:
    return _field(
        label,
        rx.input(
            value=D.form[key],
            on_change=tab.set_field(key),
            id=f"pkg-{key}",
            placeholder=placeholder,
            width="100%",
            color_scheme=rx.cond(D.errors.contains(key), "red", "gray"),
        ),
        key,
        hint,
    )


def _choice(tab: type[rx.State], key: str, label: str, options: list[tuple[str, str]]) -> rx.Component:
    return _field(
        label,
        rx.select.root(
            rx.select.trigger(id=f"pkg-{key}", width="100%"),
            rx.select.content(*[rx.select.item(text, value=value) for value, text in options]),
            value=D.form[key],
            on_change=tab.set_field(key),
        ),
        key,
    )


def _flag(tab: type[rx.State], key: str, label: str) -> rx.Component:
    return rx.text(
        rx.flex(
            rx.checkbox(checked=D.flags[key], on_change=tab.set_flag(key), id=f"pkg-{key}"),
            label,
            gap="0.5em",
            align="center",
        ),
        as_="label",
        size="2",
    )


def _ticks(tab: type[rx.State], field: str, items: list[tuple[str, str]]) -> rx.Component:
    return rx.flex(
        *[
            rx.text(
                rx.flex(
                    rx.checkbox(
                        checked=D.lists[field].contains(value), on_change=tab.toggle(value), id=f"tick-{field}-{value}"
                    ),
                    text,
                    gap="0.5em",
                    align="center",
                ),
                as_="label",
                size="2",
                min_width="200px",
            )
            for value, text in items
        ],
        wrap="wrap",
        spacing="3",
    )


def details_tab() -> rx.Component:
    """Details: name, markup, pulse, routes, free VoIP-to-VoIP calls, and the live example."""
    return rx.vstack(
        _text(DetailsTab, "name", "Package name", "Shown in your clients' transaction history."),
        rx.flex(
            _text(DetailsTab, "markup_fixed", "Outbound markup: fixed ($/min)", placeholder="0.0025"),
            _text(DetailsTab, "markup_percent", "Outbound markup: percent (%)", placeholder="20"),
            gap="1em",
            wrap="wrap",
            width="100%",
        ),
        _choice(
            DetailsTab, "pulse", "Pulse (billing increment, seconds)", [(p, f"{p} s") for p in ("1", "6", "30", "60")]
        ),
        rx.flex(
            _choice(DetailsTab, "canada_route", "Canada route", ROUTE_OPTIONS),
            _choice(DetailsTab, "international_route", "International route", ROUTE_OPTIONS),
            gap="1em",
            wrap="wrap",
            width="100%",
        ),
        rx.text("The United States always use the Premium route.", size="1", color="gray"),
        _flag(DetailsTab, "onnet_free", "VoIP-to-VoIP calls are free"),
        rx.card(
            rx.vstack(
                rx.text("Live example", weight="bold", size="2"),
                rx.flex(
                    rx.vstack(
                        rx.text(
                            "Sample destination", size="1", weight="medium", as_="label", html_for="sample-destination"
                        ),
                        rx.input(
                            value=DetailsTab.sample_destination,
                            on_change=DetailsTab.set_sample_destination,
                            placeholder="e.g. 442071234567",
                            id="sample-destination",
                            width="240px",
                            max_width="100%",
                        ),
                        spacing="1",
                    ),
                    rx.vstack(
                        rx.text(
                            "or a carrier cost per minute",
                            size="1",
                            weight="medium",
                            as_="label",
                            html_for="sample-cost",
                        ),
                        rx.input(
                            value=DetailsTab.sample_cost,
                            on_change=DetailsTab.set_sample_cost,
                            placeholder="e.g. 0.009",
                            id="sample-cost",
                            width="200px",
                            max_width="100%",
                        ),
                        spacing="1",
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                rx.cond(
                    DetailsTab.example["error"] != "",
                    rx.text(DetailsTab.example["error"], color="orange", size="2"),
                    rx.vstack(
                        rx.text(DetailsTab.example["label"], size="1", color="gray"),
                        rx.text(DetailsTab.example["text"], size="4", weight="bold", id="example-line"),
                        spacing="0",
                    ),
                ),
                spacing="2",
            ),
            width="100%",
            max_width="560px",
        ),
        spacing="3",
        width="100%",
    )


def fees_tab() -> rx.Component:
    """Fees: monthly and setup fees, and whether clients may buy numbers."""
    return rx.vstack(
        _text(FeesTab, "monthly_fee", "Monthly fee ($)", "Charged per connected sub-account on each billing date."),
        _text(FeesTab, "setup_fee", "Setup fee ($)", "Charged once when the package is connected."),
        _flag(FeesTab, "allow_did_purchase", "Clients may buy phone numbers from their portal"),
        rx.text("Text messages (empty: the carrier's cost with this package's markup)", weight="bold", size="2"),
        _text(
            FeesTab, "sms_out_rate", "Outgoing SMS, per part ($)", "160 GSM-7 / 70 UCS-2 characters, 153 / 67 per part."
        ),
        _text(FeesTab, "sms_in_rate", "Incoming SMS, per message ($)", ""),
        _text(FeesTab, "mms_out_rate", "Outgoing MMS, per message ($)", ""),
        _text(FeesTab, "mms_in_rate", "Incoming MMS, per message ($)", ""),
        spacing="3",
    )


def free_minutes_tab() -> rx.Component:
    """Free minutes per billing cycle."""
    return rx.vstack(
        _text(
            FreeMinutesTab,
            "free_minutes",
            "Free minutes per billing cycle",
            "Inbound and outbound, counted in whole minutes from the billing date.",
        ),
        spacing="3",
    )


def system_tab() -> rx.Component:
    """Reseller system configuration: the sub-account settings the client may edit."""
    return rx.vstack(
        rx.text("The user can edit these sub-account settings:", size="2"),
        _ticks(SystemTab, "subaccount_editable", EDITABLE_LABELS),
        field_error(D.errors, "subaccount_editable"),
        spacing="3",
    )


def services_tab() -> rx.Component:
    """Services configuration: the reseller's defaults, or the package's own view and services."""
    return rx.vstack(
        _choice(
            ServicesTab,
            "service_config",
            "Type of configuration",
            [("default", "Default configuration (your services settings)"), ("package", "Package configuration")],
        ),
        rx.cond(
            D.form["service_config"] == "package",
            rx.vstack(
                _choice(
                    ServicesTab,
                    "view_setting",
                    "View setting",
                    [
                        ("standard", "Standard view"),
                        ("simple", "Simple view"),
                        ("simple_hide", "Simple view (hide services page)"),
                    ],
                ),
                rx.text("Services shown:", size="2"),
                _ticks(ServicesTab, "services", SERVICE_LABELS),
                field_error(D.errors, "services"),
                spacing="3",
            ),
            rx.text("The client sees the services of your Reseller configuration.", size="2", color="gray"),
        ),
        spacing="3",
    )
