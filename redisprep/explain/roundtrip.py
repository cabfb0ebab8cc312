"""What the tracer and the pipeline wrapper share: a round trip's kind, timing, error text, recorder."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Literal, Protocol

TraceKind = Literal["command", "pipeline", "transaction"]


class RoundTripRecorder(Protocol):
    """The part of :class:`redisprep.explain.tracing.Tracer` that records batched round trips."""

    enabled: bool
    _round_trips: Iterator[int]

    def send(self, send: Any, args: tuple[Any, ...], options: dict[str, Any], client: int) -> Any: ...

    def record_round_trip(
        self,
        batch: Iterable[tuple[tuple[Any, ...], Any, str | None]],
        duration_ms: float,
        round_trip: int,
        kind: TraceKind,
        client: int,
    ) -> Sequence[Any]: ...

    def _before(self, batch: Sequence[tuple[Any, ...]]) -> Any: ...

    def _after(self, token: Any, commands: Sequence[Any]) -> None: ...


def ms_since(start: float) -> float:
    """Milliseconds since ``start`` (a ``time.perf_counter()`` reading)."""
    return (time.perf_counter() - start) * 1000.0


def error_text(exc: BaseException) -> str:
    """An exception as ``Type: message``, for a record's ``error``."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
