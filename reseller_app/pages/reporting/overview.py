from __future__ import annotations

import reflex as rx

from reseller_app.components.layout import reseller_layout, stat_card
from reseller_app.state.reporting.overview import ResellerState

S = ResellerState.stats


def overview() -> rx.Component:
    """The reseller's home: clients, services and this month's money."""
    return reseller_layout(
        "Overview",
        rx.vstack(
            rx.cond(
                ~ResellerState.portal_active,
                rx.callout(
                    "Your client portal is not active yet: clients cannot sign in until you activate it.",
                    icon="info",
                    width="100%",
                ),
            ),
            rx.text("Clients", weight="bold"),
            rx.flex(
                stat_card("Active", S["clients_active"]),
                stat_card("Awaiting activation", S["clients_wait"]),
                stat_card("Suspended", S["clients_suspended"]),
                stat_card("Owed to you", S["owed"]),
                gap="1em",
                wrap="wrap",
                width="100%",
            ),
            rx.text("This month", weight="bold"),
            rx.flex(
                stat_card("Calls", S["month_calls"]),
                stat_card("Revenue", S["month_revenue"]),
                stat_card("Carrier cost", S["month_cost"]),
                stat_card("Profit", S["month_profit"], rx.cond(ResellerState.profit_negative, "red", "green")),
                gap="1em",
                wrap="wrap",
                width="100%",
            ),
            rx.text("Services", weight="bold"),
            rx.flex(
                stat_card("Packages", S["packages"]),
                stat_card("Sub-accounts", S["subaccounts"]),
                stat_card("Connected numbers", S["dids"]),
                gap="1em",
                wrap="wrap",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
    )
