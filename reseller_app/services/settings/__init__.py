"""The reseller's configuration and the branding its portal publishes."""
