"""Trace pipelines and MULTI/EXEC transactions: every command of one ``execute()`` shares a round trip.

Used by :meth:`redisprep.explain.tracing.Tracer.attach` on each pipeline a traced client makes.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable
from itertools import repeat
from typing import Any

from redisprep.explain.roundtrip import RoundTripRecorder, TraceKind, error_text, ms_since


def pipeline_factory(tracer: RoundTripRecorder, client: Any, client_no: int) -> Any | None:
    """``client.pipeline`` making pipelines of a traced subclass, or None where that cannot be done.

    redis-py's ``Redis.pipeline`` (fakeredis inherits it) only calls ``Pipeline(pool, callbacks,
    transaction, shard_hint)``; a subclass made here once per client does the same, so a traced
    pipeline costs what a plain one does to make and fill. (Methods set on each new pipeline, as
    :func:`trace_pipeline` does, cost about 1.3 µs to set and make its 10 queued commands 2 µs
    slower in all: the instance then keeps its attributes in a dict of its own.) A client class
    with its own ``pipeline`` (``RedisCluster``), or a client whose ``pipeline`` something has
    already wrapped on the instance (the practice guard does), keeps :func:`trace_pipeline`: the
    wrapper must still see every pipeline.
    """
    from redis import Redis
    from redis.client import Pipeline

    if "pipeline" in vars(client) or getattr(type(client), "pipeline", None) is not Redis.pipeline:
        return None

    class TracedPipeline(Pipeline):  # type: ignore[misc]
        """A redis-py pipeline whose ``execute()`` is recorded as one round trip."""

        def immediate_execute_command(self, *args: Any, **options: Any) -> Any:
            return _immediate(tracer, super().immediate_execute_command, args, options, client_no)

        def execute(self, raise_on_error: bool = True) -> Any:
            return _stack_executed(tracer, self, super().execute, (raise_on_error,), {}, client_no)

    def pipeline(transaction: bool = True, shard_hint: Any = None) -> Any:
        return TracedPipeline(client.connection_pool, client.response_callbacks, transaction, shard_hint)

    return pipeline


def trace_pipeline(tracer: RoundTripRecorder, pipe: Any, client_no: int) -> None:
    """Record the commands queued on ``pipe`` when it executes, all in one round trip."""
    if _plain_pipeline(pipe):
        _trace_command_stack(tracer, pipe, client_no)
        return
    queued: list[tuple[Any, ...]] = []
    original_execute_command = pipe.execute_command
    original_execute = pipe.execute
    round_trips = tracer._round_trips
    clock = time.perf_counter

    def execute_command(*args: Any, **options: Any) -> Any:
        if not tracer.enabled:
            return original_execute_command(*args, **options)
        if _sent_at_once(pipe, args):  # WATCH, and reads between WATCH and MULTI
            return tracer.send(original_execute_command, args, options, client_no)
        start = clock()
        try:
            result = original_execute_command(*args, **options)
        except Exception as exc:
            text = error_text(exc)
            tracer._after(
                None,
                tracer.record_round_trip(
                    ((args, None, text),), ms_since(start), next(round_trips), "command", client_no
                ),
            )
            raise
        if result is pipe:  # queued for execute()
            queued.append(args)
        else:  # sent at once after all
            done = tracer.record_round_trip(
                ((args, result, None),), ms_since(start), next(round_trips), "command", client_no
            )
            tracer._after(None, done)
        return result

    def execute(*args: Any, **kwargs: Any) -> Any:
        batch = list(queued)
        queued.clear()
        if not tracer.enabled or not batch:
            return original_execute(*args, **kwargs)
        return _record_batch(tracer, pipe, batch, original_execute, args, kwargs, client_no)

    pipe.execute_command = execute_command
    pipe.execute = execute


def _record_batch(
    tracer: RoundTripRecorder,
    pipe: Any,
    batch: list[tuple[Any, ...]],
    execute: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    client_no: int,
) -> Any:
    """Run ``execute(*args, **kwargs)`` and record ``batch`` as one round trip (MULTI/EXEC framed)."""
    transactional = bool(getattr(pipe, "transaction", False)) or bool(
        getattr(pipe, "explicit_transaction", False)
    )
    token = tracer._before(_framed(batch, transactional))
    rt = next(tracer._round_trips)
    start = time.perf_counter()
    kind: TraceKind = "transaction" if transactional else "pipeline"
    try:
        replies = execute(*args, **kwargs)
    except Exception as exc:
        text = error_text(exc)
        failed = [(cmd, None, text) for cmd in _framed(batch, transactional)]
        tracer._after(token, tracer.record_round_trip(failed, ms_since(start), rt, kind, client_no))
        raise
    took = ms_since(start)
    results = replies if isinstance(replies, list) else [replies] * len(batch)
    items: Iterable[tuple[tuple[Any, ...], Any, str | None]]
    if not transactional and not any(map(isinstance, results, repeat(Exception))):  # in C, no frames
        items = zip(batch, results, repeat(None))  # the common case, built in C
    else:
        items = [(("MULTI",), "OK", None)] if transactional else []
        for cmd, reply in zip(batch, results, strict=False):
            failed_text = error_text(reply) if isinstance(reply, Exception) else None
            items.append((cmd, None if failed_text else reply, failed_text))
        if transactional:
            items.append((("EXEC",), results, None))
    tracer._after(token, tracer.record_round_trip(items, took, rt, kind, client_no))
    return replies


def _plain_pipeline(pipe: Any) -> bool:
    """A redis-py (or fakeredis) ``Pipeline`` that nothing has wrapped yet: its queue can be read."""
    own = getattr(pipe, "__dict__", {})
    kind: Any = type(pipe)  # a class is hashable; mypy's Hashable check on type[Any] disagrees
    return (
        _is_redis_pipeline(kind)
        and type(own.get("command_stack")) is list
        and "execute_command" not in own
        and "immediate_execute_command" not in own
        and "execute" not in own
    )


@functools.cache
def _is_redis_pipeline(cls: type) -> bool:
    """Whether ``cls`` is redis-py's ``Pipeline`` (or a subclass, as fakeredis's is); per class, once."""
    from redis.client import Pipeline

    return issubclass(cls, Pipeline)


def _trace_command_stack(tracer: RoundTripRecorder, pipe: Any, client_no: int) -> None:
    """:func:`_trace_pipeline` for a plain redis-py pipeline, with nothing added per queued command.

    redis-py sends WATCH, and reads between WATCH and MULTI, through ``immediate_execute_command``
    (recorded as lone commands) and keeps everything else in ``command_stack`` as ``(args,
    options)`` until ``execute()``, where the batch is read and recorded as one round trip.
    """
    original_immediate = pipe.immediate_execute_command
    original_execute = pipe.execute

    def immediate_execute_command(*args: Any, **options: Any) -> Any:
        return _immediate(tracer, original_immediate, args, options, client_no)

    def execute(*args: Any, **kwargs: Any) -> Any:
        return _stack_executed(tracer, pipe, original_execute, args, kwargs, client_no)

    pipe.immediate_execute_command = immediate_execute_command
    pipe.execute = execute


def _immediate(
    tracer: RoundTripRecorder, send: Any, args: tuple[Any, ...], options: dict[str, Any], client_no: int
) -> Any:
    """A pipeline command redis-py sends at once (WATCH, reads after it): a round trip of its own."""
    return tracer.send(send, args, options, client_no) if tracer.enabled else send(*args, **options)


def _stack_executed(
    tracer: RoundTripRecorder,
    pipe: Any,
    execute: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    client_no: int,
) -> Any:
    """``execute(*args, **kwargs)`` of a redis-py pipeline; its ``command_stack`` is one round trip."""
    stack = pipe.command_stack
    if not tracer.enabled or not stack:
        return execute(*args, **kwargs)
    return _record_batch(tracer, pipe, [c[0] for c in stack], execute, args, kwargs, client_no)


def _sent_at_once(pipe: Any, args: tuple[Any, ...]) -> bool:
    """Whether redis-py sends this pipeline command immediately instead of queueing it."""
    if getattr(pipe, "explicit_transaction", False):
        return False
    if getattr(pipe, "watching", False):
        return True
    name = args[0] if args else None
    if type(name) is str:  # the common case, without building an upper-case copy
        return len(name) == 5 and name.upper() == "WATCH"
    return name is not None and str(name).upper() == "WATCH"


def _framed(batch: list[tuple[Any, ...]], transactional: bool) -> list[tuple[Any, ...]]:
    return [("MULTI",), *batch, ("EXEC",)] if transactional else batch
