"""Cache-aside for reads: `Cache.read` serves a stored copy or loads, stores and serves it."""
