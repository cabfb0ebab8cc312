"""A minimal smart cluster client: a cached slot map, and redirects followed by a pluggable rule.

The same client runs over real node connections and over simulated nodes, so the redirection drill
grades one rule (``follow_redirect(slot_map, kind, slot, address)``) on both. It routes the string
and generic commands of :data:`redisprep.cluster.slots.ROUTED_COMMANDS`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, MutableSequence, Sequence
from typing import Any

from redis.commands import CoreCommands
from redis.exceptions import AskError, MovedError

from redisprep.cluster.slots import READ_COMMANDS, command_keys, owner_table
from redisprep.errors import BackendUnsupportedError, RedisprepError
from redisprep.knowledge.slots import key_slot

FollowRule = Callable[[MutableSequence[str], str, int, str], tuple[str, bool]]
MAX_REDIRECTS = 5


class RedirectLoopError(RedisprepError):
    """A request was redirected more times than a client should ever need."""


def parse_slots(reply: Sequence[Sequence[Any]]) -> tuple[list[str], dict[str, list[str]]]:
    """``CLUSTER SLOTS`` as (slot -> primary address, primary -> replica addresses)."""
    ranges = []
    replicas: dict[str, list[str]] = {}
    for entry in reply:
        first, last, primary, *others = entry
        name = f"{primary[0]}:{primary[1]}"
        ranges.append((int(first), int(last), name))
        replicas[name] = [f"{r[0]}:{r[1]}" for r in others]
    return owner_table(ranges), replicas


def read_layout(node: Any) -> tuple[list[str], dict[str, list[str]]]:
    """Ask one node (a plain client) for the cluster's layout: ``CLUSTER SLOTS``, parsed."""
    return parse_slots(node.execute_command("CLUSTER SLOTS"))


class RoutingClient(CoreCommands):  # type: ignore[misc]
    """Routes each command to the node its key's slot lives on; follows redirects with ``follow``."""

    def __init__(
        self,
        connect: Callable[[str], Any],
        seeds: Sequence[str],
        follow: FollowRule,
        *,
        read_from_replicas: bool = False,
        max_redirects: int = MAX_REDIRECTS,
    ) -> None:
        """Load the layout from the first seed that answers.

        Args:
            connect: ``host:port`` -> a plain client on that node (no routing of its own).
            seeds: Node addresses to load the layout from.
            follow: The redirect rule (``follow_redirect`` of a routing implementation).
            read_from_replicas: Send reads round-robin to the primary and its replicas (READONLY).
            max_redirects: Give up after this many redirects for one request.
        """
        self._connect = connect
        self._nodes: dict[str, Any] = {}
        self._turn: Counter[str] = Counter()
        self.follow = follow
        self.read_from_replicas = read_from_replicas
        self.max_redirects = max_redirects
        self.slot_map: list[str] = []
        self.replicas: dict[str, list[str]] = {}
        self.layout_loads = 0
        """How many times the whole layout was read (CLUSTER SLOTS)."""
        self.redirects: Counter[str] = Counter()
        """Redirects followed, by kind (``MOVED``, ``ASK``)."""
        self.load_layout(seeds)

    def load_layout(self, seeds: Sequence[str] | None = None) -> None:
        """Read the whole slot map from a node (``CLUSTER SLOTS``)."""
        address = (seeds or [self.slot_map[0]])[0]
        self.slot_map, self.replicas = read_layout(self.node(address))
        self.layout_loads += 1

    def node(self, address: str) -> Any:
        """The client of one node (opened on first use; READONLY on replicas when reading from them)."""
        if address not in self._nodes:
            client = self._connect(address)
            if self.read_from_replicas and any(address in r for r in self.replicas.values()):
                client.execute_command("READONLY")
            self._nodes[address] = client
        return self._nodes[address]

    def close(self) -> None:
        """Close every node client."""
        for client in self._nodes.values():
            client.close()
        self._nodes.clear()

    def pipeline(self, *args: Any, **kwargs: Any) -> Any:
        """Not available: the routing client sends one command at a time."""
        raise BackendUnsupportedError("the routing client has no pipelines")

    def _pick(self, slot: int, command: str) -> str:
        primary = self.slot_map[slot]
        if not (self.read_from_replicas and command in READ_COMMANDS and self.replicas.get(primary)):
            return primary
        candidates = [primary, *self.replicas[primary]]
        turn = self._turn[primary]
        self._turn[primary] += 1
        return candidates[turn % len(candidates)]

    def execute_command(self, *args: Any, **options: Any) -> Any:
        """Send to the node the cached map names; follow MOVED and ASK as ``follow`` decides."""
        command = str(args[0]).upper()
        keys = command_keys(args)
        if not keys:
            raise BackendUnsupportedError(f"the routing client cannot route {command}")
        slot = key_slot(keys[0])
        address, asking = self._pick(slot, command), False
        for _ in range(self.max_redirects + 1):
            client = self.node(address)
            try:
                if asking:
                    client.execute_command("ASKING")
                return client.execute_command(*args, **options)
            except AskError as exc:
                kind = "MOVED" if isinstance(exc, MovedError) else "ASK"  # MovedError subclasses AskError
                self.redirects[kind] += 1
                address, asking = self.follow(self.slot_map, kind, exc.slot_id, f"{exc.host}:{exc.port}")
        raise RedirectLoopError(
            f"{command} for slot {slot} was redirected {self.max_redirects} times without an answer"
        )


def follow_redirect(slot_map: MutableSequence[str], kind: str, slot: int, address: str) -> tuple[str, bool]:
    """MOVED: the slot lives at ``address`` now; remember it. ASK: go there once, with ASKING.

    An ASK is sent while a slot migrates: this key already moved, others of the slot may not have,
    so the map must keep pointing at the source. (A production client also reloads the whole map
    after a MOVED, or every few: one moved slot usually means a resharding moved many.)
    """
    if kind == "MOVED":
        slot_map[slot] = address
        return address, False
    return address, True
