"""Names vulture reports as unused that are used where it cannot see; `make lint` passes it this file.

Each entry says who uses the name. Nothing else belongs here: a name nobody uses is deleted.
"""

from redisprep.cli._lazy import lazy_group_class
from redisprep.explain.tracing import tracing
from redisprep.practice.remote import RemotePipeline, RemoteRedis

USED_WHERE_VULTURE_CANNOT_SEE = (
    # Overrides of redis-py's own methods on the client learner code receives: graded code calls them.
    RemoteRedis.monitor,  # refuses MONITOR, which would stream every command of the server
    RemotePipeline.unwatch,  # ends a WATCH over the pipe to the grader
    # Documented API (an example in its docstring); the tracing tests use it.
    tracing,
    # click calls it to list the commands in `redisprep --help`.
    lazy_group_class({}).format_commands,
)
