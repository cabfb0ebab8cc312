# pitfall: a replay with nothing after `after` folded nothing
# check: event-sourcing.snapshot_tail
"""replay reports the id of the last entry it read, and None when the tail was empty."""

from redisprep.drills.event_sourcing.reference import (  # noqa: F401
    append,
    apply,
    claim,
    create_group,
    fold,
    load_snapshot,
    read,
    save_snapshot,
)


def replay(r, stream, after=None, state=None):
    balances, last = dict(state or {}), None
    start = "-" if after is None else f"({after}"
    while True:
        batch = r.xrange(stream, min=start, max="+", count=500)
        balances = fold(balances, batch)
        if batch:
            last = str(batch[-1][0])
            start = f"({last}"
        if len(batch) < 500:
            return balances, last
