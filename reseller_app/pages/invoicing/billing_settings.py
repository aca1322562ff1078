"""The Billing tab of Reseller configuration: currency, business details, taxes, invoice numbering, invoice email."""

from __future__ import annotations

import reflex as rx

from reseller_app.state.invoicing.billing_settings import CATEGORY_CHOICES, CURRENCIES, BillingSettingsState

B = BillingSettingsState
F = B.form
E = B.errors


def _error(key: str | rx.Var) -> rx.Component:
    return rx.cond(E.contains(key), rx.text(E[key], size="1", color="#b91c1c", id=f"err-{key}", role="alert"))


def _text(label: str, key: str, **props) -> rx.Component:  # noqa: ANN003
    return rx.vstack(
        rx.text(label, as_="label", size="2", weight="medium", html_for=f"b-{key}"),
        rx.input(
            value=F[key],
            on_change=lambda v: B.set_field(key, v),
            id=f"b-{key}",
            width="100%",
            color_scheme=rx.cond(E.contains(key), "red", "blue"),
            **props,
        ),
        _error(key),
        spacing="1",
        width="100%",
    )


def _area(label: str, key: str, rows: str = "3") -> rx.Component:
    return rx.vstack(
        rx.text(label, as_="label", size="2", weight="medium", html_for=f"b-{key}"),
        rx.text_area(value=F[key], on_change=lambda v: B.set_field(key, v), id=f"b-{key}", rows=rows, width="100%"),
        _error(key),
        spacing="1",
        width="100%",
    )


def _tax_input(i: rx.Var, tax: rx.Var, key: str, placeholder: str, width: str) -> rx.Component:
    err = "tax_" + i.to(str) + "_" + key
    return rx.vstack(
        rx.input(
            value=tax[key],
            on_change=lambda v: B.set_tax(i, key, v),
            placeholder=placeholder,
            aria_label=placeholder,
            id="tax-" + i.to(str) + "-" + key,
            width=width,
            color_scheme=rx.cond(E.contains(err), "red", "blue"),
        ),
        rx.cond(E.contains(err), rx.text(E[err], size="1", color="#b91c1c", id="err-" + err, role="alert")),
        spacing="1",
    )


def _tax_row(tax: rx.Var, i: rx.Var) -> rx.Component:
    applies_err = "tax_" + i.to(str) + "_applies_to"
    return rx.card(
        rx.vstack(
            rx.flex(
                _tax_input(i, tax, "name", "Name (GST)", "140px"),
                _tax_input(i, tax, "rate", "Rate % (9.975)", "120px"),
                _tax_input(i, tax, "country", "Country (CA)", "110px"),
                _tax_input(i, tax, "region", "Region (QC, optional)", "170px"),
                rx.text(
                    rx.flex(
                        rx.switch(
                            checked=tax["compound"] == "1",
                            on_change=lambda v: B.set_compound(i, v),
                            id="tax-" + i.to(str) + "-compound",
                        ),
                        "Compound",
                        spacing="2",
                        align="center",
                    ),
                    as_="label",
                    size="2",
                ),
                rx.button(
                    "Remove",
                    on_click=B.remove_tax(i),
                    variant="soft",
                    color_scheme="red",
                    size="1",
                    id="tax-" + i.to(str) + "-remove",
                ),
                gap="0.75em",
                wrap="wrap",
                align="start",
            ),
            rx.flex(
                rx.text("Applies to:", size="2"),
                *[
                    rx.text(
                        rx.flex(
                            rx.checkbox(
                                checked=tax["applies_to"].split(",").contains(cat),
                                on_change=lambda v, cat=cat: B.set_applies(i, cat, v),
                                id="tax-" + i.to(str) + "-" + cat,
                            ),
                            label,
                            spacing="1",
                            align="center",
                        ),
                        as_="label",
                        size="2",
                    )
                    for cat, label in CATEGORY_CHOICES
                ],
                gap="1em",
                wrap="wrap",
                align="center",
            ),
            rx.cond(E.contains(applies_err), rx.text(E[applies_err], size="1", color="#b91c1c", role="alert")),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def billing_tab() -> rx.Component:
    """The tab's content (Reseller configuration → Billing)."""
    return rx.vstack(
        rx.card(
            rx.vstack(
                rx.heading("Currency", size="3"),
                rx.text(
                    "Every amount shown to you and your clients, in emails, CSVs and invoices, is in this currency. "
                    "Issued invoices keep theirs.",
                    size="2",
                ),
                rx.el.select(
                    rx.foreach(CURRENCIES, lambda c: rx.el.option(c["label"], value=c["code"])),
                    value=F["currency"],
                    on_change=lambda v: B.set_field("currency", v),
                    id="b-currency",
                    aria_label="Currency",
                    style={"padding": "0.4em", "border_radius": "4px", "max_width": "360px"},
                ),
                _error("currency"),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
        rx.card(
            rx.vstack(
                rx.heading("Business details on invoices", size="3"),
                _text("Legal name", "legal_name"),
                _area("Address", "address"),
                _area("Tax registration numbers", "tax_numbers", "2"),
                _area("Invoice footer", "footer", "2"),
                _text("Payment terms (days)", "payment_terms_days", max_width="160px"),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
        rx.card(
            rx.vstack(
                rx.heading("Taxes", size="3"),
                rx.text(
                    "Each tax is rounded once per invoice, half-up to cents, on the lines it applies to. A compound "
                    "tax also taxes the taxes before it. An empty country applies everywhere; a region limits it to "
                    "one province or state (code or name).",
                    size="2",
                ),
                rx.foreach(B.taxes, _tax_row),
                rx.button("Add a tax", on_click=B.add_tax, variant="outline", id="add-tax"),
                _error("taxes"),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
        rx.card(
            rx.vstack(
                rx.heading("Invoice numbers", size="3"),
                rx.flex(
                    _text("Prefix", "invoice_prefix", max_width="200px"),
                    rx.cond(
                        B.numbering_locked,
                        rx.vstack(
                            rx.text("Next number", size="2", weight="medium"),
                            rx.text(F["next_number"], id="b-next-number-locked"),
                            rx.text("Fixed once an invoice is issued (no gaps).", size="1", color="gray"),
                            spacing="1",
                        ),
                        _text("First number", "next_number", max_width="160px"),
                    ),
                    gap="1.5em",
                    wrap="wrap",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
        rx.card(
            rx.vstack(
                rx.heading("Invoice email", size="3"),
                rx.text(
                    "Variables: [invoice_number], [total], [due_date], [firstname], [lastname]. The PDF is attached.",
                    size="2",
                ),
                _text("Subject", "email_subject"),
                _area("Message", "email_body", "5"),
                rx.text("Preview", size="2", weight="medium"),
                rx.box(
                    rx.text(B.email_preview, white_space="pre-wrap", size="2"),
                    padding="0.75em",
                    background="#f9fafb",
                    border="1px solid #e5e7eb",
                    border_radius="6px",
                    width="100%",
                    id="invoice-email-preview",
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
        rx.hstack(
            rx.button("Save", on_click=B.save, id="save-billing"),
            rx.cond(
                B.notice != "",
                rx.text(
                    B.notice, size="2", id="notice-billing", color=rx.cond(B.notice == "Saved.", "#15803d", "#b91c1c")
                ),
            ),
            align="center",
            spacing="3",
        ),
        spacing="4",
        width="100%",
        on_mount=B.load,
    )
