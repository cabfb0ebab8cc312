"""Pub/Sub as a message feed: fire-and-forget fan-out to whoever is connected, and nothing kept.

Feed interface, shared with :mod:`redisprep.drills.pubsub_vs_streams.reference` so one workload runs on both
(``r`` is a ``redis.Redis`` client, ``topic`` a channel here and a stream key there):

- ``publish(r, topic, message)``: send one message.
- ``subscribe(r, topic, name, from_start=False) -> handle``: start listening; ``from_start`` asks for
  the history too (Pub/Sub keeps none, so it is ignored here).
- ``disconnect(r, handle)`` and ``reconnect(r, handle)``: the subscriber goes offline and comes back.
- ``receive(r, handle) -> list[str]``: every message delivered to it since the last call, in order.
- ``close(r, handle)``: stop for good and release the connection.

A subscriber needs a connection of its own (``r.pubsub()``). It is read here, in the caller's
thread, so no listener thread exists to leak; :meth:`Subscriber.close` unsubscribes and closes it.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from redisprep.errors import BackendUnavailableError

#: How long to wait for a reply on the subscriber connection before calling the server unreachable.
REPLY_TIMEOUT_S = 2.0


@dataclass(frozen=True, slots=True)
class Message:
    """One message as a subscriber received it."""

    channel: str
    data: str
    pattern: str | None = None
    """The pattern that matched, for messages received through PSUBSCRIBE."""


class Subscriber:
    """A Pub/Sub connection subscribed to some channels and patterns, read without a thread."""

    def __init__(
        self,
        r: Any,
        channels: Sequence[str] = (),
        patterns: Sequence[str] = (),
        name: str = "",
    ) -> None:
        self.name = name
        self.channels = tuple(channels)
        self.patterns = tuple(patterns)
        self._r = r
        self._pubsub: Any = None
        self._tokens = itertools.count(1)
        self.open()

    @property
    def online(self) -> bool:
        """Whether the subscriber holds a connection (and so receives what is published)."""
        return self._pubsub is not None

    def open(self) -> None:
        """Connect and subscribe; returns once the server confirmed every subscription."""
        if self._pubsub is not None:
            return
        pubsub = self._r.pubsub()
        try:
            if self.channels:
                pubsub.subscribe(*self.channels)
            if self.patterns:
                pubsub.psubscribe(*self.patterns)
            # SUBSCRIBE is only sent, not answered, by redis-py. Waiting for the confirmations means
            # a PUBLISH sent after open() returns is certain to find this subscriber.
            confirmed = 0
            while confirmed < len(self.channels) + len(self.patterns):
                kind = _kind(self._next(pubsub))
                confirmed += kind in ("subscribe", "psubscribe")
        except BaseException:
            pubsub.close()
            raise
        self._pubsub = pubsub

    def drain(self) -> list[Message]:
        """Every message delivered so far, in order, without sleeping.

        A PING sent on this connection is answered after every message the server has already
        queued for it, so reading up to the PING's reply reads exactly those.

        Raises:
            BackendUnavailableError: The server did not answer within :data:`REPLY_TIMEOUT_S`.
        """
        if self._pubsub is None:
            return []
        token = f"drain-{next(self._tokens)}"
        self._pubsub.execute_command("PING", token)
        received: list[Message] = []
        while True:
            raw = self._next(self._pubsub)
            if raw == token or (isinstance(raw, list) and raw[:2] == ["pong", token]):
                return received
            kind = _kind(raw)
            if kind == "message":
                received.append(Message(channel=str(raw[1]), data=str(raw[2])))
            elif kind == "pmessage":
                received.append(Message(channel=str(raw[2]), data=str(raw[3]), pattern=str(raw[1])))

    def close(self) -> None:
        """Unsubscribe and close the connection (the subscriber is offline afterwards).

        Unsubscribing first matters on the embedded fakeredis: it keeps the pattern subscriptions of
        a closed connection (``PUBSUB NUMPAT`` stays 1), where Redis drops them with the connection.
        While an error is propagating (a ``finally`` block during cleanup) the connection is only
        closed: a server that is gone or silent would make each open subscriber wait
        :data:`REPLY_TIMEOUT_S` in turn, and the error already says what went wrong.

        Raises:
            BackendUnavailableError: The server did not confirm within :data:`REPLY_TIMEOUT_S`.
        """
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is None:
            return
        try:
            if sys.exc_info()[0] is not None:
                return
            if self.channels:
                pubsub.unsubscribe()
            if self.patterns:
                pubsub.punsubscribe()
            # Wait for the last confirmation (0 subscriptions left): once it is read, every other
            # client sees the subscription gone (PUBSUB NUMSUB, NUMPAT, PUBLISH's reply).
            while True:
                raw = self._next(pubsub)
                if _kind(raw) in ("unsubscribe", "punsubscribe") and int(raw[2]) == 0:
                    break
        finally:
            pubsub.close()

    def __enter__(self) -> Subscriber:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def _next(pubsub: Any) -> Any:
        raw = pubsub.parse_response(block=False, timeout=REPLY_TIMEOUT_S)
        if raw is None:
            raise BackendUnavailableError(
                f"no reply on the subscriber connection within {REPLY_TIMEOUT_S:g} s"
            )
        return raw


def _kind(raw: Any) -> str:
    return str(raw[0]) if isinstance(raw, list) and raw else ""


@contextmanager
def subscribers(*subs: Subscriber) -> Iterator[tuple[Subscriber, ...]]:
    """Close every subscriber when the block ends, also on an error."""
    try:
        yield subs
    finally:
        for sub in subs:
            sub.close()


# --- the feed interface -------------------------------------------------------------------------


def publish(r: Any, topic: str, message: str) -> int:
    """PUBLISH, O(N+M): returns how many subscribers it reached; nobody else will ever see it."""
    return int(r.publish(topic, message))


def subscribe(r: Any, topic: str, name: str, from_start: bool = False) -> Subscriber:
    """SUBSCRIBE on a new connection; ``from_start`` cannot be honoured (no history is kept)."""
    return Subscriber(r, channels=(topic,), name=name)


def disconnect(r: Any, sub: Subscriber) -> None:
    """Close the connection: the server forgets the subscription, and what comes next is lost to it."""
    sub.close()


def reconnect(r: Any, sub: Subscriber) -> None:
    """Subscribe again on a new connection; it hears only what is published from now on."""
    sub.open()


def receive(r: Any, sub: Subscriber) -> list[str]:
    """The payloads delivered since the last call."""
    return [m.data for m in sub.drain()]


def close(r: Any, sub: Subscriber) -> None:
    """Unsubscribe and release the connection."""
    sub.close()
