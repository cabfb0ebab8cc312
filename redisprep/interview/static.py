"""Structural rules read from the candidate's command templates without running them."""

from __future__ import annotations

from collections.abc import Callable

from redisprep.interview.design import Design

_STORES = frozenset({"XADD", "RPUSH", "LPUSH", "ZADD", "HSET", "SET"})


def _no_keys(design: Design) -> tuple[bool, str]:
    ops = [op for op, _ in design.operations if "KEYS" in design.commands(op)]
    if ops:
        return False, f"{', '.join(ops)} sends KEYS: O(N) over the whole keyspace, blocking every client"
    return True, "no operation scans the keyspace with KEYS"


def _log_not_pubsub(design: Design) -> tuple[bool, str]:
    sent = set(design.commands("append"))
    if sent & {"PUBLISH", "SPUBLISH"} and not sent & _STORES:
        return (
            False,
            "append only PUBLISHes: pub/sub keeps nothing, so a consumer that was away misses events",
        )
    return True, "append writes the event to a key (it is kept)"


#: Rule id -> check. A rubric point names one with ``check: {static: <id>}``.
RULES: dict[str, Callable[[Design], tuple[bool, str]]] = {
    "no-keys": _no_keys,
    "log-not-pubsub": _log_not_pubsub,
}
