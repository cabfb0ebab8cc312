# pitfall: the projection's fields must be the events' accounts
# check: event-sourcing.replay_matches_live
"""apply increments the field named by the event's type (deposit, withdraw) instead of its account."""

from redisprep.drills.event_sourcing.reference import (  # noqa: F401
    append,
    claim,
    create_group,
    delta,
    load_snapshot,
    read,
    replay,
    save_snapshot,
)

APPLY = """
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[2], ARGV[3], ARGV[4])
return 1
"""


def apply(r, stream, group, projection, entry):
    entry_id, event = entry
    return bool(r.eval(APPLY, 2, stream, projection, group, entry_id, event["type"], delta(event)))
