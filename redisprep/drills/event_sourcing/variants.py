"""The naive variants of the event-sourcing pattern that the drill runs through its checks."""

from __future__ import annotations

from redisprep.drills.check_helpers import variant
from redisprep.drills.event_sourcing import reference as es

NO_ACK = variant(es, apply=es.naive_apply_without_ack)
"""A consumer that never acks."""
NO_RECLAIM = variant(es, claim=es.naive_claim_new_only)
"""A consumer that never reclaims: its recovery reads only new entries."""
UNGUARDED = variant(es, apply=es.naive_apply_unguarded)
"""Acks, but applies a redelivered entry again."""
INCLUSIVE_TAIL = variant(es, replay=es.naive_replay_inclusive)
"""Replays the tail from the snapshot's id itself."""
