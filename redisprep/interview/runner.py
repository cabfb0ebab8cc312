"""Run the candidate's design on an embedded server the interview owns, with a time limit.

Safety is by construction, not by recognising bad commands: the commands go only to a fresh
in-process fakeredis started for this run (never ``--url`` nor ``$REDISPREP_URL``), inside a
:class:`~redisprep.run.Run` whose namespace is the only key prefix a template can render; a Lua
script is stopped after about a second of work (which stops the workload), and the workload stops
when a command has not answered within :data:`STALL_S` or all of it has run :data:`BUDGET_S`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from redisprep.interview.design import Design, foreign_key, render
from redisprep.quiz.model import ErrorReply, Reply
from redisprep.quiz.replies import from_client, from_error
from redisprep.quiz.sandbox import limit_scripts, raw_replies
from redisprep.run import Run, Target

#: The whole data-model workload must finish within this many seconds.
BUDGET_S = 20.0
#: A command that has not answered after this long (a blocking pop with timeout 0) stops the workload.
STALL_S = 2.0


class StoppedError(Exception):
    """The workload ran past its budget (raised inside the judge's thread)."""


@dataclass
class Bench:
    """The candidate's design wired to clients of the run's embedded server."""

    design: Design
    prefix: str
    clients: Sequence[Any]
    refused: list[str] = field(default_factory=list)
    """Commands not sent, each with why (a literal key, an unknown command)."""
    sent: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    answered_at: float = field(default_factory=time.monotonic)
    """When the last command answered (a stall is measured from it)."""
    stopped: str | None = None

    def commands(self, op: str, params: Mapping[str, str]) -> list[list[str]]:
        """The rendered commands of ``op``."""
        return render(self.design, op, params, self.prefix)

    def send(self, argv: list[str], client: int = 0) -> Reply:
        """Send one command (refused, and an error reply returned, when it names a foreign key)."""
        if self.stop.is_set():
            raise StoppedError
        why = foreign_key(argv, self.prefix)
        if why is not None:
            if why not in self.refused:
                self.refused.append(why)
            return ErrorReply(f"ERR refused by the interview: {why}")
        import redis

        conn = self.clients[client]
        if argv[0].upper() in ("EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO", "FUNCTION"):
            limit_scripts(conn)
        self.sent += 1
        try:
            reply = from_client(conn.execute_command(*argv))
        except redis.ResponseError as exc:
            reply = from_error(exc)
        self.answered_at = time.monotonic()
        if isinstance(reply, ErrorReply) and "ran too long" in reply.text:
            self.stopped = f"a script of {argv[0]} ran too long and was stopped"
            raise StoppedError
        return reply

    def call(self, op: str, params: Mapping[str, str], client: int = 0) -> Reply:
        """Run operation ``op``; its result is the reply of its last command (None if it has none)."""
        reply: Reply = None
        for argv in self.commands(op, params):
            reply = self.send(argv, client)
        return reply

    def interleave(self, calls: Sequence[tuple[int, str, Mapping[str, str]]]) -> list[Reply]:
        """Run several operations from different clients one command each in turn (worst case for
        read-then-write designs; single commands and scripts are atomic either way)."""
        queues = [self.commands(op, params) for _, op, params in calls]
        results: list[Reply] = [None] * len(calls)
        step = 0
        while any(step < len(q) for q in queues):
            for i, (client, _, _) in enumerate(calls):
                if step < len(queues[i]):
                    results[i] = self.send(queues[i][step], client)
            step += 1
        return results


@dataclass(frozen=True, slots=True)
class Ran:
    """What running a judge gave: its findings, or why it stopped."""

    outcomes: dict[str, tuple[bool, str]]
    refused: tuple[str, ...]
    sent: int
    stopped: str | None = None


def run_design(design: Design, judge: Callable[[Bench], dict[str, tuple[bool, str]]], what: str) -> Ran:
    """Run ``judge`` against ``design`` on a fresh embedded server (two clients), inside a Run."""
    with Run(Target(), what=what) as run:
        clients = []
        for _ in range(2):
            client = raw_replies(run.backend.client())
            client._redisprep_server = client.connection_pool.connection_kwargs.get("server")
            clients.append(client)
        bench = Bench(design, run.ns.prefix, clients)
        box: list[dict[str, tuple[bool, str]]] = []
        errors: list[BaseException] = []

        def work() -> None:
            try:
                box.append(judge(bench))
            except StoppedError:
                pass
            except BaseException as exc:  # re-raised in the caller's thread
                errors.append(exc)

        worker = threading.Thread(target=work, daemon=True, name="interview-judge")
        worker.start()
        began = time.monotonic()
        try:
            while worker.is_alive():
                worker.join(0.1)
                now = time.monotonic()
                if now - bench.answered_at > STALL_S:
                    bench.stopped = f"a command did not answer within {STALL_S:g} s (a blocking command?)"
                elif now - began > BUDGET_S:
                    bench.stopped = f"the workload did not finish within {BUDGET_S:g} s"
                if bench.stopped:
                    break
        finally:
            bench.stop.set()  # Ctrl-C, a stall or the budget: the judge stops at its next command
        if errors:
            raise errors[0]
        if not box:
            why = bench.stopped or "the workload stopped"
            return Ran({}, tuple(bench.refused), bench.sent, "stopped: " + why)
        return Ran(box[0], tuple(bench.refused), bench.sent)
