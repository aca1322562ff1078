"""The client's white-label pages: dashboard, balance, call history and services."""

from __future__ import annotations

import reflex as rx

from reseller_app.components.deposit import deposit_panel
from reseller_app.components.layout import client_button, client_layout, client_panel
from reseller_app.state.portal.client import CALL_TYPES, ClientState, ServicesState

S = ClientState.summary
SV = ServicesState
SELECT_STYLE = {"padding": "0.35em", "border_radius": "4px", "border": "1px solid #d1d5db", "font_size": "14px"}


def _figure(label: str, value: rx.Var, elem_id: str) -> rx.Component:
    return client_panel(label, rx.text(value, size="6", weight="bold", id=elem_id), flex="1", min_width="180px")


def _empty(text: str) -> rx.Component:
    return rx.text(text, size="2", color="gray", padding="0.5em 0")


def _scroll(table: rx.Component) -> rx.Component:
    return rx.box(table, overflow_x="auto", width="100%")


# Columns a phone leaves out (shown from 768 px on): the tables keep dates, numbers, results and amounts.
WIDE_ONLY = {"direction", "account", "rate", "type"}
# Columns whose text wraps (the others stay on one line).
WRAPPED = {"description"}


def _shown(column: str) -> dict:
    return {"display": ["none", "none", "table-cell"]} if column in WIDE_ONLY else {}


def _cell(row: rx.Var, column: str) -> rx.Component:
    value = row[column].to(str)
    if column == "date":  # on a narrow screen the time goes under the day; the day itself never breaks
        parts = value.split(" ")
        day, time = (rx.el.span(parts[i], white_space="nowrap") for i in (0, 1))
        return rx.table.cell(day, " ", time, white_space="normal", **_shown(column))
    return rx.table.cell(value, white_space="normal" if column in WRAPPED else "nowrap", **_shown(column))


def _table(headers: list[str], rows: rx.Var, cells: list[str], empty: str, table_id: str = "") -> rx.Component:
    return rx.cond(
        rows.length() > 0,
        _scroll(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[rx.table.column_header_cell(h, **_shown(c)) for h, c in zip(headers, cells, strict=True)]
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        rows,
                        lambda r: rx.table.row(*[_cell(r, c) for c in cells]),
                    )
                ),
                size="1",
                width="100%",
                id=table_id or None,
            )
        ),
        _empty(empty),
    )


def _refused() -> rx.Component:
    return client_panel("Not available", rx.text("This page is not part of your service."), width="100%")


def _balance_figures() -> rx.Component:
    return rx.flex(
        client_panel(
            "Balance",
            rx.text(
                S["balance"],
                size="7",
                weight="bold",
                color=rx.cond(ClientState.balance_negative, "#b91c1c", "inherit"),
                id="balance",
            ),
            rx.cond(
                S["status"] == "SUSPENDED",
                rx.text(
                    "Your account is suspended because your balance is at or below zero. "
                    "Add funds to restore your service.",
                    size="2",
                    color="#b91c1c",
                    id="suspended-note",
                ),
            ),
            flex="1",
            min_width="200px",
        ),
        rx.cond(~ClientState.simple_view, _figure("Spent this month", S["month_spent"], "month-spent")),
        rx.cond(~ClientState.simple_view, _figure("Spent today", S["today_spent"], "today-spent")),
        gap="1em",
        wrap="wrap",
        width="100%",
    )


def dashboard() -> rx.Component:
    """The first page a client sees: the reseller's welcome text, balance and recent calls (kept live)."""
    return client_layout(
        rx.vstack(
            rx.heading("Hello, ", S["firstname"], size="6"),
            rx.box(rx.html(ClientState.welcome_html), width="100%", class_name="welcome"),
            _balance_figures(),
            client_panel(
                "Recent calls",
                _table(
                    ["Date", "Direction", "Number", "Sub-account", "Result", "Duration", "Price"],
                    ClientState.calls,
                    ["date", "direction", "number", "account", "disposition", "duration", "price"],
                    "No calls yet.",
                ),
                width="100%",
            ),
            spacing="4",
            width="100%",
        )
    )


def _pager(page: rx.Var, pages: rx.Var, handler, prefix: str) -> rx.Component:  # noqa: ANN001
    return rx.hstack(
        client_button("Previous", size="1", on_click=handler(-1), disabled=page <= 1, id=f"{prefix}-prev"),
        rx.text("Page ", page, " of ", pages, size="2", id=f"{prefix}-page"),
        client_button("Next", size="1", on_click=handler(1), disabled=page >= pages, id=f"{prefix}-next"),
        align="center",
        margin_top="0.75em",
    )


def balance() -> rx.Component:
    """The balance and the transaction history."""
    return client_layout(
        rx.vstack(
            rx.heading("Balance", size="6"),
            rx.cond(
                ClientState.page_refused,
                _refused(),
                rx.vstack(
                    _balance_figures(),
                    deposit_panel(),
                    client_panel(
                        "Transaction history",
                        _table(
                            ["Date", "Type", "Description", "Amount"],
                            ClientState.transactions,
                            ["date", "type", "description", "amount"],
                            "No transactions yet.",
                            "transactions",
                        ),
                        _pager(ClientState.tx_page, ClientState.tx_pages, ClientState.tx_next, "tx"),
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


def _labelled(label: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(label, size="1", weight="medium"), control, spacing="1")


def _filters() -> rx.Component:
    return rx.flex(
        _labelled(
            "From",
            rx.input(type="date", value=ClientState.f_from, on_change=ClientState.set_from, id="f-from"),
        ),
        _labelled("To", rx.input(type="date", value=ClientState.f_to, on_change=ClientState.set_to, id="f-to")),
        _labelled(
            "Sub-account",
            rx.el.select(
                rx.el.option("All sub-accounts", value="all"),
                rx.foreach(ClientState.sub_choices, lambda s: rx.el.option(s["account"], value=s["id"])),
                value=ClientState.f_sub,
                on_change=ClientState.set_sub,
                id="f-sub",
                style=SELECT_STYLE,
            ),
        ),
        rx.cond(
            ~ClientState.simple_view,
            rx.flex(
                *[
                    rx.checkbox(
                        label,
                        checked=ClientState.f_types.contains(key),
                        on_change=lambda on, k=key: ClientState.toggle_type(k, on),
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
        client_button("Apply", on_click=ClientState.apply_filters, id="apply-filters"),
        # The browser fetches the file itself (a router link would navigate instead of downloading).
        client_button(
            "Export CSV",
            "success",
            on_click=rx.download(url=ClientState.export_url, filename="calls.csv"),
            id="export-csv",
        ),
        gap="1em",
        wrap="wrap",
        align="end",
    )


def calls() -> rx.Component:
    """The call history: filters, server-side pages and a CSV export, in the client's time zone."""
    headers = ["Date", "Direction", "Caller ID", "Destination", "Sub-account", "Result", "Duration", "Rate", "Price"]
    cells = ["date", "direction", "callerid", "destination", "account", "disposition", "duration", "rate", "price"]
    return client_layout(
        rx.vstack(
            rx.heading("Call history", size="6"),
            rx.cond(
                ClientState.page_refused,
                _refused(),
                rx.vstack(
                    client_panel("Filters", _filters(), width="100%"),
                    rx.cond(
                        ClientState.call_error != "",
                        rx.callout(ClientState.call_error, color_scheme="red", icon="triangle-alert", id="call-error"),
                    ),
                    client_panel(
                        "Calls",
                        rx.text("Matching calls: ", ClientState.call_total, size="2", id="call-total"),
                        _table(headers, ClientState.call_rows, cells, "No calls yet.", "call-table"),
                        _pager(ClientState.call_page, ClientState.call_pages, ClientState.calls_next, "calls"),
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


# --- Services ---------------------------------------------------------------------------------------------


def _on(service: str) -> rx.Var:
    return SV.services.contains(service)


def _err(key: str) -> rx.Component:
    return rx.cond(SV.errors.contains(key), rx.text(SV.errors[key], size="1", color="#b91c1c", id=f"err-{key}"))


def _field(label: str, name: str, **props) -> rx.Component:  # noqa: ANN003
    return rx.vstack(
        rx.text(label, size="1", weight="medium", as_="label", html_for=name),
        rx.input(name=name, id=name, size="2", **props),
        _err(name),
        spacing="1",
        min_width="140px",
        flex="1",
    )


def _action_table(headers: list[str], rows: rx.Var, cells: list[str], action, empty: str) -> rx.Component:  # noqa: ANN001
    return rx.cond(
        rows.length() > 0,
        _scroll(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in [*headers, ""]])),
                rx.table.body(
                    rx.foreach(
                        rows, lambda r: rx.table.row(*[rx.table.cell(r[c]) for c in cells], rx.table.cell(action(r)))
                    )
                ),
                size="1",
                width="100%",
            )
        ),
        _empty(empty),
    )


def _subaccounts() -> rx.Component:
    def edit(r: rx.Var) -> rx.Component:
        return rx.cond(
            r["editable"] != "",
            client_button("Edit", size="1", on_click=SV.open_edit(r["id"]), id=f"edit-{r['account']}"),
        )

    headers = ["Sub-account", "Description", "Package", "Status"]
    cells = ["account", "description", "package", "status"]
    edit_form = rx.cond(
        SV.edit_sub != "",
        rx.form(
            rx.flex(
                rx.foreach(
                    SV.edit_fields,
                    lambda f: rx.vstack(
                        rx.text(f, size="1", weight="medium"),
                        rx.input(name=f, default_value=SV.edit_values[f], id=f"sub-{f}", size="2"),
                        rx.cond(SV.errors.contains(f), rx.text(SV.errors[f], size="1", color="#b91c1c")),
                        spacing="1",
                    ),
                ),
                client_button("Save", "success", type="submit", id="save-sub"),
                client_button("Cancel", "exit", type="button", on_click=SV.close_forms),
                gap="1em",
                wrap="wrap",
                align="end",
            ),
            on_submit=SV.save_edit,
            reset_on_submit=False,
            margin_top="1em",
        ),
    )
    return client_panel(
        "Sub-accounts",
        rx.cond(
            SV.show_sip_password,
            _action_table([*headers, "SIP/IAX password"], SV.subaccounts, [*cells, "password"], edit, "None yet."),
            _action_table(headers, SV.subaccounts, cells, edit, "No sub-accounts yet."),
        ),
        edit_form,
        width="100%",
    )


def _numbers() -> rx.Component:
    def e911_button(r: rx.Var) -> rx.Component:
        return rx.cond(
            _on("e911") & (r["e911"] == "No"),
            client_button("Add e911", size="1", on_click=SV.open_e911(r["id"]), id=f"e911-{r['number']}"),
        )

    buy = rx.cond(
        SV.did_purchase,
        rx.box(
            rx.heading("Buy a number", size="3", margin_top="1em"),
            rx.cond(
                SV.suspended,
                rx.text(
                    "Your account is suspended: add funds before buying numbers.", color="#b91c1c", id="buy-suspended"
                ),
                rx.flex(
                    _labelled(
                        "Number",
                        rx.el.select(
                            rx.foreach(
                                SV.offers,
                                lambda o: rx.el.option(o["number"], " · ", o["rate_center"], value=o["number"]),
                            ),
                            value=SV.buy_number,
                            on_change=SV.set_buy_number,
                            id="buy-number",
                            style=SELECT_STYLE,
                        ),
                    ),
                    _labelled(
                        "Rings",
                        rx.el.select(
                            rx.el.option("No sub-account yet", value="none"),
                            rx.foreach(SV.subaccounts, lambda s: rx.el.option(s["account"], value=s["id"])),
                            on_change=SV.set_buy_sub,
                            id="buy-sub",
                            style=SELECT_STYLE,
                        ),
                    ),
                    rx.text(
                        "Setup fee ",
                        SV.data["did_setup"],
                        " (taken from your balance now), then ",
                        SV.data["did_monthly"],
                        " a month.",
                        size="2",
                        id="did-fees",
                    ),
                    client_button("Buy", "success", on_click=SV.buy, id="buy-did", disabled=SV.buy_number == ""),
                    gap="1em",
                    wrap="wrap",
                    align="end",
                ),
            ),
            _err("number"),
        ),
    )
    return client_panel(
        "Phone numbers",
        _action_table(
            ["Number", "Rate centre", "Rings", "Monthly", "e911"],
            SV.dids,
            ["number", "rate_center", "routes_to", "monthly", "e911"],
            e911_button,
            "No numbers yet.",
        ),
        buy,
        width="100%",
    )


def _e911() -> rx.Component:
    form = rx.cond(
        SV.e911_did != "",
        rx.form(
            rx.flex(
                _field("Full name", "full_name"),
                _field("Address", "address"),
                _field("City", "city"),
                _field("State / province", "state"),
                _field("ZIP / postal code", "zip"),
                _field("Country (US or CA)", "country", default_value="US", max_length=2),
                gap="1em",
                wrap="wrap",
            ),
            _err("did"),
            rx.hstack(
                client_button("Save e911 record", "success", type="submit", id="save-e911"),
                client_button("Cancel", "exit", type="button", on_click=SV.close_forms),
                margin_top="0.75em",
            ),
            on_submit=SV.add_e911,
            reset_on_submit=False,
            margin_top="1em",
        ),
    )
    return client_panel(
        "e911",
        rx.text(
            "Emergency address records: ",
            SV.data["e911_setup"],
            " setup, ",
            SV.data["e911_monthly"],
            " a month per number.",
            size="2",
        ),
        _action_table(
            ["Number", "Name", "Address", "Monthly"],
            SV.e911,
            ["number", "name", "address", "monthly"],
            lambda r: client_button("Remove", "delete", size="1", on_click=SV.remove_e911(r["id"])),
            "No e911 records.",
        ),
        form,
        width="100%",
    )


def _voicemail() -> rx.Component:
    return client_panel(
        "Voicemail",
        _action_table(
            ["Mailbox", "Name", "Email"],
            SV.voicemails,
            ["mailbox", "name", "email"],
            lambda r: client_button("Delete", "delete", size="1", on_click=SV.delete_voicemail(r["id"])),
            "No voicemail boxes.",
        ),
        rx.form(
            rx.flex(
                _field("Mailbox", "mailbox"),
                _field("Name", "name"),
                _field("PIN", "pin", type="password"),
                _field("Email messages to", "email", type="email"),
                client_button("Add voicemail", type="submit", id="add-voicemail"),
                gap="1em",
                wrap="wrap",
                align="end",
            ),
            on_submit=SV.add_voicemail,
            reset_on_submit=True,
            margin_top="1em",
        ),
        width="100%",
    )


def _forwarding() -> rx.Component:
    return client_panel(
        "Call forwarding",
        _action_table(
            ["Forward to", "Description"],
            SV.forwardings,
            ["phone_number", "description"],
            lambda r: client_button("Delete", "delete", size="1", on_click=SV.delete_forwarding(r["id"])),
            "No call forwarding.",
        ),
        rx.form(
            rx.flex(
                _field("Phone number", "phone_number"),
                _field("Description", "description"),
                client_button("Add forwarding", type="submit", id="add-forwarding"),
                gap="1em",
                wrap="wrap",
                align="end",
            ),
            on_submit=SV.add_forwarding,
            reset_on_submit=True,
            margin_top="1em",
        ),
        width="100%",
    )


def _fax() -> rx.Component:
    return client_panel(
        "Fax",
        _table(
            ["Fax number", "Rate centre", "Monthly"], SV.faxes, ["number", "rate_center", "monthly"], "No fax numbers."
        ),
        rx.heading("Fax history", size="3", margin_top="1em"),
        _table(
            ["Date", "Direction", "Remote number", "Pages", "Status", "Price"],
            SV.fax_rows,
            ["date", "direction", "remote", "pages", "status", "price"],
            "No faxes yet.",
        ),
        _pager(SV.fax_page, SV.fax_pages, SV.fax_next, "fax"),
        width="100%",
    )


def services() -> rx.Component:
    """The services the package or the reseller allows: sub-accounts, numbers, e911, voicemail, forwarding, fax."""
    return client_layout(
        rx.vstack(
            rx.heading("Services", size="6"),
            rx.cond(SV.message != "", rx.callout(SV.message, icon="check", color_scheme="green", id="svc-message")),
            rx.cond(
                SV.errors.contains("form"),
                rx.callout(SV.errors["form"], icon="triangle-alert", color_scheme="red", id="svc-error"),
            ),
            rx.cond(_on("subaccounts"), _subaccounts()),
            rx.cond(_on("dids"), _numbers()),
            rx.cond(_on("e911"), _e911()),
            rx.cond(_on("voicemail"), _voicemail()),
            rx.cond(_on("forwarding"), _forwarding()),
            rx.cond(_on("fax"), _fax()),
            spacing="4",
            width="100%",
        )
    )
