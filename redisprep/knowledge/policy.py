"""Which commands redisprep refuses, and where: one table, each entry with its reason and contexts.

Contexts (where a command is refused):

- ``user-server``: never sent to a server redisprep did not start; ``explain`` shows the
  documentation only, even with ``--execute``.
- ``connection``: changes the connection's state or streams forever; ``explain`` shows the
  documentation only, on any server.
- ``grading``: refused while grading learner code, whatever its arguments (the grader's guard).
- ``quiz``: refused in quiz cards: it would hang the sandbox or switch the connection's mode.

Safety never rests on this table alone: the grader also refuses every keyless command it does not
allow (:data:`KEYLESS_WHILE_GRADING`) and every key outside the run's prefix, and explain sends only
its own reads to a user's server. The table says what is refused *outright*, and why.

Every ``user-server`` entry is one Redis 7.0 itself flags ``@dangerous`` (COMMAND INFO; the
tests check it). The other entries are redisprep's own decisions,
each with its reason (a script library outlives the run, RANDOMKEY returns other people's keys).
The contexts differ on purpose, and each difference is one entry's contexts here: explain refuses
what would harm a user's server, the grader everything that leaves the exercise's keys, the quiz
what would hang its sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

Context = Literal["user-server", "connection", "grading", "quiz"]


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why one command is refused, and in which contexts."""

    reason: str
    """Why, completing "X is not allowed: ..." (the grader shows it)."""
    contexts: frozenset[Context]


def _r(reason: str, *contexts: Context) -> Refusal:
    return Refusal(reason, frozenset(contexts))


_CONNECTION_MODE = "it switches the connection to another mode"
_STREAMS = "it streams the server's traffic until the connection closes"
_REPLICATION = "it starts a replication stream"
_STATE = "it changes the connection's state"

POLICY: Mapping[str, Refusal] = MappingProxyType(
    {
        # The live-server contract (README): never sent to a server redisprep did not start.
        "FLUSHALL": _r("it deletes every key on the server", "user-server", "grading"),
        "FLUSHDB": _r("it deletes every key in the database", "user-server", "grading"),
        "KEYS": _r(
            "it lists every key in the database and blocks the server while it does (use SCAN MATCH "
            "on your own prefix)",
            "user-server",
            "grading",
        ),
        "CONFIG SET": _r("it changes the server's configuration", "user-server", "grading"),
        "SHUTDOWN": _r("it stops the server", "user-server", "grading"),
        "DEBUG": _r("it can crash or stall the server", "user-server", "grading"),
        "MIGRATE": _r("it moves keys to another server", "user-server", "grading"),
        # Refused while grading only: explain runs them on a disposable copy with --execute.
        "RANDOMKEY": _r("it returns keys that are not the exercise's", "grading"),
        "SWAPDB": _r("it swaps whole databases", "grading"),
        "SELECT": _r(
            "it switches to another database, away from the exercise's keys", "grading", "connection"
        ),
        "MOVE": _r("it moves a key to another database, out of the grader's reach", "grading"),
        "CONFIG RESETSTAT": _r("it resets the server's statistics", "grading"),
        "CONFIG REWRITE": _r("it rewrites the server's configuration file", "grading"),
        "SCRIPT FLUSH": _r("it empties the server's script cache", "grading"),
        "SCRIPT KILL": _r("it stops a script someone else is running", "grading"),
        "FUNCTION FLUSH": _r("it deletes every function library on the server", "grading"),
        "FUNCTION DELETE": _r("it deletes a function library from the server", "grading"),
        "FUNCTION RESTORE": _r("it replaces function libraries on the server", "grading"),
        "FUNCTION LOAD": _r(
            "a function library outlives the run and is shared by every client (use EVAL)", "grading"
        ),
        "FCALL": _r(
            "it runs a function library stored on the server (use EVAL with your own script)", "grading"
        ),
        "FCALL_RO": _r(
            "it runs a function library stored on the server (use EVAL_RO with your own script)", "grading"
        ),
        # Connection state: explain shows the documentation only; the quiz refuses those that hang.
        "SUBSCRIBE": _r(_CONNECTION_MODE, "connection", "quiz"),
        "PSUBSCRIBE": _r(_CONNECTION_MODE, "connection", "quiz"),
        "SSUBSCRIBE": _r(_CONNECTION_MODE, "connection", "quiz"),
        "MONITOR": _r(_STREAMS, "connection", "quiz"),
        "SYNC": _r(_REPLICATION, "connection", "quiz"),
        "PSYNC": _r(_REPLICATION, "connection", "quiz"),
        "QUIT": _r("it closes the connection", "connection", "quiz"),
        "RESET": _r("it resets the connection's state", "connection", "quiz"),
        "UNSUBSCRIBE": _r(_STATE, "connection"),
        "PUNSUBSCRIBE": _r(_STATE, "connection"),
        "SUNSUBSCRIBE": _r(_STATE, "connection"),
        "MULTI": _r(_STATE, "connection"),
        "EXEC": _r(_STATE, "connection"),
        "DISCARD": _r(_STATE, "connection"),
        "WATCH": _r(_STATE, "connection"),
        "UNWATCH": _r(_STATE, "connection"),
        "HELLO": _r(_STATE, "connection"),
        "AUTH": _r(_STATE, "connection"),
        "REPLCONF": _r(_STATE, "connection"),
        "CLIENT REPLY": _r(_STATE, "connection"),
    }
)

#: Keyless commands learner code may send while grading: connection chatter, transactions, script
#: loading. Every other keyless command is refused (an allowlist: nothing unknown gets through).
KEYLESS_WHILE_GRADING = frozenset(
    {
        "PING", "ECHO", "TIME", "MULTI", "EXEC", "DISCARD", "UNWATCH", "DBSIZE", "WAIT", "READONLY",
        "READWRITE", "ASKING", "SCRIPT LOAD", "SCRIPT EXISTS", "CLUSTER KEYSLOT", "CLIENT SETNAME",
        "CLIENT GETNAME", "CLIENT ID", "UNSUBSCRIBE", "PUNSUBSCRIBE",
    }
)  # fmt: skip


def refused_in(context: Context) -> frozenset[str]:
    """Every command refused outright in ``context`` (``XGROUP CREATE`` style names)."""
    return frozenset(name for name, r in POLICY.items() if context in r.contexts)


def refusal(name: str, context: Context) -> str | None:
    """Why ``name`` is refused in ``context``, or None when it is not refused there."""
    entry = POLICY.get(name.upper())
    return entry.reason if entry is not None and context in entry.contexts else None


NEVER_ON_USER_SERVER = refused_in("user-server")
CONNECTION_STATE = refused_in("connection")
REFUSED_WHILE_GRADING = refused_in("grading")
REFUSED_IN_QUIZ = refused_in("quiz")
