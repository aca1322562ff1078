"""The client's Call flows page: where each number rings, its diagram, and "what happens if…"."""

from __future__ import annotations

import reflex as rx

from reseller_app.components.layout import client_button, client_layout, client_panel
from reseller_app.pages.callflows.parts import err, field, options_select, row
from reseller_app.pages.portal.parts import empty, refused, scroll
from reseller_app.state.callflows.call_flows import CallFlowsState as CF  # noqa: N814 - short alias for the page
from reseller_app.state.i18n import t, t_format
from reseller_app.state.portal.shell import PortalState

# The colour of a diagram box's left edge by what it is.
KIND_COLOURS = {
    "number": "#111827",
    "tc": "#7c3aed",
    "ivr": "#2563eb",
    "grp": "#059669",
    "hunt": "#059669",
    "queue": "#059669",
    "account": "#0f766e",
    "vm": "#d97706",
    "filter": "#dc2626",
    "sys": "#6b7280",
}


def _numbers() -> rx.Component:
    def line(n: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(rx.text(n["display"], weight=rx.cond(n["id"] == CF.selected_id, "bold", "regular"))),
            rx.table.cell(n["routes_to"], white_space="normal"),
            rx.table.cell(client_button(t("Show"), size="1", on_click=CF.select(n["id"]), id="show-" + n["number"])),
        )

    return rx.cond(
        CF.numbers.length() > 0,
        scroll(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell(t("Number")),
                        rx.table.column_header_cell(t("Calls go to")),
                        rx.table.column_header_cell(""),
                    )
                ),
                rx.table.body(rx.foreach(CF.numbers, line)),
                size="1",
                width="100%",
                id="number-list",
            )
        ),
        empty(t("You have no phone numbers yet.")),
    )


def _route_form() -> rx.Component:
    def pick(label: rx.Var, key: str, blank: rx.Var) -> rx.Component:
        return field(label, options_select(CF.values, key, CF.choices, blank), CF.errors, key, min_width="200px")

    return rx.form(
        row(
            pick(t("Calls go to"), "routing", "—"),
            pick(t("When busy"), "failover_busy", t("No failover")),
            pick(t("When nobody answers"), "failover_noanswer", t("No failover")),
            pick(t("When unreachable"), "failover_unreachable", t("No failover")),
        ),
        err(CF.errors, "form"),
        client_button(t("Save routing"), "success", type="submit", id="save-routing", margin_top="0.75em"),
        on_submit=CF.save_route,
        reset_on_submit=False,
        key=CF.form_key,
        id="route-form",
        width="100%",
    )


def _box(r: rx.Var) -> rx.Component:
    colour = rx.match(r["kind"], *KIND_COLOURS.items(), "#9ca3af")
    return rx.hstack(
        rx.cond(r["edge"] != "", rx.badge(r["edge"], variant="soft", color_scheme="gray", size="1")),
        rx.box(
            rx.text(r["label"], weight="bold", size="2"),
            rx.cond(r["note"] != "", rx.text(r["note"], size="1", color="gray")),
            border_left="4px solid",
            border_color=colour,
            background="rgba(0,0,0,0.03)",
            padding="0.35em 0.75em",
            border_radius="4px",
            min_width="0",
        ),
        align="center",
        spacing="2",
        margin_left=r["indent"],
        class_name="flow-box",
    )


def _diagram() -> rx.Component:
    return rx.cond(
        CF.diagram.length() > 0,
        rx.vstack(rx.foreach(CF.diagram, _box), spacing="1", width="100%", id="flow-diagram", overflow_x="auto"),
        empty(t("Choose a number.")),
    )


def _simulator() -> rx.Component:
    form = rx.form(
        row(
            field(t("Date"), rx.input(type="date", name="day", id="f-day", default_value=CF.sim_day), CF.errors, "day"),
            field(t("Time"), rx.input(type="time", name="at", id="f-at", default_value=CF.sim_at), CF.errors, "at"),
            field(
                t("Keys pressed"),
                rx.input(name="keys", id="f-keys", default_value=CF.sim_keys, placeholder=t("e.g. 2")),
                CF.errors,
                "keys",
            ),
            field(
                t("Caller (optional)"),
                rx.input(name="caller", id="f-caller", default_value=CF.sim_caller, placeholder=t("empty = anonymous")),
                CF.errors,
                "caller",
            ),
        ),
        client_button(t("What happens?"), type="submit", id="simulate", margin_top="0.75em"),
        on_submit=CF.simulate,
        reset_on_submit=False,
        width="100%",
    )
    result = rx.cond(
        CF.sim.contains("path"),
        rx.vstack(
            rx.text(CF.sim["when"], size="1", color="gray"),
            rx.text(t("When someone answers:"), size="2", weight="medium"),
            rx.text(CF.sim["path"], id="sim-path", size="3", weight="bold"),
            rx.text(t_format("Ends: {how}", how=CF.sim["ended"]), size="2", id="sim-ended"),
            rx.cond(
                CF.sim["rang"] != "", rx.text(t_format("Rings: {who}", who=CF.sim["rang"]), size="2", id="sim-rang")
            ),
            rx.cond(
                CF.sim["differs"] == "1",
                rx.vstack(
                    rx.text(t("When nobody answers:"), size="2", weight="medium"),
                    rx.text(CF.sim["unanswered_path"], id="sim-unanswered", size="2"),
                    rx.text(t_format("Ends: {how}", how=CF.sim["unanswered_ended"]), size="2"),
                    spacing="1",
                ),
            ),
            spacing="1",
            padding="0.75em",
            border_radius="6px",
            background="rgba(0,0,0,0.03)",
            width="100%",
            id="sim-result",
        ),
    )
    return rx.vstack(form, result, spacing="3", width="100%")


def call_flows() -> rx.Component:
    """Every number: where its calls go (with failovers), the diagram of the flow, and a call simulator."""
    return client_layout(
        rx.vstack(
            rx.heading(t("Call flows"), size="6"),
            rx.cond(
                PortalState.page_refused | CF.refused,
                refused(),
                rx.vstack(
                    client_panel(t("Your numbers"), _numbers(), width="100%"),
                    rx.cond(
                        CF.message != "", rx.callout(CF.message, icon="check", color_scheme="green", id="cf-message")
                    ),
                    rx.cond(
                        CF.selected_id != "",
                        rx.vstack(
                            client_panel(t("Routing"), _route_form(), width="100%"),
                            client_panel(t("Call flow"), _diagram(), width="100%"),
                            client_panel(t("What happens if…"), _simulator(), width="100%"),
                            spacing="3",
                            width="100%",
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        )
    )
