"""The reseller's management of its client accounts."""
