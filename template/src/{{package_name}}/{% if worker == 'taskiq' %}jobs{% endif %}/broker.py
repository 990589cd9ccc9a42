"""The broker the settings name: a Redis stream or a RabbitMQ queue, with traces across it."""

from collections.abc import Coroutine
from typing import Any

from taskiq import AsyncBroker
from taskiq.kicker import AsyncKicker
from taskiq.middlewares.opentelemetry_middleware import OpenTelemetryMiddleware
from taskiq_aio_pika import AioPikaBroker, Exchange, Queue
from taskiq_redis import RedisStreamBroker

from ..core.settings.jobs import JobsSettings

# Redis stream consumer group shared by every worker of the service.
CONSUMER_GROUP = "workers"
# Seconds a worker's read of the stream waits for a job before asking again.
_REDIS_READ_BLOCK_SECONDS = 2


def create_broker(settings: JobsSettings, broker_url: str) -> AsyncBroker:
    """A broker for `broker_url`; nothing connects until its `startup()`.

    Both acknowledge a job once it has run, so a worker that dies mid-job
    leaves it to be delivered again: RabbitMQ at once, Redis after
    JOBS_REDELIVERY_TIMEOUT.
    """
    broker: AsyncBroker
    if settings.broker == "rabbitmq":
        broker = AioPikaBroker(
            broker_url,
            # Its own exchange and dead-letter queue: services sharing a vhost
            # never see each other's jobs.
            exchange=Exchange(name=settings.queue),
            task_queues=[Queue(name=settings.queue)],
            dead_letter_queue=Queue(name=f"{settings.queue}.dead_letter"),
            qos=settings.concurrency,
        )
    else:
        broker = RedisStreamBroker(
            broker_url,
            queue_name=settings.queue,
            consumer_group_name=CONSUMER_GROUP,
            # From the oldest job the group has not seen: jobs sent before the
            # first worker ever started are run too.
            consumer_id="0",
            idle_timeout=round(settings.redelivery_timeout * 1000),
            maxlen=settings.redis_stream_max_length,
            approximate=True,
            xread_block=_REDIS_READ_BLOCK_SECONDS * 1000,
            # Longer than a read's block: a Redis that stops answering fails
            # the read instead of hanging the worker.
            socket_timeout=_REDIS_READ_BLOCK_SECONDS + settings.enqueue_timeout,
            socket_connect_timeout=settings.enqueue_timeout,
        )
    # Sending puts the caller's trace context in the job's labels; running it
    # continues that trace in the worker.
    return broker.with_middlewares(OpenTelemetryMiddleware())


async def send(broker: AsyncBroker, name: str, job_id: str, payload: dict[str, Any]) -> None:
    """Hand one job to the broker by name: the sender needs no import of the job's code."""
    kicker = AsyncKicker[[dict[str, Any]], Coroutine[Any, Any, None]](name, broker, labels={})
    await kicker.with_task_id(job_id).kiq(payload)
