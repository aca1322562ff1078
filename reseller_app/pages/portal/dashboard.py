"""The first page a client sees: the reseller's welcome text, balance and recent calls (kept live)."""

from __future__ import annotations

import reflex as rx

from reseller_app.components.layout import client_layout, client_panel, rich_text
from reseller_app.pages.portal.parts import S, balance_figures, portal_table
from reseller_app.state.i18n import t, t_format
from reseller_app.state.portal.shell import PortalState


def dashboard() -> rx.Component:
    """The first page a client sees: the reseller's welcome text, balance and recent calls (kept live)."""
    return client_layout(
        rx.vstack(
            rx.heading(t_format("Hello, {name}", name=S["firstname"]), size="6"),
            rich_text(PortalState.welcome_html, class_name="welcome", id="welcome"),
            balance_figures(),
            client_panel(
                t("Recent calls"),
                portal_table(
                    [t("Date"), t("Direction"), t("Number"), t("Sub-account"), t("Result"), t("Duration"), t("Price")],
                    PortalState.recent_calls,
                    ["date", "direction", "number", "account", "disposition", "duration", "price"],
                    t("No calls yet."),
                ),
                width="100%",
            ),
            spacing="4",
            width="100%",
        )
    )
