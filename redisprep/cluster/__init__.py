"""Redis Cluster: slot maths, a local cluster redisprep starts, and an in-process simulation."""

from redisprep.cluster.slots import SLOTS, default_ranges, hash_tag, key_slot, slot_report

__all__ = ["SLOTS", "default_ranges", "hash_tag", "key_slot", "slot_report"]
