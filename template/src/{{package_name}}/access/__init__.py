"""Who is calling and what they may do: the `Principal` and the guards every router may use.

How a principal is authenticated is not decided here: the application installs
an `Authenticator` (see guards.py), so this package imports no domain.
"""
