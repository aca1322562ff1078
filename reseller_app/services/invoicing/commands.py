"""`python -m reseller_app invoices issue | show | pdf`: invoices checked from outside the portal."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import Invoice
from reseller_app.services.accounting.billing_run import run_billing
from reseller_app.services.invoicing.documents import as_dict, pdf_bytes


def _find(number: str, reseller_id: int | None) -> list[Invoice]:
    with session_scope() as session:
        stmt = select(Invoice).where(Invoice.number == number)
        if reseller_id is not None:
            stmt = stmt.where(Invoice.reseller_id == reseller_id)
        return list(session.exec(stmt.order_by(Invoice.reseller_id)).all())


def _one(args: argparse.Namespace) -> Invoice | None:
    found = _find(args.number, args.reseller)
    if not found:
        print(f"no invoice {args.number}", file=sys.stderr)
        return None
    if len(found) > 1:
        ids = ", ".join(str(i.reseller_id) for i in found)
        print(f"{args.number} exists for several resellers ({ids}): add --reseller ID", file=sys.stderr)
        return None
    return found[0]


def run_command(args: argparse.Namespace) -> int:
    """Run one `invoices` command; the exit code."""
    if args.invoices_cmd == "issue":
        summary = run_billing(date.fromisoformat(args.today) if args.today else None)
        print(f"issued {len(summary.invoices)} invoices; billed {summary.fees} fees to {summary.clients} clients")
        for number in summary.invoices:
            print(number)
        for err in summary.errors:
            print(f"error: {err}", file=sys.stderr)
        return 1 if summary.errors else 0
    inv = _one(args)
    if inv is None:
        return 1
    with session_scope() as session:
        inv = session.get(Invoice, inv.id)
        assert inv is not None
        if args.invoices_cmd == "show":
            data = as_dict(session, inv)
            if args.json:
                print(json.dumps(data, indent=2, ensure_ascii=False))
            else:
                print(f"{data['number']} ({data['kind']}) client {data['client_id']} issued {data['issued_on']}")
                for ln in data["lines"]:
                    print(f"  {ln['description']}: {ln['amount']}")
                for t in data["taxes"]:
                    print(f"  {t['name']} {t['rate']}% on {t['base']}: {t['amount']}")
                print(f"  total {data['total']} {data['currency']}")
            return 0
        data = pdf_bytes(session, inv)
    out = Path(args.out)
    # Written atomically: a reader never sees half a PDF.
    fd, tmp = tempfile.mkstemp(dir=out.parent if str(out.parent) else ".", prefix=".invoice-", suffix=".pdf")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, out)
    print(f"wrote {out} ({len(data)} bytes)")
    return 0
