"""Reports and the home pages' figures."""
