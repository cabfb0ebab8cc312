# pitfall: claim drops XAUTOCLAIM's third element
# check: event-sourcing.crash_recovery
# needs: Redis 7.0 (XAUTOCLAIM names deleted ids; the check leaves that part out on 6.2)
"""claim returns XAUTOCLAIM's cursor and entries, and always an empty list of deleted ids."""

from redisprep.drills.event_sourcing.reference import (  # noqa: F401
    append,
    apply,
    create_group,
    load_snapshot,
    read,
    replay,
    save_snapshot,
)


def claim(r, stream, group, consumer, min_idle_ms, start="0-0", count=100):
    cursor, entries = r.xautoclaim(stream, group, consumer, min_idle_ms, start, count=count)[:2]
    return str(cursor), [(str(i), dict(f)) for i, f in entries if i is not None], []
