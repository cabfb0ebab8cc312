"""``drill all`` on several cores: drills run in forked worker processes, their output in catalog order.

The drills are independent (each has its own namespace, and cleans it up), and ``drill all`` spent
its time on the CPU running the embedded server's commands, so on a machine with more than one core
running them side by side gives the same output sooner. Each worker renders a drill with the
command's own console (captured) and sends the text; the parent prints each drill whole, as soon
as every drill before it has been printed. A worker forked from the parent inherits its imports
and, on the embedded backend, a copy of its server, so each drill still starts from an empty
dataset of its own.

It runs sequentially where fork is not safe or not wanted: not Linux, other threads running (a fork
copies their locks mid-use), ``--debug`` (tracebacks from where they happen), a single drill, or
``$REDISPREP_JOBS`` set to 1.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Mapping, Sequence
from multiprocessing.connection import wait
from typing import TYPE_CHECKING, Any, TypeVar, cast

from redisprep import signals
from redisprep.drills.runner import RunInterruptedError
from redisprep.errors import RedisprepError

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from rich.console import Console

    from redisprep.backends import Backend

#: How many drills run at once (default: the cores this process may use, at most 4).
JOBS_ENV = "REDISPREP_JOBS"
MAX_JOBS = 4
#: How long an interrupted worker may take to remove its run's keys and report.
CLEANUP_S = 30.0


T = TypeVar("T")


class DrillWorkerError(RuntimeError):
    """A worker failed with something that is not a redisprep error: a bug, shown with its traceback."""


def jobs_for(count: int, debug: bool, environ: Mapping[str, str] | None = None) -> int:
    """How many drills to run side by side (1: sequentially, in this process)."""
    env = os.environ if environ is None else environ
    if debug or count < 2 or not sys.platform.startswith("linux") or threading.active_count() > 1:
        return 1
    wanted = env.get(JOBS_ENV, "").strip()
    if wanted.isdigit() and int(wanted) > 0:
        return min(int(wanted), count)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, MAX_JOBS, count))


def run_all(
    console: Console, backend: Backend, names: Sequence[str], run_one: Callable[[str], T], debug: bool
) -> list[T]:
    """``run_one(name)`` for every drill, printing on ``console``; what each returned, in order.

    Raises:
        RedisprepError: The first drill (in catalog order) that failed with one, after the output
            of the drills before it and its own; drills after it are not shown.
    """
    jobs = jobs_for(len(names), debug)
    if jobs == 1:
        return [run_one(n) for n in names]
    if backend.kind == "embedded":
        # Start the embedded server's Lua runtime once, here: every worker inherits it ready.
        backend.client().eval("return 1", 0)
    return cast("list[T]", _Pool(console, run_one, jobs).run(names))


def _stop_here(signum: int, frame: object) -> None:
    """In a worker, the parent's Ctrl-C: stop once (a second signal must not cut the cleanup short)."""
    signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    raise KeyboardInterrupt


def _serve(conn: Connection, console: Console, run_one: Callable[[str], Any]) -> None:
    """A worker: run each drill it is sent with the output captured; send the text and the outcome.

    Ctrl-C at the terminal reaches every process of the group; a worker ignores it and stops when
    the parent passes it on (SIGUSR1), exactly once, so a drill's cleanup runs to its end.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGUSR1, _stop_here)
    with signals.catching_swallowed():  # a stop that lands in a finalizer still stops the drill
        try:
            while True:
                task = conn.recv()
                if task is None:
                    return
                index, name = task
                outcome: tuple[Any, ...]
                with console.capture() as captured:
                    try:
                        outcome = ("done", run_one(name))
                    except RedisprepError as exc:
                        outcome = ("error", type(exc), str(exc))
                    except Exception:
                        outcome = ("bug", traceback.format_exc())
                conn.send((index, captured.get(), outcome))
                if outcome[0] != "done":
                    return
        except (KeyboardInterrupt, EOFError, BrokenPipeError):
            return  # between drills (or told to stop): nothing of ours is left on the server


class _Pool:
    """Forked workers fed one drill at a time; output collected and printed in order."""

    def __init__(self, console: Console, run_one: Callable[[str], Any], jobs: int) -> None:
        self.console = console
        context = multiprocessing.get_context("fork")
        self.workers: list[tuple[Any, Connection]] = []
        for _ in range(jobs):
            ours, theirs = context.Pipe()
            proc = context.Process(target=_serve, args=(theirs, console, run_one), daemon=True)
            proc.start()
            theirs.close()
            self.workers.append((proc, ours))

    def run(self, names: Sequence[str]) -> list[Any]:
        """Run every drill; print each whole once every drill before it is printed.

        The first worker takes the drills in catalog order, so the first ones show at once; the
        others take them from the end, so no long drill is left running alone at the end. After a
        failure, only the drills before it still run (a sequential run would have stopped there).
        """
        texts: dict[int, str] = {}
        results: dict[int, Any] = {}
        failure: tuple[int, tuple[Any, ...]] | None = None
        queue = list(enumerate(names))
        busy: dict[Connection, int] = {}
        head = self.workers[0][1]
        printed = 0
        try:
            for _, conn in self.workers:
                self._give(conn, conn is head, queue, len(names), busy)
            while busy and printed < (len(names) if failure is None else failure[0]):
                for conn in _ready(busy, None):
                    index = busy.pop(conn)
                    try:
                        got, text, outcome = conn.recv()
                    except EOFError:  # the worker died without a word (killed)
                        got, text, outcome = index, "", ("bug", f"the worker running {names[index]} died")
                    texts[got] = text
                    if outcome[0] == "done":
                        results[got] = outcome[1]
                    elif failure is None or got < failure[0]:
                        failure = (got, outcome)
                    if outcome[0] == "done":
                        bound = len(names) if failure is None else failure[0]
                        self._give(conn, conn is head, queue, bound, busy)
                while printed in texts and printed in results:
                    self._write(texts.pop(printed))
                    printed += 1
        except KeyboardInterrupt:
            self._interrupt(busy, texts, printed)
        finally:
            self._stop(busy)
        if failure is not None:
            self._write(texts.get(failure[0], ""))
            _raise(failure[1])
        return [results[i] for i in range(len(names))]

    def _give(
        self,
        conn: Connection,
        first: bool,
        queue: list[tuple[int, str]],
        bound: int,
        busy: dict[Connection, int],
    ) -> None:
        """Send ``conn`` its next drill below ``bound``: the first waiting one, else the last."""
        waiting = [i for i, (index, _) in enumerate(queue) if index < bound]
        if waiting:
            index, name = queue.pop(waiting[0] if first else waiting[-1])
            conn.send((index, name))
            busy[conn] = index

    def _write(self, text: str) -> None:
        if text:
            self.console.file.write(text)
            self.console.file.flush()

    def _interrupt(self, busy: dict[Connection, int], texts: dict[int, str], printed: int) -> None:
        """Ctrl-C: have every running drill remove its keys, show what finished, and report."""
        for proc, _ in self.workers:
            if proc.is_alive() and proc.pid is not None:
                os.kill(proc.pid, signal.SIGUSR1)
        messages: dict[int, str] = {}
        while busy:
            ready = _ready(busy, CLEANUP_S)
            if not ready:
                break
            for conn in ready:
                index = busy.pop(conn)
                try:
                    _, text, outcome = conn.recv()
                except (EOFError, OSError):  # died, or our own Ctrl-C cut a message in half
                    continue
                texts[index] = text
                if outcome[0] == "error":
                    messages[index] = outcome[2]
        while printed in texts:
            self._write(texts.pop(printed))
            printed += 1

        said = [m.removeprefix("interrupted; ") for _, m in sorted(messages.items())]
        raise RunInterruptedError("interrupted; " + "; ".join(said) if said else "interrupted")

    def _stop(self, busy: dict[Connection, int]) -> None:
        """Let workers still running a drill finish it (reading what they send, so none blocks on a
        full pipe), then tell every worker to stop."""
        while busy:
            ready = _ready(busy, CLEANUP_S)
            if not ready:
                break
            for conn in ready:
                busy.pop(conn)
                try:
                    conn.recv()
                except (EOFError, OSError):
                    pass
        for _, conn in self.workers:
            try:
                conn.send(None)
            except OSError:
                pass
        for proc, conn in self.workers:
            proc.join(CLEANUP_S)
            if proc.is_alive():
                proc.kill()
                proc.join()
            conn.close()


def _ready(busy: Mapping[Connection, int], timeout: float | None) -> list[Connection]:
    """The busy workers' connections with something to read (none after ``timeout`` seconds)."""

    return cast("list[Connection]", wait(list(busy), timeout))


def _raise(outcome: tuple[Any, ...]) -> None:
    """Raise again, in this process, what a worker reported."""
    if outcome[0] == "error":
        cls: type[RedisprepError] = outcome[1]
        exc = cls.__new__(cls)
        Exception.__init__(exc, outcome[2])  # str(exc) is the worker's message; the class, its exit code
        raise exc
    raise DrillWorkerError(f"a drill failed in a worker process:\n{outcome[1]}")
