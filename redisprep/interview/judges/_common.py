"""What the data-model judges share: reading replies and finding keys without an expiry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from redisprep.interview.runner import Bench
from redisprep.quiz.model import ErrorReply, Reply

#: property -> (passed, the working shown to the candidate)
Outcomes = dict[str, tuple[bool, str]]


@dataclass(frozen=True, slots=True)
class Judge:
    """A data-model judge: the operations it calls (each with its parameters) and what it checks."""

    name: str
    operations: dict[str, tuple[str, ...]]
    contract: dict[str, str]
    """Per operation, what its last command's reply must be."""
    properties: dict[str, str]
    """Property id -> what it checks, in words."""
    run: Callable[[Bench], Outcomes]


def truthy(reply: Reply) -> bool:
    """``OK``, a non-zero integer or a non-empty value: the operation says it succeeded."""
    if reply is None or isinstance(reply, ErrorReply):
        return False
    if isinstance(reply, int):
        return reply != 0
    return bool(reply)


def as_int(reply: Reply) -> int | None:
    """An integer reply (or integer text), else None."""
    if isinstance(reply, int):
        return reply
    if isinstance(reply, str):
        try:
            return int(float(reply))
        except ValueError:
            return None
    return None


def flatten(reply: Reply) -> list[str]:
    """Every text or integer inside ``reply``, in order."""
    if isinstance(reply, tuple):
        return [x for item in reply for x in flatten(item)]
    if isinstance(reply, str | int) and not isinstance(reply, bool):
        return [str(reply)]
    return []


def keys_without_ttl(bench: Bench) -> tuple[int, list[str]]:
    """How many keys the design wrote, and those that have no expiry."""
    cursor, found = "0", []
    while True:
        reply = bench.send(["SCAN", cursor, "MATCH", bench.prefix + "*", "COUNT", "1000"])
        if not isinstance(reply, tuple) or len(reply) != 2:
            break
        cursor, batch = str(reply[0]), reply[1]
        found += flatten(batch)
        if cursor == "0":
            break
    forever = [k for k in found if bench.send(["PTTL", k]) == -1]
    return len(found), [k[len(bench.prefix) :] for k in forever]


def expiry_outcome(bench: Bench, what: str) -> tuple[bool, str]:
    """Every key the design wrote has a TTL."""
    total, forever = keys_without_ttl(bench)
    if not total:
        return False, "the design wrote no keys"
    if forever:
        return False, f"{len(forever)} of {total} keys never expire ({', '.join(forever[:3])}): {what}"
    return True, f"all {total} keys written have a TTL"


def errors_in(replies: list[Reply]) -> str:
    """The first error reply among ``replies``, in words ('' when none)."""
    for r in replies:
        if isinstance(r, ErrorReply):
            return f" (first error: {r.text.splitlines()[0][:120]})"
    return ""
