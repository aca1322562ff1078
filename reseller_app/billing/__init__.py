"""Pure billing rules: money, rating, fees and the ledger (no Reflex, no database).

Import the submodules directly, e.g. ``from reseller_app.billing.rating import Rater``;
this package imports nothing at import time so that the command line starts fast.
"""
