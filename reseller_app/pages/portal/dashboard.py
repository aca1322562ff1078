"""The first page a client sees: the reseller's welcome text, balance and recent calls (kept live)."""

from __future__ import annotations

import reflex as rx

from reseller_app.components.layout import client_layout, client_panel, rich_text
from reseller_app.pages.portal.parts import S, balance_figures, portal_table
from reseller_app.state.portal.shell import PortalState


def dashboard() -> rx.Component:
    """The first page a client sees: the reseller's welcome text, balance and recent calls (kept live)."""
    return client_layout(
        rx.vstack(
            rx.heading("Hello, ", S["firstname"], size="6"),
            rich_text(PortalState.welcome_html, class_name="welcome", id="welcome"),
            balance_figures(),
            client_panel(
                "Recent calls",
                portal_table(
                    ["Date", "Direction", "Number", "Sub-account", "Result", "Duration", "Price"],
                    PortalState.recent_calls,
                    ["date", "direction", "number", "account", "disposition", "duration", "price"],
                    "No calls yet.",
                ),
                width="100%",
            ),
            spacing="4",
            width="100%",
        )
    )
