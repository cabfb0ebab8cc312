# pitfall: claims ignore min-idle
# check: event-sourcing.crash_recovery
"""claim converts min_idle_ms to seconds before passing it to XAUTOCLAIM, which takes milliseconds:
a one-minute threshold becomes 60 ms, and healthy consumers' entries are taken."""

from redisprep.drills.event_sourcing.reference import (  # noqa: F401
    append,
    apply,
    create_group,
    load_snapshot,
    read,
    replay,
    save_snapshot,
)
from redisprep.drills.event_sourcing.reference import claim as _claim


def claim(r, stream, group, consumer, min_idle_ms, start="0-0", count=100):
    return _claim(r, stream, group, consumer, min_idle_ms // 1000, start, count)
