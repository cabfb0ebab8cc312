"""Run a card's commands on a fresh embedded server, parsed and answered as redis-cli would.

Command cards never touch the user's Redis: each answer runs on its own new in-process fakeredis
server. The test suite also runs the same functions on a live Redis 7.0 it started itself.

Every command a card or a learner sends (setup, answer, state checks, ``quiz lint``) has a time
limit: a blocking pop with timeout 0 is abandoned in its thread, and a Lua script is stopped by a
hook once it has run about :data:`SCRIPT_STEPS` instructions, so an endless loop in a deck can
neither hang the quiz nor keep a core busy afterwards.
"""

from __future__ import annotations

import shlex
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redisprep.backends import EMBEDDED_VERSION
from redisprep.knowledge.policy import REFUSED_IN_QUIZ
from redisprep.quiz.model import ErrorReply, Expect, Reply
from redisprep.quiz.replies import as_yaml, from_client, from_error, matches, redis_cli

#: A command that has not answered by then (a blocking pop with timeout 0) is abandoned.
ANSWER_TIMEOUT_S = 2.0
#: Lua instructions a script may run on the sandbox before it is stopped (about a second).
SCRIPT_STEPS = 200_000_000
_HOOK_EVERY = 100_000
_SCRIPTS = frozenset({"EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO", "FUNCTION"})
_HOOK = """(function(limit)
  local steps = 0
  debug.sethook(function()
    steps = steps + 1
    if steps > limit then error('ERR script stopped: it ran too long for the quiz sandbox', 0) end
  end, '', EVERY)
  return function() steps = 0 end
end)(LIMIT)"""


def sandbox_client() -> Any:
    """A client on a brand-new embedded server imitating Redis 7.0, with replies left raw."""
    import fakeredis

    server = fakeredis.FakeServer(version=EMBEDDED_VERSION)
    client = fakeredis.FakeRedis(server=server, decode_responses=True, protocol=2, encoding_errors="replace")
    client._redisprep_server = server
    return raw_replies(client)


def limit_scripts(client: Any) -> None:
    """Before a script runs on a sandbox server: make its Lua runtime stop runaway scripts.

    The hook counts instructions since the last reset; each command resets it.
    """
    server = getattr(client, "_redisprep_server", None)
    if server is None:
        return  # a live server in the tests: its own lua-time-limit applies
    reset = getattr(server, "_redisprep_reset", None)
    if reset is None:
        client.execute_command("EVAL", "return 1", 0)  # fakeredis creates the runtime on first use
        hook = _HOOK.replace("EVERY", str(_HOOK_EVERY)).replace("LIMIT", str(SCRIPT_STEPS // _HOOK_EVERY))
        reset = server._lua_runtime.eval(hook)
        server._redisprep_reset = reset
    reset()


def raw_replies(client: Any) -> Any:
    """Drop redis-py's reply conversions so ``client`` returns what redis-cli would show (RESP2)."""
    client.response_callbacks.clear()
    return client


def split(line: str) -> list[str]:
    """Split a command line like redis-cli (quotes group words; backslash escapes).

    Raises:
        ValueError: Unbalanced quotes.
    """
    argv = shlex.split(line)
    if not argv:
        raise ValueError("empty command")
    return argv


def run(client: Any, line: str, timeout_s: float | None = ANSWER_TIMEOUT_S) -> Reply:
    """Send one command line and return its reply; an error reply comes back as :class:`ErrorReply`.

    Args:
        client: A client from :func:`sandbox_client` (or any raw-reply client).
        line: ``ZADD lb 100 alice``.
        timeout_s: Give up on a command that has not answered by then (it is abandoned in a
            daemon thread on its own throw-away server); None waits as long as it takes.
    """
    import redis

    try:
        argv = split(line)
    except ValueError as exc:
        return ErrorReply(f"ERR cannot parse the command: {exc}")
    name = argv[0].upper()
    if name in REFUSED_IN_QUIZ:
        return ErrorReply(f"ERR {name} is not available in the quiz sandbox")
    if name in _SCRIPTS:
        limit_scripts(client)
    if timeout_s is None:
        try:
            return from_client(client.execute_command(*argv))
        except redis.ResponseError as exc:
            return from_error(exc)
    box: list[Reply] = []

    def target() -> None:
        box.append(run(client, line, None))

    worker = threading.Thread(target=target, daemon=True, name="quiz-sandbox")
    worker.start()
    worker.join(timeout_s)
    if not box:
        return ErrorReply(f"ERR no reply within {timeout_s:g} s (a blocking command waits forever here)")
    return box[0]


@dataclass(frozen=True, slots=True)
class Attempt:
    """What running a command did, judged against an :class:`Expect`."""

    reply: Reply
    failures: tuple[str, ...]
    """Each expectation that did not hold, in words; empty when all held."""
    setup_error: str | None = None
    """A setup command failed: the deck is wrong, not the answer (nothing else was run)."""

    @property
    def held(self) -> bool:
        """Whether every expectation held."""
        return not self.failures and self.setup_error is None


def run_setup(client: Any, setup: Sequence[str]) -> str | None:
    """Run setup commands in order; the first that fails, described, or None."""
    for line in setup:
        reply = run(client, line)  # with the time limit: a deck's setup may block too
        if isinstance(reply, ErrorReply):
            return f"setup command {line!r} failed: {(reply.text.splitlines() or [''])[0]}"
    return None


def attempt(
    client: Any, setup: Sequence[str], line: str, expect: Expect, timeout_s: float | None = ANSWER_TIMEOUT_S
) -> Attempt:
    """Run ``setup``, then ``line``, then check ``expect`` on the same server."""
    problem = run_setup(client, setup)
    if problem:
        return Attempt(None, (), setup_error=problem)
    reply = run(client, line, timeout_s)
    failures: list[str] = []
    if expect.has_reply and not matches(expect.reply, reply):
        failures.append(f"the reply was {_one_line(reply)}, expected {_one_line(expect.reply)}")
    for command, wanted in expect.state:
        got = run(client, command)
        if not matches(wanted, got):
            failures.append(f"afterwards {command} gave {_one_line(got)}, expected {_one_line(wanted)}")
    return Attempt(reply, tuple(failures))


def _one_line(reply: Reply) -> str:
    text = redis_cli(reply)
    return text if "\n" not in text else as_yaml(reply)
