# pitfall: a withdrawal must subtract its amount
# check: event-sourcing.replay_matches_live
"""apply and replay add every event's amount: withdrawals raise the balance."""

from redisprep.drills.event_sourcing.reference import (  # noqa: F401
    append,
    claim,
    create_group,
    load_snapshot,
    read,
    save_snapshot,
)

APPLY = """
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[2], ARGV[3], ARGV[4])
return 1
"""


def apply(r, stream, group, projection, entry):
    entry_id, event = entry
    return bool(r.eval(APPLY, 2, stream, projection, group, entry_id, event["account"], int(event["amount"])))


def replay(r, stream, after=None, state=None):
    balances, last = dict(state or {}), after
    for entry_id, event in r.xrange(stream, min="-" if after is None else f"({after}", max="+"):
        balances[event["account"]] = balances.get(event["account"], 0) + int(event["amount"])
        last = entry_id
    return balances, last
