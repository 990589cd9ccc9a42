"""Background jobs: defined by domains (`<domain>/tasks.py`), sent after commits, run by the worker.

A job is sent only once the transaction that made it necessary has committed
(`enqueue.py`), runs at most once to completion however often the broker
delivers it (`ledger.py`), and is retried with backoff and then kept as failed,
for an operator to replay, when it keeps failing (`runner.py`).
"""
