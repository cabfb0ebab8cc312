"""``cluster slot``: where keys live on a connected cluster, or on the simulated default layout."""

from __future__ import annotations

from collections.abc import Sequence

from redisprep.backends import Backend
from redisprep.cluster.router import read_layout
from redisprep.cluster.sim import simulated_owners
from redisprep.cluster.slots import SlotReport, slot_report
from redisprep.errors import BadUsageError

DEFAULT_MASTERS = 3


def locate(keys: Sequence[str], backend: Backend | None) -> SlotReport:
    """Slot, hash tag and owning node of each key.

    Args:
        keys: Key names (nothing is read or written).
        backend: A connected cluster; None for the simulated layout of a 3-master cluster (the
            slot ranges ``redis-cli --cluster create`` assigns).

    Raises:
        BadUsageError: ``backend`` is not a cluster.
    """
    if not keys:
        raise BadUsageError("give at least one key")
    if backend is None:
        owners = simulated_owners(DEFAULT_MASTERS)
        label = (
            f"simulated {DEFAULT_MASTERS}-master layout (slot ranges as redis-cli --cluster create assigns)"
        )
        return slot_report(keys, owners.__getitem__, label, simulated=True)
    if backend.kind != "cluster":
        raise BadUsageError(
            f"{backend.label} is not a cluster node; pass --cluster or a redis+cluster:// URL"
        )
    seed = backend.client().get_default_node()
    node = backend.node_client(seed.host, seed.port)
    owners, _ = read_layout(node)
    return slot_report(
        keys,
        owners.__getitem__,
        backend.label,
        server_slot=lambda k: int(node.execute_command("CLUSTER KEYSLOT", k)),
    )
