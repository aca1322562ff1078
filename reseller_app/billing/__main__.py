"""`python -m reseller_app.billing rate --deck DECK.csv --package PACKAGE.json --cdrs CDRS.csv --out RATED.csv`."""

import sys

from .cli import main

sys.exit(main())
