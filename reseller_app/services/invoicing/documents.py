"""An issued invoice or credit note as JSON, as an HTML page and as a PDF (fpdf2), in the reseller's brand.

The HTML page and the PDF are in the client's language (their stored one, else the page's that asked, else the
portal's default: `language_of`): the built-in labels, the system's line descriptions, amounts and dates; the
reseller's own texts (business details, footer, a manual charge's words) stay as typed.
"""

from __future__ import annotations

import html
from datetime import date
from decimal import Decimal
from pathlib import Path

from babel.numbers import format_decimal
from fpdf import FPDF, FontFace
from sqlmodel import Session, select

from reseller_app import i18n
from reseller_app.billing.money import fmt_money
from reseller_app.config import settings
from reseller_app.db import session_scope
from reseller_app.i18n import N_, _, use_language
from reseller_app.models import Client, Invoice, InvoiceLine, InvoiceTax, ResellerSettings
from reseller_app.services.access.actor import Actor
from reseller_app.services.common import descriptions
from reseller_app.services.common import format as fmt
from reseller_app.services.common.errors import NotFound
from reseller_app.services.settings import texts

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu",)
TITLES = {"invoice": N_("Invoice"), "credit_note": N_("Credit note")}


def _amount(value: Decimal | None, places: int = 4) -> str | None:
    return None if value is None else fmt_money(value, places)


def _rate(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _parts(session: Session, inv: Invoice) -> tuple[list[InvoiceLine], list[InvoiceTax]]:
    lines = session.exec(
        select(InvoiceLine).where(InvoiceLine.invoice_id == inv.id).order_by(InvoiceLine.position)
    ).all()
    taxes = session.exec(select(InvoiceTax).where(InvoiceTax.invoice_id == inv.id).order_by(InvoiceTax.position)).all()
    return list(lines), list(taxes)


def as_dict(session: Session, inv: Invoice) -> dict:
    """The document with exact amounts as strings (lines and bases 4 places, taxes 2): the `invoices show` JSON."""
    lines, taxes = _parts(session, inv)
    credit_of = session.get(Invoice, inv.credit_of_id) if inv.credit_of_id else None
    return {
        "number": inv.number,
        "kind": inv.kind,
        "reseller_id": inv.reseller_id,
        "client_id": inv.client_id,
        "currency": inv.currency,
        "period_start": inv.period_start.isoformat(),
        "period_end": inv.period_end.isoformat(),
        "issued_on": inv.issued_on.isoformat(),
        "due_on": inv.due_on.isoformat(),
        "credit_of": credit_of.number if credit_of else None,
        "reason": inv.reason,
        "lines": [
            {
                "position": ln.position,
                "kind": ln.kind,
                "category": ln.category,
                "description": ln.description,
                "quantity": str(ln.quantity),
                "unit_amount": _amount(ln.unit_amount),
                "amount": _amount(ln.amount),
                "seconds": ln.seconds,
                "taxable_for": list(ln.taxable_for or []),
            }
            for ln in lines
        ],
        "taxes": [
            {
                "name": tax.name,
                "rate": _rate(tax.rate),
                "compound": tax.compound,
                "applies_to": list(tax.applies_to or []),
                "base": _amount(tax.base),
                "amount": _amount(tax.amount, 2),
            }
            for tax in taxes
        ],
        "subtotal": _amount(inv.subtotal),
        "tax_total": _amount(inv.tax_total, 2),
        "total": _amount(inv.total),
        "seller": inv.seller,
        "buyer": inv.buyer,
    }


def find(session: Session, actor: Actor, number_or_id: str | int) -> Invoice:
    """An invoice of the actor's reseller (a client: only its own), by number or id; NotFound otherwise."""
    text = str(number_or_id).strip()
    stmt = select(Invoice).where(Invoice.reseller_id == actor.reseller_id)
    inv = session.exec(stmt.where(Invoice.number == text)).first()
    if inv is None and text.isdigit():
        inv = session.exec(stmt.where(Invoice.id == int(text))).first()
    if inv is None or (actor.role == "client" and inv.client_id != actor.client_id):
        raise NotFound("No such invoice.")
    if actor.role not in ("reseller", "client"):
        raise NotFound("No such invoice.")
    return inv


def show(actor: Actor, number_or_id: str | int) -> dict:
    """One document for a reseller or its client, with display strings for the page."""
    with session_scope() as session:
        inv = find(session, actor, number_or_id)
        data = as_dict(session, inv)
        cur = inv.currency
        data["display"] = {
            "title": _(TITLES[inv.kind]),
            "subtotal": fmt.money(inv.subtotal, _places(inv.subtotal), currency=cur),
            "tax_total": fmt.money(inv.tax_total, currency=cur),
            "total": fmt.money(inv.total, _places(inv.total), currency=cur),
            "lines": [
                {
                    "position": str(ln["position"]),
                    "description": ln["description"],
                    "quantity": ln["quantity"],
                    "unit_amount": fmt.money(Decimal(ln["unit_amount"]), 4, currency=cur) if ln["unit_amount"] else "",
                    "amount": fmt.money(Decimal(ln["amount"]), _places(Decimal(ln["amount"])), currency=cur),
                    "taxes": ", ".join(ln["taxable_for"]),
                }
                for ln in data["lines"]
            ],
            "taxes": [
                {
                    "label": f"{tax['name']} {tax['rate']}%" + (" (compound)" if tax["compound"] else ""),
                    "base": fmt.money(Decimal(tax["base"]), _places(Decimal(tax["base"])), currency=cur),
                    "amount": fmt.money(Decimal(tax["amount"]), currency=cur),
                }
                for tax in data["taxes"]
            ],
        }
        data["id"] = inv.id
        return data


def _places(value: Decimal) -> int:
    return 2 if value == value.quantize(Decimal("0.01")) else 4


# ---------------------------------------------------------------- HTML


def language_of(session: Session, inv: Invoice) -> str:
    """The language of a client's documents: their stored one, else the current request's, else the portal's."""
    client = session.get(Client, inv.client_id)
    s = session.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == inv.reseller_id)).first()
    return texts.language_for(client, s) if s is not None else i18n.current_language()


def _line_text(ln: dict) -> str:
    """A line's description in the current language: the system's wording translated, a manual charge as typed."""
    if ln["kind"] == "charge":  # a reseller's manual charge: their words
        return str(ln["description"])
    return descriptions.posting(ln["description"])


def _decimal(text: str) -> str:
    """A quantity or a tax rate as stored (1, 9.975), with the locale's decimal sign (9,975 in French)."""
    if i18n.current_language() == i18n.SOURCE:
        return text
    return format_decimal(Decimal(text), format="#,##0.######", locale=fmt.current_locale())


def _tax_label(tax: dict, base: str) -> str:
    """ "GST 5% on $10.00", "(compound)" after a compound tax's rate."""
    name = f"{tax['name']} " + _("{rate}%").format(rate=_decimal(tax["rate"]))
    if tax["compound"]:
        name = _("{tax} (compound)").format(tax=name)
    return _("{tax} on {amount}").format(tax=name, amount=base)


def _period(d: dict) -> str:
    start, end = date.fromisoformat(d["period_start"]), date.fromisoformat(d["period_end"])
    return _("{start} to {end}").format(start=fmt.day(start), end=fmt.day(end))


def html_page(session: Session, inv: Invoice) -> str:
    """The invoice as a standalone HTML page (every text escaped), the same content as the PDF, in the client's
    language."""
    with use_language(language_of(session, inv)) as lang:
        return _html_page(session, inv, lang)


def _html_page(session: Session, inv: Invoice, lang: str) -> str:
    d = as_dict(session, inv)
    cur = inv.currency
    s, b = inv.seller, inv.buyer
    e = html.escape

    def money(v: str | None, places: int = 2) -> str:
        return "" if v is None else e(fmt.money(Decimal(v), max(places, _places(Decimal(v))), currency=cur))

    rows = "".join(
        f"<tr><td>{e(_line_text(ln))}</td><td class=n>{e(_decimal(ln['quantity']))}</td>"
        f"<td class=n>{money(ln['unit_amount'])}</td><td class=n>{money(ln['amount'])}</td>"
        f"<td>{e(', '.join(ln['taxable_for']))}</td></tr>"
        for ln in d["lines"]
    )
    taxes = "".join(
        f"<tr><td colspan=3>{e(_tax_label(tax, money(tax['base'])))}</td>"
        f"<td class=n>{money(tax['amount'])}</td><td></td></tr>"
        for tax in d["taxes"]
    )
    color = s.get("color", "#1f2937") if str(s.get("color", "")).startswith("#") else "#1f2937"
    fg = s.get("color_text", "#ffffff") if str(s.get("color_text", "")).startswith("#") else "#ffffff"
    credit, exempt = "", ""
    if inv.kind == "credit_note":
        credited = _("Credits invoice {number}: {reason}").format(number=d["credit_of"] or "", reason=inv.reason)
        credit = f"<p>{e(credited)}</p>"
    if b.get("tax_exempt_number"):
        exempt_text = _("Tax exempt: {number}").format(number=b["tax_exempt_number"])
        exempt = f"<p>{e(exempt_text)}</p>"
    title = f"{_(TITLES[inv.kind])} {inv.number}"
    issued, due = fmt.day(inv.issued_on), fmt.day(inv.due_on)
    heads = "".join(
        f"<th{' class=n' if i in (1, 2, 3) else ''}>{e(h)}</th>"
        for i, h in enumerate((_("Description"), _("Qty"), _("Unit"), _("Amount"), _("Taxes")))
    )
    facts = "<br>".join(
        e(fact)
        for fact in (
            _("Issued: {date}").format(date=issued),
            _("Period: {period}").format(period=_period(d)),
            _("Due: {date}").format(date=due),
            _("Currency: {currency}").format(currency=cur),
        )
    )
    tag = e(lang.replace("_", "-"))
    return f"""<!doctype html><html lang="{tag}"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>body{{font-family:sans-serif;margin:2em;color:#111}}header{{background:{e(color)};color:{e(fg)};padding:1em}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ddd;padding:.3em;text-align:left}}
.n{{text-align:right}}.cols{{display:flex;gap:4em;margin:1em 0}}pre{{font-family:inherit;margin:0}}</style></head><body>
<header><h1>{e(s.get("name", ""))}</h1><div>{e(title)}</div></header>
<div class=cols><div><b>{e(s.get("legal_name", ""))}</b><pre>{e(s.get("address", ""))}</pre>
<div>{e(s.get("tax_numbers", ""))}</div></div>
<div><b>{e(_("Bill to"))}</b><div>{e(b.get("company") or "")}</div><div>{e(b.get("name", ""))}</div>
<pre>{e(b.get("address", ""))}</pre></div>
<div>{facts}</div></div>{credit}{exempt}
<table><tr>{heads}</tr>
{rows}<tr><td colspan=3><b>{e(_("Subtotal"))}</b></td><td class=n>{money(d["subtotal"])}</td><td></td></tr>{taxes}
<tr><td colspan=3><b>{e(_("Total"))}</b></td><td class=n><b>{money(d["total"])}</b></td><td></td></tr></table>
<p>{e(s.get("footer", ""))}</p></body></html>"""


def html_for(actor: Actor, number_or_id: str | int) -> tuple[str, str]:
    """(number, HTML page) of one of the actor's invoices."""
    with session_scope() as session:
        inv = find(session, actor, number_or_id)
        return inv.number, html_page(session, inv)


# ---------------------------------------------------------------- PDF


def _font(pdf: FPDF) -> str:
    for d in FONT_DIRS:
        regular, bold = Path(d, "DejaVuSans.ttf"), Path(d, "DejaVuSans-Bold.ttf")
        if regular.is_file() and bold.is_file():
            pdf.add_font("DejaVu", "", str(regular))
            pdf.add_font("DejaVu", "B", str(bold))
            return "DejaVu"
    return "helvetica"


def _latin(text: str, font: str) -> str:
    return text if font != "helvetica" else text.encode("latin-1", "replace").decode("latin-1")


def _rgb(color: str, default: tuple[int, int, int]) -> tuple[int, int, int]:
    c = color.lstrip("#") if isinstance(color, str) else ""
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    try:
        return (int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)) if len(c) == 6 else default
    except ValueError:
        return default


def _logo_path(logo: str) -> Path | None:
    """An uploaded logo (/_upload/<name>) on this machine; https images are not fetched for a PDF."""
    if not logo.startswith("/_upload/"):
        return None
    root = Path(settings.uploaded_files_dir)
    path = root / Path(logo).name
    return path if path.is_file() else None


class _Document(FPDF):
    """A4 pages numbered "Page 1 of 2" at the foot, in the document's language."""

    font_name = "helvetica"
    page_label = "Page {page} of {pages}"

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.font_name, "", 8)
        self.set_text_color(107, 114, 128)
        label = self.page_label.format(page=self.page_no(), pages="{nb}")
        self.cell(0, 5, _latin(label, self.font_name), align="C")


def pdf_bytes(session: Session, inv: Invoice) -> bytes:
    """The invoice as a PDF: the reseller's colours, logo and business details, the client's address, lines, taxes;
    in the client's language."""
    with use_language(language_of(session, inv)):
        return _pdf_bytes(session, inv)


def _pdf_bytes(session: Session, inv: Invoice) -> bytes:
    d = as_dict(session, inv)
    s, b, cur = inv.seller, inv.buyer, inv.currency
    title = f"{_(TITLES[inv.kind])} {inv.number}"
    pdf = _Document(format="A4")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_title(title)
    pdf.set_author(str(s.get("legal_name") or s.get("name") or ""))
    pdf.set_lang(i18n.current_language().replace("_", "-"))
    font = pdf.font_name = _font(pdf)
    pdf.page_label = _("Page {page} of {pages}")
    pdf.add_page()

    def pdf_text(text: object) -> str:
        return _latin(str(text or ""), font)

    def money(v: str | None) -> str:
        return "" if v is None else pdf_text(fmt.money(Decimal(v), _places(Decimal(v)), currency=cur))

    bg = _rgb(str(s.get("color", "")), (31, 41, 55))
    fg = _rgb(str(s.get("color_text", "")), (255, 255, 255))
    pdf.set_fill_color(*bg)
    pdf.rect(0, 0, 210, 32, style="F")
    logo = _logo_path(str(s.get("logo", "")))
    x = 10
    if logo is not None:
        try:
            pdf.image(str(logo), x=10, y=6, h=20)
            x = 45
        except (OSError, ValueError, RuntimeError):  # an image fpdf2 cannot read: the PDF goes without it
            x = 10
    pdf.set_text_color(*fg)
    pdf.set_font(font, "B", 18)
    pdf.set_xy(x, 8)
    pdf.cell(0, 9, pdf_text(s.get("name", "")))
    pdf.set_font(font, "", 11)
    pdf.set_xy(x, 18)
    pdf.cell(0, 7, pdf_text(title))
    pdf.set_text_color(17, 24, 39)
    top = 38.0

    def column(x: float, w: float, heading: str, body: str) -> float:
        pdf.set_xy(x, top)
        pdf.set_font(font, "B", 10)
        pdf.multi_cell(w, 5, pdf_text(heading), new_x="LEFT", new_y="NEXT")
        pdf.set_font(font, "", 9)
        pdf.multi_cell(w, 4.5, pdf_text(body), new_x="LEFT", new_y="NEXT")
        return float(pdf.get_y())

    seller = "\n".join(p for p in (s.get("address", ""), s.get("tax_numbers", "")) if p)
    buyer = "\n".join(p for p in (b.get("company"), b.get("name"), b.get("address")) if p)
    if b.get("tax_exempt_number"):
        buyer += "\n" + _("Tax exempt: {number}").format(number=b["tax_exempt_number"])
    facts = [
        _("Issued: {date}").format(date=fmt.day(inv.issued_on)),
        _("Period: {period}").format(period=_period(d)),
        _("Due: {date}").format(date=fmt.day(inv.due_on)),
        _("Currency: {currency}").format(currency=cur),
    ]
    if inv.kind == "credit_note":
        facts.append(_("Credits: {number}").format(number=d["credit_of"]))
    ends = (
        column(10, 62, str(s.get("legal_name", "")), seller),
        column(76, 62, _("Bill to"), buyer),
        column(142, 58, _(TITLES[inv.kind]), "\n".join(facts)),
    )
    pdf.set_xy(10, max(ends) + 6)
    if inv.kind == "credit_note" and inv.reason:
        pdf.multi_cell(0, 5, pdf_text(_("Reason: {reason}").format(reason=inv.reason)), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    widths = (92, 16, 26, 28, 28)
    pdf.set_font(font, "", 9)
    pdf.set_fill_color(255, 255, 255)
    with pdf.table(
        col_widths=widths,
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "LEFT"),
        borders_layout="HORIZONTAL_LINES",
        line_height=5,
        headings_style=FontFace(emphasis="BOLD", fill_color=(229, 231, 235)),
    ) as table:
        table.row([pdf_text(h) for h in (_("Description"), _("Qty"), _("Unit"), _("Amount"), _("Taxes"))])
        for ln in d["lines"]:
            table.row(
                [
                    pdf_text(_line_text(ln)),
                    pdf_text(_decimal(ln["quantity"])),
                    money(ln["unit_amount"]),
                    money(ln["amount"]),
                    pdf_text(", ".join(ln["taxable_for"])),
                ]
            )
    pdf.ln(2)

    def total_row(label: str, value: str, bold: bool = False) -> None:
        pdf.set_font(font, "B" if bold else "", 10 if bold else 9)
        pdf.cell(widths[0] + widths[1] + widths[2], 6, pdf_text(label), align="R")
        pdf.cell(widths[3], 6, value, align="R")
        pdf.ln()

    total_row(_("Subtotal"), money(d["subtotal"]))
    for tax in d["taxes"]:
        total_row(_tax_label(tax, money(tax["base"])), money(tax["amount"]))
    total_row(_("Total ({currency})").format(currency=cur), money(d["total"]), bold=True)
    if s.get("footer"):
        pdf.ln(6)
        pdf.set_font(font, "", 8)
        pdf.multi_cell(0, 4.5, pdf_text(s["footer"]))
    return bytes(pdf.output())


def pdf_for(actor: Actor, number_or_id: str | int) -> tuple[str, bytes]:
    """(file name, PDF) of one of the actor's invoices."""
    with session_scope() as session:
        inv = find(session, actor, number_or_id)
        return f"{inv.number}.pdf", pdf_bytes(session, inv)


def client_name(session: Session, client_id: int) -> str:
    """A client's name for lists."""
    c = session.get(Client, client_id)
    if c is None:
        return f"Client #{client_id}"
    return (c.company or f"{c.firstname} {c.lastname}").strip()
