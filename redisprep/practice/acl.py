"""A per-run Redis ACL user: the only credentials the learner's commands are ever sent with.

The user may touch keys and channels under the run's prefix only, and run only the exercise's data
type categories plus a short list of key-scoped and connection commands, minus everything Redis
marks ``@dangerous`` or ``@admin``. Redis enforces it on the server, inside Lua scripts too, so
safety does not depend on recognising a bad command. It only protects a server where every
connection must authenticate: :func:`open_doors` finds users that need no password.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redisprep.errors import BackendUnsupportedError

#: Data-type categories an exercise may name in its ``exercise.yaml`` (``acl: [sortedset]``).
DATA_CATEGORIES = frozenset(
    {"string", "hash", "list", "set", "sortedset", "stream", "geo", "hyperloglog", "bitmap"}
)
#: Commands every run may send besides its data types: each names keys (checked against the
#: prefix), or acts on the connection only. Nothing here lists, moves or counts other keys.
ALLOWED = (
    "+ping", "+echo", "+client|setname", "+client|getname", "+client|id", "+client|setinfo",
    "+multi", "+exec", "+discard", "+watch", "+unwatch",
    "+eval", "+evalsha", "+eval_ro", "+evalsha_ro", "+script|load", "+script|exists",
    "+del", "+unlink", "+exists", "+expire", "+pexpire", "+expireat", "+pexpireat", "+ttl", "+pttl",
    "+persist", "+type", "+touch", "+object|encoding", "+expiretime", "+pexpiretime",
)  # fmt: skip
#: What a cluster client needs to learn the slot layout and follow redirections.
CLUSTER = (
    "+cluster|slots",
    "+cluster|shards",
    "+cluster|nodes",
    "+asking",
    "+readonly",
    "+readwrite",
    "+command",
)
#: Whatever the lists above let through, these categories never are.
NEVER = ("-@dangerous", "-@admin")
_BAD_MODIFIER = re.compile(r"modifier '([^']+)'")


@dataclass(frozen=True, slots=True)
class RunUser:
    """The per-run user's name and password (held by the parent only)."""

    name: str
    password: str
    rules: tuple[str, ...]


def rules_for(prefix: str, categories: Sequence[str], *, channels: bool, cluster: bool) -> list[str]:
    """The ACL SETUSER rules of a run user (without its password).

    Args:
        prefix: The run's key prefix (contains no glob characters).
        categories: Data-type categories from :data:`DATA_CATEGORIES`.
        channels: Whether the server knows channel patterns (Redis 6.2 and later).
        cluster: Add what a cluster client needs.
    """
    rules = ["on", f"~{prefix}*"]
    if channels:
        rules += ["resetchannels", f"&{prefix}*"]
    rules += ["-@all", *(f"+@{c}" for c in sorted(categories)), *ALLOWED, *NEVER]
    if cluster:
        # After NEVER: Redis 6.2 files CLUSTER (every subcommand) under @admin, so '-@admin' last
        # would take back the read-only subcommands a cluster client needs.
        rules += list(CLUSTER)
    return rules


def open_doors(admin: Any) -> list[str]:
    """Users that are enabled and need no password (``nopass``): anyone could log in as them.

    Raises:
        redis.ResponseError: The admin connection may not run ``ACL LIST``.
    """
    entries = admin.execute_command("ACL", "LIST")
    if isinstance(entries, dict):  # a cluster client answers per node
        entries = [e for node in entries.values() for e in node]
    doors = []
    for entry in entries or []:
        words = str(entry.decode() if isinstance(entry, bytes) else entry).split()
        if len(words) > 1 and " on " in f" {' '.join(words)} " and "nopass" in words:
            doors.append(words[1])
    return doors


def create(admin: Any, run_id: str, rules: list[str], *, all_nodes: bool = False) -> RunUser:
    """Create the run's user; modifiers this server does not know (``CLIENT SETINFO`` on 7.0) are dropped.

    Raises:
        BackendUnsupportedError: The server refuses the user for another reason.
    """
    import redis

    name = user_name(run_id)
    password = secrets.token_hex(24)
    rules = list(rules)
    for _ in range(len(ALLOWED) + len(CLUSTER)):
        try:
            _on_nodes(admin, all_nodes, "ACL", "SETUSER", name, f">{password}", *rules)
            return RunUser(name, password, tuple(rules))
        except redis.ResponseError as exc:
            bad = _BAD_MODIFIER.search(str(exc))
            if bad is None or bad.group(1) not in rules or not bad.group(1).startswith("+"):
                raise BackendUnsupportedError(f"cannot create the run's ACL user: {exc}") from None
            rules.remove(bad.group(1))
    raise BackendUnsupportedError("cannot create the run's ACL user")


def user_name(run_id: str) -> str:
    """``redisprep-<run id>``: the name of a run's user (``clean`` finds a killed run's by it)."""
    return f"redisprep-{run_id}"


def delete(admin: Any, name: str, *, all_nodes: bool = False) -> None:
    """Delete the run's user (Redis also closes connections that are logged in as it)."""
    _on_nodes(admin, all_nodes, "ACL", "DELUSER", name)


def _on_nodes(admin: Any, all_nodes: bool, *args: str) -> Any:
    if all_nodes:
        from redis.cluster import RedisCluster

        return admin.execute_command(*args, target_nodes=RedisCluster.ALL_NODES)
    return admin.execute_command(*args)
