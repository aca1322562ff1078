"""`python -m reseller_app.billing rate --deck DECK.csv --package PACKAGE.json --cdrs CDRS.csv --out RATED.csv`."""

import os
import sys

from .cli import main

retained: list[object] = []
code = main(keep_alive=retained)
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)  # the output file is closed and renamed; freeing millions of rows would only cost time
