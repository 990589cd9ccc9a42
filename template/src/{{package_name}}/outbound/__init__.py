"""Calls to other services that cannot take this one down.

One shared HTTP client for the process (`client.py`), a deadline per incoming
request (`deadline.py`), retries with backoff for idempotent calls that failed
transiently and a circuit breaker per upstream (`upstream.py`, `breakers.py`).
A domain names its upstream and the calls it makes (see `items/inventory.py`).
"""
