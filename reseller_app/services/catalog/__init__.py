"""Rates and packages: the wizard, per-area rates, free zones, rate lookup and the simulator."""
