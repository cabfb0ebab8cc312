"""A private redis-server the single-thread drill may stall: fill it, run a slow command, time others' GETs.

A slow command is only visible on a real event loop, and showing it needs KEYS, CONFIG SET and a
keyspace of a million keys: none of that may happen on a server redisprep did not start. So every
measurement runs on a redis-server started here (:func:`redisprep.private.open_private`, password
random, killed by PID when the ``with`` block ends, and by the kernel if redisprep is killed).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from redisprep.drills.breaker import Breaker, guard
from redisprep.drills.single_thread.workload import Workload
from redisprep.errors import BackendUnavailableError, BackendUnsupportedError
from redisprep.private import Private, open_private

#: The prober sends one GET per INTERVAL_S; a GET stalled longer also counts the GETs it held up.
INTERVAL_S = 0.001
#: Generous: a slow command on a loaded machine may take seconds, which is the point.
SLOW_TIMEOUT_S = 60.0
PROBE_KEY = "probe"
FILL_CHUNK = 10_000
LAZY_USER_DEL = "lazyfree-lazy-user-del"

#: Scripts that write ARGV[1]..ARGV[2] in batches of BATCH arguments per command (unpack's limit).
_FILL_STRINGS = """
local batch = {}
for i = tonumber(ARGV[1]), tonumber(ARGV[2]) do
  batch[#batch + 1] = 'key:' .. i
  batch[#batch + 1] = 'v'
  if #batch >= 2000 then redis.call('MSET', unpack(batch)) batch = {} end
end
if #batch > 0 then redis.call('MSET', unpack(batch)) end
return 1
"""
_FILL_MEMBERS = """
local key, zset, batch = KEYS[1], ARGV[3] == 'ZADD', {}
for i = tonumber(ARGV[1]), tonumber(ARGV[2]) do
  if zset then batch[#batch + 1] = i end
  batch[#batch + 1] = 'member:' .. i
  if #batch >= 2000 then redis.call(ARGV[3], key, unpack(batch)) batch = {} end
end
if #batch > 0 then redis.call(ARGV[3], key, unpack(batch)) end
return 1
"""
#: A busy loop that touches no key: it only holds the main thread for ARGV[1] iterations.
BUSY_SCRIPT = "local n = 0 for i = 1, tonumber(ARGV[1]) do n = n + 1 end return n"


class LabUnavailableError(Exception):
    """No private redis-server could be started (none installed, or it did not start)."""


@dataclass(frozen=True, slots=True)
class Window:
    """Everyone else's GET latency while one command ran (or while nothing did)."""

    label: str
    p50_ms: float
    p99_ms: float
    max_ms: float
    gets: int
    """GETs the prober sent (the histogram also counts those a stall held up)."""
    command_ms: float
    """How long the slow command took, as the client that sent it saw it (0 when idle)."""


class Lab:
    """Clients on the private server, and the timing of other clients' GETs."""

    def __init__(self, private: Private, breaker: Breaker, size: Workload) -> None:
        self._private = private
        self._breaker = breaker
        self.size = size
        self.admin = self.client()
        self.admin.set(PROBE_KEY, "v")
        self.lazy_del_default = self._blocking_del()

    def _blocking_del(self) -> bool:
        """Make DEL free on the main thread, as Redis does by default; whether the server had not.

        Valkey 8.0 turned ``lazyfree-lazy-user-del`` on by default (valkey-io/valkey#913), which
        makes DEL free big values in the background like UNLINK. This server is the drill's own, so
        CONFIG SET may put the Redis default back and let DEL show what it does there. A server
        without the setting (before Redis 6.0) always frees DEL on the main thread.
        """
        reply = self.admin.config_get(LAZY_USER_DEL)
        if str(reply.get(LAZY_USER_DEL, "no")).lower() != "yes":
            return False
        self.admin.config_set(LAZY_USER_DEL, "no")
        return True

    @property
    def label(self) -> str:
        """``redis-server 7.0.15``."""
        return self._private.label

    def client(self) -> Any:
        """A new connection to the private server, checking the run's breaker before each command
        (so a Ctrl-C that Python swallowed in a finalizer stops the drill at its next command)."""
        return guard(self._private.admin.client(socket_timeout=SLOW_TIMEOUT_S), self._breaker)

    def fill_strings(self, count: int) -> None:
        """``count`` string keys ``key:1`` .. ``key:<count>``, written by scripts in chunks."""
        for start in range(1, count + 1, FILL_CHUNK):
            self.admin.eval(_FILL_STRINGS, 0, start, min(count, start + FILL_CHUNK - 1))

    def fill_members(self, keys: tuple[str, ...], count: int, command: str = "SADD") -> None:
        """Sets (``SADD``) or sorted sets (``ZADD``) of ``count`` members ``member:<i>`` each.

        The keys grow chunk by chunk in turn, as values grown over time do, their allocations
        interleaved with others'. (A set copied in one go, by SUNIONSTORE say, lies in memory in
        order and DEL frees it several times faster: 34 ms against 208 ms for 1M members here.)
        """
        for start in range(1, count + 1, FILL_CHUNK):
            for key in keys:
                self.admin.eval(_FILL_MEMBERS, 1, key, start, min(count, start + FILL_CHUNK - 1), command)

    def busy_iterations(self, target_ms: float, probe: int = 5_000_000) -> int:
        """Loop iterations of :data:`BUSY_SCRIPT` that take about ``target_ms`` on this server.

        The fastest of three timed runs sets the rate, so a hiccup while calibrating cannot shorten
        the script much below ``target_ms``.
        """
        self.admin.eval(BUSY_SCRIPT, 0, 1)  # the first call compiles and caches the script
        timings = []
        for _ in range(3):
            began = time.perf_counter()
            self.admin.eval(BUSY_SCRIPT, 0, probe)
            timings.append(time.perf_counter() - began)
        per_ms = probe / max(0.1, min(timings) * 1000)
        return max(1, round(per_ms * target_ms))

    def window(self, label: str, slow: Callable[[Any], Any] | None) -> Window:
        """Time a paced stream of GETs while ``slow(client)`` runs on another connection."""
        from hdrh.histogram import HdrHistogram

        hist = HdrHistogram(1, 60_000_000, 3)
        prober, worker = self.client(), self.client()
        prober.get(PROBE_KEY)  # connect before timing
        worker.ping()
        stop = threading.Event()
        sent: list[int] = [0]
        failed: list[BaseException] = []

        def probe() -> None:
            interval_us = round(INTERVAL_S * 1e6)
            next_at = time.perf_counter()
            try:
                while not stop.is_set():
                    began = time.perf_counter()
                    prober.get(PROBE_KEY)
                    micros = round((time.perf_counter() - began) * 1e6)
                    hist.record_corrected_value(min(60_000_000, max(1, micros)), interval_us)
                    sent[0] += 1
                    next_at += INTERVAL_S
                    delay = next_at - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
                    else:  # behind schedule (a stall): go on from now
                        next_at = time.perf_counter()
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
                failed.append(exc)

        thread = threading.Thread(target=probe, daemon=True)
        thread.start()
        command_ms = 0.0
        try:
            time.sleep(self.size.lead_s)
            if slow is None:
                time.sleep(self.size.idle_s)
            else:
                began = time.perf_counter()
                slow(worker)
                command_ms = (time.perf_counter() - began) * 1000
            time.sleep(self.size.tail_s)
        finally:
            stop.set()
            thread.join()
            prober.close()
            worker.close()
        if failed:
            raise failed[0]
        return Window(
            label,
            p50_ms=hist.get_value_at_percentile(50) / 1000,
            p99_ms=hist.get_value_at_percentile(99) / 1000,
            max_ms=hist.get_max_value() / 1000,
            gets=sent[0],
            command_ms=command_ms,
        )


@contextmanager
def open_lab(breaker: Breaker, size: Workload) -> Iterator[Lab]:
    """A :class:`Lab` on a new private redis-server, stopped (SIGKILL, by PID) when the block ends.

    ``breaker`` is the run's (``ctx.breaker``): the lab's clients consult it like the run's own.
    ``size`` sets the windows' lengths (and the callers' datasets).

    Raises:
        LabUnavailableError: No redis-server is installed (``$REDISPREP_SERVER``, ``PATH``), or it
            did not start.
    """
    try:
        private = open_private()
    except (BackendUnavailableError, BackendUnsupportedError) as exc:
        raise LabUnavailableError(str(exc)) from exc
    try:
        if private.server is None:
            raise LabUnavailableError(
                "no redis-server to start a private server (install it, or set $REDISPREP_SERVER)"
            )
        yield Lab(private, breaker, size)
    finally:
        private.close()
