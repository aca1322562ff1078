"""Command line: `python -m reseller_app demo | create-reseller | bill | reconcile | invoices | check |
two-factor-key`."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Run one command."""
    parser = argparse.ArgumentParser(prog="python -m reseller_app")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("demo", help="load the demo data (idempotent) and print the demo logins")
    cr = sub.add_parser("create-reseller", help="create a reseller account")
    cr.add_argument("--email", required=True)
    cr.add_argument("--password", required=True)
    cr.add_argument("--company", default="")
    bill = sub.add_parser("bill", help="run the monthly billing (idempotent; catches up missed periods)")
    bill.add_argument("--today", help="bill as of this date (YYYY-MM-DD); default today (UTC)")
    sub.add_parser(
        "reconcile", help="check that every client's balance equals the sum of its ledger (exit 1 on any difference)"
    )
    sub.add_parser("check", help="check the configuration (refuses the placeholder SECRET_KEY outside dev)")
    sub.add_parser("two-factor-key", help="print a new key for TWO_FACTOR_KEY (it encrypts the TOTP secrets)")
    inv = sub.add_parser("invoices", help="issue, show and print invoices")
    inv_sub = inv.add_subparsers(dest="invoices_cmd", required=True)
    inv_issue = inv_sub.add_parser("issue", help="issue what is due (the billing run; idempotent, catches up)")
    inv_issue.add_argument("--today", help="as of this date (YYYY-MM-DD); default today (UTC)")
    inv_show = inv_sub.add_parser("show", help="one invoice or credit note")
    inv_show.add_argument("number")
    inv_show.add_argument("--json", action="store_true", help="as JSON (amounts as exact strings)")
    inv_show.add_argument("--reseller", type=int, help="the reseller's id, when several resellers use the number")
    inv_pdf = inv_sub.add_parser("pdf", help="write an invoice's PDF")
    inv_pdf.add_argument("number")
    inv_pdf.add_argument("--out", required=True, help="the PDF file to write")
    inv_pdf.add_argument("--reseller", type=int, help="the reseller's id, when several resellers use the number")
    args = parser.parse_args(argv)
    if args.cmd == "two-factor-key":  # before the check: it makes the key that the check asks for
        from reseller_app.services.access.sealing import new_key

        print(new_key())
        return 0

    from reseller_app.config import settings

    settings.check()
    if args.cmd == "demo":
        from reseller_app.demo import load_demo

        for line in load_demo():
            print(line)
    elif args.cmd == "create-reseller":
        from reseller_app.services.access.auth import create_reseller

        rid = create_reseller(args.email, args.password, company=args.company)
        print(f"reseller {rid} created")
    elif args.cmd == "bill":
        from datetime import date

        from reseller_app.services.accounting.billing_run import run_billing

        summary = run_billing(date.fromisoformat(args.today) if args.today else None)
        print(f"billed {summary.fees} fees to {summary.clients} clients, total {summary.total}")
        for err in summary.errors:
            print(f"error: {err}", file=sys.stderr)
        return 1 if summary.errors else 0
    elif args.cmd == "reconcile":
        from reseller_app.services.accounting.reconcile import reconcile

        found = reconcile()
        for m in found:
            print(f"difference: {m}")
        print(f"{len(found)} difference(s)" if found else "every client's balance equals the sum of its ledger")
        return 1 if found else 0
    elif args.cmd == "invoices":
        from reseller_app.services.invoicing.commands import run_command

        return run_command(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
