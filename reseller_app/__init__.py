"""White-label VoIP reseller portal."""
