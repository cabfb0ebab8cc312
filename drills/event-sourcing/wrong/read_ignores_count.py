# pitfall: read ignores count
# check: event-sourcing.crash_recovery
"""read asks XREADGROUP for everything new, whatever count it was given."""

from redisprep.drills.event_sourcing.reference import (  # noqa: F401
    append,
    apply,
    claim,
    create_group,
    load_snapshot,
    replay,
    save_snapshot,
)


def read(r, stream, group, consumer, count):
    reply = r.xreadgroup(group, consumer, {stream: ">"})
    return [(str(i), dict(fields)) for _, entries in reply or [] for i, fields in entries]
