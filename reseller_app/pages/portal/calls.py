"""The client's call history: filters, server-side pages and a CSV export, in the client's time zone."""

from __future__ import annotations

import reflex as rx

from reseller_app.components.layout import client_button, client_layout, client_panel
from reseller_app.pages.portal.parts import SELECT_STYLE, labelled, portal_pager, portal_table, refused
from reseller_app.state.i18n import t
from reseller_app.state.portal.calls import CALL_TYPES, CallsState
from reseller_app.state.portal.shell import PortalState


def _filters() -> rx.Component:
    return rx.flex(
        labelled(
            t("From"),
            rx.input(type="date", value=CallsState.f_from, on_change=CallsState.set_from, id="f-from"),
        ),
        labelled(t("To"), rx.input(type="date", value=CallsState.f_to, on_change=CallsState.set_to, id="f-to")),
        labelled(
            t("Sub-account"),
            rx.el.select(
                rx.el.option(t("All sub-accounts"), value="all"),
                rx.foreach(CallsState.sub_choices, lambda s: rx.el.option(s["account"], value=s["id"])),
                value=CallsState.f_sub,
                on_change=CallsState.set_sub,
                id="f-sub",
                style=SELECT_STYLE,
            ),
        ),
        rx.cond(
            ~CallsState.simple_view,
            rx.flex(
                *[
                    rx.checkbox(
                        t(label),
                        checked=CallsState.f_types.contains(key),
                        on_change=lambda on, k=key: CallsState.toggle_type(k, on),
                        id=f"type-{key}",
                    )
                    for key, label in CALL_TYPES
                ],
                gap="1em",
                wrap="wrap",
                align="center",
                id="call-types",
            ),
        ),
        client_button(t("Apply"), on_click=CallsState.apply_filters, id="apply-filters"),
        # The filters are checked first; then the browser fetches the file itself (a router link would navigate).
        client_button(t("Export CSV"), "success", on_click=CallsState.export, id="export-csv"),
        gap="1em",
        wrap="wrap",
        align="end",
    )


def calls() -> rx.Component:
    """The call history: filters, server-side pages and a CSV export, in the client's time zone."""
    headers = [
        t("Date"),
        t("Direction"),
        t("Caller ID"),
        t("Destination"),
        t("Sub-account"),
        t("Result"),
        t("Duration"),
        t("Rate"),
        t("Price"),
        t("Went to"),
    ]
    # "path": where an inbound call went through the client's call flow.
    cells = ["date", "direction", "callerid", "destination", "account", "disposition", "duration", "rate", "price"]
    cells += ["path"]
    return client_layout(
        rx.vstack(
            rx.heading(t("Call history"), size="6"),
            rx.cond(
                PortalState.page_refused,
                refused(),
                rx.vstack(
                    client_panel(t("Filters"), _filters(), width="100%"),
                    rx.cond(
                        CallsState.error != "",
                        rx.callout(CallsState.error, color_scheme="red", icon="triangle-alert", id="call-error"),
                    ),
                    client_panel(
                        t("Calls"),
                        rx.cond(
                            CallsState.total != "",
                            rx.text(t("Matching calls:"), " ", CallsState.total, size="2", id="call-total"),
                        ),
                        portal_table(
                            headers,
                            CallsState.rows,
                            cells,
                            rx.cond(CallsState.error != "", t("Correct the filters to see calls."), t("No calls yet.")),
                            "call-table",
                        ),
                        portal_pager(CallsState.page, CallsState.pages, CallsState.turn, "calls"),
                        width="100%",
                    ),
                    spacing="4",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        )
    )
