# pitfall: create_group ignores start
# check: event-sourcing.replay_matches_live
"""create_group always creates the group at '$', whatever start it was given."""

import redis

from redisprep.drills.event_sourcing.reference import (  # noqa: F401
    append,
    apply,
    claim,
    load_snapshot,
    read,
    replay,
    save_snapshot,
)


def create_group(r, stream, group, start="0"):
    try:
        r.xgroup_create(stream, group, id="$", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise
