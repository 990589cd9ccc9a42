"""Redis for what the service can do without for a while: shared rate-limit counters, the cache."""

from pydantic import SecretStr
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

# Everything a broken network or server can raise through redis-py: its own
# errors, socket or timeout errors some code paths let through unwrapped, and
# RuntimeError, which uvloop (what `serve` runs on) raises for a write on a
# transport the peer has just reset ("unable to perform operation on
# <TCPTransport closed=True>"); redis-py drops that connection before it
# re-raises. asyncio.CancelledError is not among them: a cancelled request must
# stay cancelled.
REDIS_FAILURES = (RedisError, OSError, TimeoutError, RuntimeError)


def connect_redis(url: SecretStr, *, timeout: float) -> Redis:
    """A client of the Redis at `url`; every call waits at most `timeout` seconds."""
    return Redis.from_url(
        url.get_secret_value(),
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        # One immediate retry, on a fresh connection: it absorbs a reset of the
        # pooled ones. redis-py's default (3 retries, backing off from 1 s)
        # would hold every request for seconds while Redis is down.
        retry=Retry(NoBackoff(), retries=1),
    )
