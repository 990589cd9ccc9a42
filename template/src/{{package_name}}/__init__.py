"""The service's package; the names it was generated with are in about.py."""
