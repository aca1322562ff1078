"""Manage client's accounts: list, create, edit, manage, sub-account configuration and connecting numbers."""

from __future__ import annotations

import reflex as rx

from reseller_app import routes
from reseller_app.components.layout import empty_state, reseller_layout
from reseller_app.state.clients.accounts import (
    AUTH_TYPES,
    CODECS,
    DEVICE_TYPES,
    DTMF_MODES,
    NAT_MODES,
    ClientFormState,
    ClientListState,
    ManageState,
    NumbersState,
    SubAccountState,
)

CLIENTS = routes.RESELLER_CLIENTS


def status_badge(status: rx.Var) -> rx.Component:
    """ACTIVE green, WAIT orange, SUSPENDED red."""
    return rx.match(
        status,
        ("ACTIVE", rx.badge("ACTIVE", color_scheme="green")),
        ("WAIT", rx.badge("WAIT", color_scheme="orange")),
        ("SUSPENDED", rx.badge("SUSPENDED", color_scheme="red")),
        rx.badge(status),
    )


def _error(errors: rx.Var, key: str) -> rx.Component:
    return rx.cond(
        errors.contains(key),
        rx.text(errors[key], color="red", size="1", id=f"err-{key}"),
    )


def _table(headers: list[str], body: rx.Component) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            body,
            variant="surface",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
    )


# --- The list -------------------------------------------------------------------------------------------


def _client_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["id"]),
        rx.table.cell(rx.vstack(rx.text(row["email"]), rx.text(row["name"], size="1", color="gray"), spacing="0")),
        rx.table.cell(row["phone"], white_space="nowrap"),
        rx.table.cell(status_badge(row["status"])),
        rx.table.cell(row["last_login"], white_space="nowrap"),
        rx.table.cell(
            rx.text(row["balance"], color=rx.cond(row["balance_negative"] != "", "red", "inherit")),
            white_space="nowrap",
        ),
        rx.table.cell(
            rx.hstack(
                rx.link(
                    rx.button(rx.icon("pencil", size=14), "Edit", size="1", variant="soft"),
                    href=CLIENTS + "/" + row["id"] + "/edit",
                ),
                rx.link(
                    rx.button(rx.icon("settings", size=14), "Manage", size="1", variant="soft"),
                    href=CLIENTS + "/" + row["id"],
                ),
                rx.button(
                    rx.icon("log-in", size=14),
                    "Login as client",
                    size="1",
                    variant="soft",
                    color_scheme="gray",
                    on_click=ClientListState.login_as(row["id"]),
                ),
                spacing="2",
            )
        ),
        id="client-row-" + row["id"],
    )


def client_list() -> rx.Component:
    """Manage client's accounts: the searchable, paginated list with Edit, Manage and Login as client."""
    return reseller_layout(
        "Manage client's accounts",
        rx.vstack(
            rx.flex(
                rx.input(
                    placeholder="Search by id, email, name, company or phone",
                    value=ClientListState.search,
                    on_change=ClientListState.set_search.debounce(300),
                    width="100%",
                    max_width="420px",
                    id="client-search",
                ),
                rx.select(
                    ["all", "ACTIVE", "WAIT", "SUSPENDED"],
                    value=ClientListState.status,
                    on_change=ClientListState.set_status,
                ),
                rx.text(ClientListState.total, " client(s)", size="2", color="gray"),
                rx.spacer(),
                rx.link(
                    rx.button(rx.icon("user-plus", size=16), "Create a new client account", id="new-client"),
                    href=CLIENTS + "/new",
                ),
                gap="1em",
                align="center",
                wrap="wrap",
                width="100%",
            ),
            rx.cond(ClientListState.error != "", rx.callout(ClientListState.error, color_scheme="red")),
            rx.cond(
                ClientListState.rows.length() > 0,
                _table(
                    ["User ID", "Email / name", "Phone", "Status", "Last login", "Balance", ""],
                    rx.table.body(rx.foreach(ClientListState.rows, _client_row)),
                ),
                empty_state("No clients found", "Clients you create or who sign up appear here."),
            ),
            rx.hstack(
                rx.button("Previous", on_click=ClientListState.turn(-1), disabled=ClientListState.page <= 1, size="1"),
                rx.text("Page ", ClientListState.page, " of ", ClientListState.pages, size="2"),
                rx.button(
                    "Next",
                    on_click=ClientListState.turn(1),
                    disabled=ClientListState.page >= ClientListState.pages,
                    size="1",
                ),
                align="center",
            ),
            width="100%",
            spacing="3",
        ),
    )


# --- Create / edit --------------------------------------------------------------------------------------


def _field(label: str, key: str, kind: str = "text", placeholder: str = "") -> rx.Component:
    return rx.box(
        rx.text(label, size="2", weight="medium", as_="label", html_for=f"f-{key}"),
        rx.input(
            value=ClientFormState.values[key],
            on_change=ClientFormState.set_field(key),
            type=kind,
            id=f"f-{key}",
            placeholder=placeholder,
            width="100%",
        ),
        _error(ClientFormState.errors, key),
        width="100%",
    )


def _grid(*children: rx.Component) -> rx.Component:
    return rx.grid(*children, columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%")


def _client_form(submit_label: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text("Client information", weight="bold"),
            _grid(
                _field("First name *", "firstname"),
                _field("Last name", "lastname"),
                _field("Company", "company"),
                _field("Address", "address"),
                _field("City", "city"),
                _field("State", "state"),
                _field("Country (2 letters)", "country", placeholder="CA"),
                _field("Zip", "zip"),
                _field("Email (username)", "email", "email"),
                _field(
                    rx.cond(ClientFormState.cid != "", "New password (leave empty to keep)", "Password"),
                    "password",
                    "password",
                ),
                _field("Phone number", "phone_number", "tel"),
                _field("Next billing date", "next_billing_date", "date"),
            ),
            rx.box(
                rx.text("Balance management", size="2", weight="medium"),
                rx.radio_group(
                    ["SOFT", "HARD"],
                    value=ClientFormState.values["balance_management"],
                    on_change=ClientFormState.set_field("balance_management"),
                    direction="row",
                    id="f-balance_management",
                ),
                rx.text(
                    "HARD suspends the client and blocks its sub-accounts when the balance reaches 0; "
                    "a payment restores them. SOFT lets the balance go negative.",
                    size="1",
                    color="gray",
                ),
                _error(ClientFormState.errors, "balance_management"),
            ),
            rx.cond(ClientFormState.cid == "", _create_subaccount()),
            _error(ClientFormState.errors, "form"),
            rx.hstack(
                rx.button(submit_label, on_click=ClientFormState.save, id="save-client"),
                rx.link(rx.button("Cancel", variant="soft", color_scheme="gray"), href=CLIENTS),
                rx.cond(ClientFormState.notice != "", rx.text(ClientFormState.notice, color="green", size="2")),
                align="center",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _create_subaccount() -> rx.Component:
    f = ClientFormState
    return rx.vstack(
        rx.divider(),
        rx.text("Sub-account", weight="bold"),
        rx.text(
            "A package is linked to a sub-account. Create one now or connect an unconnected one; "
            "you can also do it later from the client's manage page.",
            size="1",
            color="gray",
        ),
        rx.flex(
            rx.select.root(
                rx.select.trigger(id="f-sub-choice", min_width="220px"),
                rx.select.content(
                    rx.select.item("No sub-account now", value="none"),
                    rx.select.item("Create a new sub-account", value="new"),
                    rx.foreach(f.loose_subs, lambda o: rx.select.item("Connect " + o["label"], value=o["id"])),
                ),
                value=f.sub_choice,
                on_change=f.set_sub_choice,
            ),
            rx.cond(
                f.sub_choice == "new",
                rx.box(
                    rx.input(
                        value=f.sub_name, on_change=f.set_sub_name, placeholder="name, e.g. office", id="f-sub-name"
                    ),
                    _error(f.errors, "sub_name"),
                ),
            ),
            rx.cond(
                f.sub_choice != "none",
                rx.select.root(
                    rx.select.trigger(id="f-sub-package", min_width="220px"),
                    rx.select.content(
                        rx.select.item("No package", value="none"),
                        rx.foreach(f.packages, lambda p: rx.select.item(p["label"], value=p["id"])),
                    ),
                    value=f.sub_package,
                    on_change=f.set_sub_package,
                ),
            ),
            gap="0.75em",
            wrap="wrap",
            align="start",
        ),
        rx.cond(
            f.sub_choice != "none",
            rx.checkbox("Charge setup fees", checked=f.charge_setup, on_change=f.set_charge_setup, id="f-charge-setup"),
        ),
        spacing="2",
        width="100%",
    )


def client_new() -> rx.Component:
    """Create a new client account."""
    return reseller_layout("Create a new client account", _client_form("Create client"))


def client_edit() -> rx.Component:
    """Edit client: details, balance management, low-balance email, activate and delete."""
    s = ClientFormState
    return reseller_layout(
        "Edit client",
        rx.vstack(
            rx.hstack(
                rx.text(s.name, weight="bold", size="4"),
                status_badge(s.status),
                rx.text("Balance ", s.balance, size="2", color="gray"),
                rx.spacer(),
                rx.link(rx.button("Manage client", variant="soft"), href=CLIENTS + "/" + s.cid),
                align="center",
                wrap="wrap",
                width="100%",
            ),
            rx.cond(
                s.status == "WAIT",
                rx.callout(
                    rx.hstack(
                        rx.text("This client signed up and awaits activation; it cannot sign in yet."),
                        rx.button("Activate client", on_click=s.activate, color_scheme="green", id="activate"),
                        align="center",
                        wrap="wrap",
                    ),
                    color_scheme="orange",
                    width="100%",
                ),
            ),
            _error(s.errors, "status"),
            _client_form("Save"),
            rx.card(
                rx.vstack(
                    rx.text("Low balance email", weight="bold"),
                    rx.text(
                        "An email goes to the client when the balance falls below the threshold (10 to 500). "
                        "Leave the threshold empty to turn it off.",
                        size="1",
                        color="gray",
                    ),
                    _grid(
                        rx.box(
                            rx.text("Threshold", size="2", weight="medium"),
                            rx.input(value=s.threshold, on_change=s.set_threshold, id="threshold", width="100%"),
                            _error(s.errors, "threshold"),
                        ),
                        rx.box(
                            rx.text("Send to (empty: the client's email)", size="2", weight="medium"),
                            rx.input(
                                value=s.threshold_email,
                                on_change=s.set_threshold_email,
                                id="threshold-email",
                                width="100%",
                            ),
                            _error(s.errors, "low_balance_email"),
                        ),
                    ),
                    rx.button("Save low balance email", on_click=s.save_low_balance, id="save-threshold"),
                    spacing="2",
                    width="100%",
                ),
                width="100%",
            ),
            rx.card(
                rx.vstack(
                    rx.text("Delete client", weight="bold"),
                    rx.text(
                        "Removes the person (details, logins, sessions) for good; its transactions and calls "
                        "stay in your reports as a deleted client. Unconnect its sub-accounts, DIDs and fax "
                        "numbers first.",
                        size="1",
                        color="gray",
                    ),
                    rx.alert_dialog.root(
                        rx.alert_dialog.trigger(rx.button("Delete client", color_scheme="red", id="delete-client")),
                        rx.alert_dialog.content(
                            rx.alert_dialog.title("Delete this client?"),
                            rx.alert_dialog.description(
                                "The client's details and logins are removed for good. Its transactions, calls and "
                                "faxes stay in your books and reports as a deleted client."
                            ),
                            rx.hstack(
                                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                                rx.alert_dialog.action(
                                    rx.button("Delete for good", color_scheme="red", on_click=s.delete, id="confirm")
                                ),
                                justify="end",
                                spacing="3",
                                margin_top="1em",
                            ),
                        ),
                    ),
                    _error(s.errors, "delete"),
                    spacing="2",
                ),
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
    )


# --- Manage ---------------------------------------------------------------------------------------------


def _sub_row(row: rx.Var) -> rx.Component:
    m = ManageState
    return rx.table.row(
        rx.table.cell(
            rx.link(row["account"], href=CLIENTS + "/" + m.cid + "/subaccount/" + row["id"]),
        ),
        rx.table.cell(row["package"]),
        rx.table.cell(row["numbers"]),
        rx.table.cell(rx.cond(row["blocked"] != "", rx.badge("Blocked", color_scheme="red"), rx.badge("Active"))),
        rx.table.cell(
            rx.hstack(
                rx.cond(
                    row["blocked"] != "",
                    rx.button("Unblock", size="1", variant="soft", on_click=m.block(row["id"], False)),
                    rx.button("Block", size="1", variant="soft", on_click=m.block(row["id"], True)),
                ),
                rx.button(
                    "Unconnect",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=m.unconnect_sub(row["id"]),
                ),
                spacing="2",
            )
        ),
    )


def _number_section(  # noqa: PLR0913
    title: str, add: str, query: str, rows: rx.Var, add_id: str, variant: str = "solid"
) -> tuple[rx.Component, ...]:
    """A heading with its "Add" link, and the connected numbers of one kind (voice or fax)."""
    return (
        rx.flex(
            rx.text(title, weight="bold"),
            rx.spacer(),
            rx.link(
                rx.button(rx.icon("plus", size=14), add, size="1", id=add_id, variant=variant, white_space="nowrap"),
                href=CLIENTS + "/" + ManageState.cid + "/numbers" + query,
            ),
            width="100%",
            align="center",
        ),
        rx.cond(
            rows.length() > 0,
            _table(
                ["Number", "Location", "Routing", "Monthly", "Per minute", ""],
                rx.table.body(rx.foreach(rows, _did_row)),
            ),
            rx.text(f"No {'fax' if query else 'phone'} number connected.", size="2"),
        ),
    )


def _did_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["display"], white_space="nowrap"),
        rx.table.cell(row["location"]),
        rx.table.cell(row["route"]),
        rx.table.cell(row["monthly"]),
        rx.table.cell(row["per_minute"]),
        rx.table.cell(
            rx.button(
                "Unconnect",
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=ManageState.unconnect_did(row["id"]),
            )
        ),
    )


def _history_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["date"]),
        rx.table.cell(row["kind"]),
        rx.table.cell(
            rx.text(
                row["description"],
                rx.cond(row["reversed"] != "", rx.badge("deleted", color_scheme="gray", margin_left="0.5em")),
                text_decoration=rx.cond(row["reversed"] != "", "line-through", "none"),
            )
        ),
        rx.table.cell(rx.text(row["amount"], color=rx.cond(row["negative"] != "", "red", "green"))),
        rx.table.cell(
            rx.cond(
                row["can_delete"] != "",
                rx.button(
                    "Delete", size="1", variant="ghost", color_scheme="red", on_click=ManageState.reverse(row["id"])
                ),
            )
        ),
        class_name="history-row",
    )


def client_manage() -> rx.Component:
    """Manage client: connected services and routing, assign a package, payments and charges, history."""
    m = ManageState
    info = m.info
    return reseller_layout(
        "Manage client",
        rx.vstack(
            rx.flex(
                rx.vstack(
                    rx.text(info["name"], " · ", info["email"], weight="bold", size="4"),
                    rx.hstack(
                        rx.box(status_badge(info["status"]), id="client-status"),
                        rx.badge(info["balance_management"], variant="outline"),
                        rx.text("Balance", size="2", color="gray"),
                        rx.text(
                            info["balance"],
                            id="client-balance",
                            weight="bold",
                            color=rx.cond(info["balance_negative"] != "", "red", "inherit"),
                        ),
                        align="center",
                    ),
                    spacing="1",
                ),
                rx.spacer(),
                rx.hstack(
                    rx.link(rx.button("Edit", variant="soft"), href=CLIENTS + "/" + m.cid + "/edit"),
                    rx.button("Login to client's interface", variant="soft", color_scheme="gray", on_click=m.login_as),
                    wrap="wrap",
                ),
                width="100%",
                align="center",
                wrap="wrap",
                gap="1em",
            ),
            rx.cond(m.notice != "", rx.callout(m.notice, color_scheme="green", size="1", width="100%")),
            _error(m.errors, "services"),
            _error(m.errors, "subaccount"),
            _error(m.errors, "carrier"),
            # Sub-accounts and packages
            rx.card(
                rx.vstack(
                    rx.text("Sub-accounts and packages", weight="bold"),
                    rx.cond(
                        m.subs.length() > 0,
                        _table(
                            ["Sub-account", "Package", "Numbers", "Carrier", ""],
                            rx.table.body(rx.foreach(m.subs, _sub_row)),
                        ),
                        rx.text("No sub-account yet. A package is assigned through a sub-account.", size="2"),
                    ),
                    rx.flex(
                        rx.text("Assign a package to", size="2"),
                        rx.select.root(
                            rx.select.trigger(id="assign-to"),
                            rx.select.content(
                                rx.select.item("A new sub-account", value="new"),
                                rx.foreach(m.choices, lambda c: rx.select.item(c["label"], value=c["id"])),
                            ),
                            value=m.assign_to,
                            on_change=m.set_assign_to,
                        ),
                        rx.button("Next", on_click=m.assign_package, id="assign-package"),
                        gap="0.75em",
                        align="center",
                        wrap="wrap",
                    ),
                    spacing="3",
                    width="100%",
                ),
                width="100%",
            ),
            # Numbers
            rx.card(
                rx.vstack(
                    *_number_section("Phone numbers (DIDs)", "Add phone numbers", "", m.numbers, "add-numbers"),
                    *_number_section("Fax numbers", "Add fax numbers", "?kind=fax", m.fax, "add-fax-numbers", "soft"),
                    spacing="3",
                    width="100%",
                ),
                width="100%",
            ),
            # Payments and charges
            rx.card(
                rx.vstack(
                    rx.text("Add a payment or a charge (dated today)", weight="bold"),
                    rx.form(
                        rx.flex(
                            rx.el.input(type="hidden", name="token", value=m.pay_token),
                            rx.select(
                                ["payment", "charge"],
                                value=m.pay_kind,
                                on_change=m.set_pay_kind,
                                id="pay-kind",
                            ),
                            rx.box(
                                rx.input(name="amount", placeholder="Amount, e.g. 25.00", id="pay-amount"),
                                _error(m.errors, "amount"),
                            ),
                            rx.box(
                                rx.input(
                                    name="description",
                                    placeholder="Description",
                                    id="pay-description",
                                    min_width="220px",
                                ),
                                _error(m.errors, "description"),
                            ),
                            rx.button("Add", type="submit", id="pay-submit"),
                            gap="0.75em",
                            align="start",
                            wrap="wrap",
                        ),
                        on_submit=m.post,
                        reset_on_submit=False,
                    ),
                    spacing="2",
                    width="100%",
                ),
                width="100%",
            ),
            # History
            rx.card(
                rx.vstack(
                    rx.text("Transaction history", weight="bold"),
                    rx.text(
                        "Deleting a transaction adds its reversal; both stay in the history.", size="1", color="gray"
                    ),
                    _error(m.errors, "transaction"),
                    rx.cond(
                        m.history.length() > 0,
                        _table(
                            ["Date", "Type", "Description", "Amount", ""],
                            rx.table.body(rx.foreach(m.history, _history_row), id="history"),
                        ),
                        rx.text("No transactions yet.", size="2"),
                    ),
                    rx.hstack(
                        rx.button("Newer", size="1", on_click=m.turn(-1), disabled=m.hpage <= 1),
                        rx.text("Page ", m.hpage, " of ", m.hpages, size="2"),
                        rx.button("Older", size="1", on_click=m.turn(1), disabled=m.hpage >= m.hpages),
                        align="center",
                    ),
                    spacing="2",
                    width="100%",
                ),
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
    )


# --- Sub-account configuration --------------------------------------------------------------------------


def _select(label: str, key: str, options: dict[str, str] | tuple[str, ...]) -> rx.Component:
    pairs = options.items() if isinstance(options, dict) else [(o, o) for o in options]
    return rx.box(
        rx.text(label, size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(width="100%", id=f"s-{key}"),
            rx.select.content(*[rx.select.item(text, value=value) for value, text in pairs]),
            value=SubAccountState.values[key],
            on_change=SubAccountState.set_field(key),
        ),
        _error(SubAccountState.errors, key),
        width="100%",
    )


def _sub_input(label: str, key: str) -> rx.Component:
    return rx.box(
        rx.text(label, size="2", weight="medium"),
        rx.input(value=SubAccountState.values[key], on_change=SubAccountState.set_field(key), id=f"s-{key}"),
        _error(SubAccountState.errors, key),
        width="100%",
    )


def subaccount_config() -> rx.Component:
    """The sub-account configuration page: account, password, device, auth, caller ID, codecs, DTMF, NAT, package."""
    s = SubAccountState
    return reseller_layout(
        "Sub-account configuration",
        rx.card(
            rx.vstack(
                rx.cond(
                    s.sid == "new",
                    rx.box(
                        rx.text("Sub-account name", size="2", weight="medium"),
                        rx.hstack(
                            rx.code(s.values["prefix"]),
                            rx.input(
                                value=s.values["name"],
                                on_change=s.set_field("name"),
                                id="s-name",
                                placeholder="office",
                            ),
                            align="center",
                        ),
                        _error(s.errors, "name"),
                    ),
                    rx.text("Sub-account ", rx.code(s.values["account"]), size="3"),
                ),
                _grid(
                    _sub_input("Description", "description"),
                    _sub_input("Password (SIP)", "password"),
                    _select("Device type", "device_type", DEVICE_TYPES),
                    _select("Authentication type", "auth_type", AUTH_TYPES),
                    _sub_input("Caller ID number", "callerid"),
                    _select("DTMF mode", "dtmf_mode", DTMF_MODES),
                    _select("NAT", "nat", NAT_MODES),
                ),
                rx.box(
                    rx.text("Codecs", size="2", weight="medium"),
                    rx.flex(
                        *[
                            rx.checkbox(
                                c,
                                checked=s.codecs.contains(c),
                                on_change=lambda on, c=c: SubAccountState.toggle_codec(c, on),
                            )
                            for c in CODECS
                        ],
                        gap="1em",
                        wrap="wrap",
                    ),
                    _error(s.errors, "codecs"),
                ),
                rx.divider(),
                rx.text("Reseller configuration", weight="bold"),
                rx.box(
                    rx.text("Package", size="2", weight="medium"),
                    rx.select.root(
                        rx.select.trigger(id="s-package", min_width="240px"),
                        rx.select.content(
                            rx.select.item("No package", value="none"),
                            rx.foreach(s.packages, lambda p: rx.select.item(p["label"], value=p["id"])),
                        ),
                        value=s.values["package_id"],
                        on_change=s.set_field("package_id"),
                    ),
                ),
                rx.checkbox(
                    "Charge the package's setup fee",
                    checked=s.charge_setup,
                    on_change=s.set_charge_setup,
                    id="charge-setup",
                ),
                _error(s.errors, "form"),
                _error(s.errors, "carrier"),
                rx.hstack(
                    rx.button("Update account", on_click=s.save, id="save-subaccount"),
                    rx.link(rx.button("Cancel", variant="soft", color_scheme="gray"), href=CLIENTS + "/" + s.cid),
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )


# --- Connect numbers ------------------------------------------------------------------------------------


def _rate_input(label: str, key: str) -> rx.Component:
    return rx.box(
        rx.text(label, size="2", weight="medium"),
        rx.input(value=NumbersState.rates[key], on_change=NumbersState.set_rate(key), id=f"rate-{key}"),
        _error(NumbersState.errors, key),
    )


def connect_numbers() -> rx.Component:
    """Connect phone or fax numbers to a client: one, or several at once (Advanced)."""
    n = NumbersState
    return reseller_layout(
        "Connect numbers",
        rx.vstack(
            rx.card(
                rx.vstack(
                    rx.text("Connect a DID for charging", weight="bold"),
                    rx.hstack(
                        rx.select(["voice", "fax"], value=n.kind, on_change=n.set_kind, id="did-kind"),
                        rx.checkbox(
                            "Advanced: several numbers at once",
                            checked=n.advanced,
                            on_change=n.set_advanced,
                            id="advanced",
                        ),
                        align="center",
                        wrap="wrap",
                    ),
                    rx.cond(
                        n.offers.length() == 0,
                        rx.text("No number is available right now.", size="2"),
                        rx.cond(
                            n.advanced,
                            rx.box(
                                rx.foreach(
                                    n.offers,
                                    lambda o: rx.checkbox(
                                        o["label"],
                                        checked=n.picked.contains(o["number"]),
                                        on_change=lambda on: NumbersState.toggle(o["number"], on),
                                        class_name="did-pick",
                                        display="flex",
                                        margin_bottom="0.25em",
                                    ),
                                ),
                                max_height="260px",
                                overflow_y="auto",
                                width="100%",
                                padding="0.5em",
                                border="1px solid #e5e7eb",
                                border_radius="6px",
                            ),
                            rx.select.root(
                                rx.select.trigger(id="did-single", min_width="280px"),
                                rx.select.content(
                                    rx.foreach(n.offers, lambda o: rx.select.item(o["label"], value=o["number"]))
                                ),
                                value=n.single,
                                on_change=n.set_single,
                            ),
                        ),
                    ),
                    rx.cond(n.advanced, rx.text(n.picked.length(), " selected", size="1", color="gray")),
                    _error(n.errors, "numbers"),
                    rx.cond(
                        n.kind == "voice",
                        rx.box(
                            rx.text("Ring sub-account", size="2", weight="medium"),
                            rx.cond(
                                n.subs.length() > 0,
                                rx.select.root(
                                    rx.select.trigger(id="did-sub"),
                                    rx.select.content(
                                        rx.foreach(n.subs, lambda s: rx.select.item(s["label"], value=s["id"]))
                                    ),
                                    value=n.sub,
                                    on_change=n.set_sub,
                                ),
                                rx.text("Connect a sub-account to the client first.", size="2", color="red"),
                            ),
                            _error(n.errors, "sub_account"),
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
                width="100%",
            ),
            rx.card(
                rx.vstack(
                    rx.text("Charges for these numbers (each)", weight="bold"),
                    rx.text(
                        "Each number gets its own setup fee and monthly charge: connecting several multiplies them.",
                        size="1",
                        color="gray",
                    ),
                    _grid(
                        _rate_input("Setup fee", "setup"),
                        _rate_input("Monthly", "monthly"),
                        _rate_input("Per minute (incoming)", "per_minute"),
                    ),
                    spacing="2",
                    width="100%",
                ),
                width="100%",
            ),
            rx.card(
                rx.vstack(
                    rx.checkbox(
                        "Forward these numbers to a local number",
                        checked=n.forward,
                        on_change=n.set_forward,
                        id="forward",
                    ),
                    rx.cond(
                        n.forward,
                        rx.box(
                            rx.input(
                                value=n.forward_to,
                                on_change=n.set_forward_to,
                                placeholder="+1 514 555 0100",
                                id="forward-to",
                            ),
                            rx.text(
                                "Both legs are billed: the incoming call on the number and the outgoing call to "
                                "the local number.",
                                size="1",
                                color="orange",
                            ),
                            _error(n.errors, "forward_to"),
                        ),
                    ),
                    rx.checkbox("Add a voicemail for these numbers", checked=n.vm_on, on_change=n.set_vm_on, id="vm"),
                    rx.cond(
                        n.vm_on,
                        _grid(
                            rx.box(
                                rx.text("Name", size="2"),
                                rx.input(value=n.vm["name"], on_change=n.set_vm("name")),
                                _error(n.errors, "vm_name"),
                            ),
                            rx.box(
                                rx.text("PIN", size="2"),
                                rx.input(value=n.vm["pin"], on_change=n.set_vm("pin")),
                                _error(n.errors, "vm_pin"),
                            ),
                            rx.box(
                                rx.text("Email for messages", size="2"),
                                rx.input(value=n.vm["email"], on_change=n.set_vm("email")),
                                _error(n.errors, "vm_email"),
                            ),
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
                width="100%",
            ),
            rx.hstack(
                rx.button("Connect DID(s) to client", on_click=n.connect, id="connect-dids"),
                rx.link(rx.button("Cancel", variant="soft", color_scheme="gray"), href=CLIENTS + "/" + n.cid),
            ),
            spacing="3",
            width="100%",
        ),
    )
