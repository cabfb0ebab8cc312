"""Redis Cluster: slot maths, a local cluster redisprep starts, and an in-process simulation.

``slots`` (key -> slot), ``state`` and ``local``/``manager`` (the cluster ``cluster up`` starts),
``sim`` (simulated nodes), ``router`` (a minimal smart client), ``locate`` (``cluster slot``).
"""

from redisprep.cluster.slots import SLOTS, default_ranges, hash_tag, key_slot, slot_report

__all__ = ["SLOTS", "default_ranges", "hash_tag", "key_slot", "slot_report"]
