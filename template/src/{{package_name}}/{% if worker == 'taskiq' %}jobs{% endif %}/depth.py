"""How many jobs wait: read from the broker itself, for the backlog gauge and its alert."""

from typing import cast

import aio_pika
import redis.asyncio as redis

from .broker import CONSUMER_GROUP


async def redis_depth(url: str, queue: str) -> int:
    """Jobs the workers' group has not taken, plus those taken but not yet acknowledged."""
    client = redis.Redis.from_url(url)
    try:
        if not await client.exists(queue):
            return 0  # nothing was ever sent
        groups = cast("list[dict[str, object]]", await client.xinfo_groups(queue))
        for group in groups:
            if group["name"] in {CONSUMER_GROUP, CONSUMER_GROUP.encode()}:
                lag, pending = group["lag"], group["pending"]
                # `lag` is unknown (None) after some deletions: count the pending alone then.
                return cast("int", pending) + (lag if isinstance(lag, int) else 0)
        # No worker has started yet: every job in the stream waits.
        return cast("int", await client.xlen(queue))
    finally:
        await client.aclose()


async def rabbitmq_depth(url: str, queue: str) -> int:
    """Jobs ready in the queue (RabbitMQ does not count those a consumer holds)."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return declared.declaration_result.message_count or 0
