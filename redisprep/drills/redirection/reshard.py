"""Move a slot between primaries as ``redis-cli --cluster reshard`` does, and put it back afterwards.

Only for a simulation or a cluster redisprep started itself (``ClusterView.may_reshard``): moving a
slot changes the cluster's topology.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from redisprep.drills._cluster import ClusterView
from redisprep.errors import BackendUnavailableError, BackendUnsupportedError, RedisprepError
from redisprep.knowledge.slots import key_slot

MIGRATE_TIMEOUT_MS = 5000
EPOCH_WAIT_S = 10.0
"""How long a move waits for its target to hear of every primary's config epoch (gossip)."""


class SlotNotEmptyError(RedisprepError):
    """The slot picked for a move holds keys that are not this run's."""


class Resharder:
    """Moves slots of one view and remembers how to undo it."""

    def __init__(self, view: ClusterView, prefix: str, wrap: Callable[[Any], Any] = lambda c: c) -> None:
        """Nothing is moved yet.

        Args:
            view: The cluster (``view.may_reshard`` must be True).
            prefix: The run's key prefix; only keys under it are ever moved.
            wrap: Applied to every node client (the drill passes ``tracer.attach``).

        Raises:
            BackendUnsupportedError: The cluster is not one redisprep may reshard.
        """
        if not view.may_reshard:
            raise BackendUnsupportedError(
                f"{view.label}: redisprep did not start it, so it does not move slots"
            )
        self.view = view
        self.prefix = prefix
        self._wrap = wrap
        self._clients: dict[str, Any] = {}
        self._plain: dict[str, Any] = {}
        self._ids: dict[str, str] = {}
        self._original: dict[int, str] = {}
        self._moving: dict[int, tuple[str, str]] = {}

    def node(self, address: str) -> Any:
        """The (wrapped) client of one node."""
        if address not in self._clients:
            self._clients[address] = self._wrap(self.view.node(address))
        return self._clients[address]

    def node_id(self, address: str) -> str:
        """``CLUSTER MYID`` of a node."""
        if address not in self._ids:
            self._ids[address] = str(self._untraced(address).execute_command("CLUSTER MYID"))
        return self._ids[address]

    def _untraced(self, address: str) -> Any:
        """A plain client of one node, for bookkeeping the drill does not show."""
        if address not in self._plain:
            self._plain[address] = self.view.node(address)
        return self._plain[address]

    def _epochs(self, address: str) -> tuple[int, int]:
        """(``cluster_current_epoch``, ``cluster_my_epoch``) from one node's ``CLUSTER INFO``."""
        info = self._untraced(address).execute_command("CLUSTER INFO")
        return int(info["cluster_current_epoch"]), int(info["cluster_my_epoch"])

    def await_epochs(self, target: str) -> None:
        """Wait until ``target`` has heard of the highest config epoch of any primary.

        ``CLUSTER SETSLOT <slot> NODE <target>`` makes the importing target bump its config epoch
        past the highest it knows of, so that its claim on the slot wins. If gossip has not yet
        brought it the epoch the old owner got when the same slot moved there a moment ago, it does
        not bump, and the old owner's higher epoch can win the slot back (seen as an UPDATE message):
        two primaries then name each other and clients bounce between them ("TTL exhausted").
        Moving one slot away and back within a second, as the drill does, needs this wait (about
        one gossip round).

        Raises:
            BackendUnavailableError: The target did not catch up within EPOCH_WAIT_S.
        """
        if self.view.simulated:
            return  # the simulation has no gossip and no epochs
        deadline = time.monotonic() + EPOCH_WAIT_S
        while True:
            highest = max(self._epochs(p)[1] for p in self.view.primaries)
            if self._epochs(target)[0] >= highest:
                return
            if time.monotonic() > deadline:
                raise BackendUnavailableError(
                    f"{target} did not learn config epoch {highest} within {EPOCH_WAIT_S:.0f} s; "
                    "slot moves are on hold"
                )
            time.sleep(0.01)

    def empty_tag(self, tag: Callable[[int], str], limit: int = 500) -> str:
        """The first ``tag(i)`` whose slot holds no keys at all, so moving it moves only ours."""
        for i in range(limit):
            candidate = tag(i)
            slot = key_slot(candidate)
            if not self.view.node(self.view.owner[slot]).execute_command("CLUSTER COUNTKEYSINSLOT", slot):
                return candidate
        raise SlotNotEmptyError(f"no empty slot among {limit} candidates")

    def begin(self, slot: int, target: str) -> str:
        """Mark ``slot`` IMPORTING on ``target`` and MIGRATING on its owner. Returns the owner."""
        source = self.view.owner[slot]
        self._original.setdefault(slot, source)
        self.node(target).execute_command("CLUSTER SETSLOT", slot, "IMPORTING", self.node_id(source))
        self.node(source).execute_command("CLUSTER SETSLOT", slot, "MIGRATING", self.node_id(target))
        self._moving[slot] = (source, target)
        return source

    def migrate(self, slot: int, keys: list[str]) -> None:
        """``MIGRATE`` ``keys`` from the source to the target of a slot being moved."""
        source, target = self._moving[slot]
        host, _, port = target.rpartition(":")
        self.node(source).execute_command(
            "MIGRATE", host, int(port), "", 0, MIGRATE_TIMEOUT_MS, "KEYS", *keys
        )

    def finish(self, slot: int) -> None:
        """Move the slot's remaining keys, then assign it to the target on every primary."""
        source, target = self._moving[slot]
        while keys := self.view.node(source).execute_command("CLUSTER GETKEYSINSLOT", slot, 100):
            foreign = [k for k in keys if not str(k).startswith(self.prefix)]
            if foreign:
                raise SlotNotEmptyError(
                    f"slot {slot} now also holds {foreign[0]!r}, which is not this run's; the slot "
                    f"stays half-moved from {source} to {target} ('redis-cli --cluster fix' repairs it)"
                )
            self.migrate(slot, [str(k) for k in keys])
        target_id = self.node_id(target)
        self.await_epochs(target)
        others = [p for p in self.view.primaries if p not in (source, target)]
        for address in (target, source, *others):
            self.node(address).execute_command("CLUSTER SETSLOT", slot, "NODE", target_id)
        del self._moving[slot]
        self.view.owner[slot] = target

    def move(self, slot: int, target: str) -> str:
        """Move ``slot`` (and its keys) to ``target`` completely. Returns the old owner."""
        source = self.begin(slot, target)
        self.finish(slot)
        return source

    def restore(self) -> None:
        """Finish any half-done move, then move every slot back to its original owner."""
        for slot in list(self._moving):
            self.finish(slot)
        for slot, original in list(self._original.items()):
            if self.view.owner[slot] != original:
                self.move(slot, original)
        self._original.clear()
