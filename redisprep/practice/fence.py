"""Say so when learner code opens a Redis connection of its own (``r = redis.Redis()`` in a module).

Such a client would talk to ``localhost:6379`` (possibly the user's own server) instead of going
through the grader. This is a diagnostic, not a wall: the child holds no password, and a raw socket
gets past any patch (the README's threat model says what contains that). :func:`fence_connections`
patches redis-py in the grading child only: a connection pool created while a frame of the
learner's file is on the stack refuses to hand out connections, and the refusal is reported to the
parent, which fails the check naming the line.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

_MARK = "_redisprep_opened_at"


_OURS = str(Path(__file__).resolve().parent.parent)


def _learner_line(impl: str) -> str | None:
    """The learner's line that created this pool, if the learner's code created it.

    The nearest caller outside redis-py and this module decides: the learner's file, or redisprep
    itself (for example the check that the server still answers after a timeout, made while a
    learner's command is on the stack), whose connections are ours. This module's own frames are
    stepped over by name, not counted, so a wrapper around them (mutmut's) changes nothing.
    """
    frame = sys._getframe(1)
    here = sys._getframe(0).f_code.co_filename
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename == impl:
            return f"{Path(impl).name}:{frame.f_lineno}"
        if filename.startswith(_OURS) and filename != here:
            return None
        frame = frame.f_back  # type: ignore[assignment]
    return None


def fence_connections(report: Callable[[str], None], impl: str) -> None:
    """From now on, pools that ``impl``'s code creates refuse to connect (each refusal reported)."""
    import redis
    from redis.connection import ConnectionPool

    path = impl
    original_init = ConnectionPool.__init__
    original_get = ConnectionPool.get_connection

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        where = _learner_line(path)
        if where is not None:
            setattr(self, _MARK, where)

    def get_connection(self: Any, *args: Any, **kwargs: Any) -> Any:
        where = getattr(self, _MARK, None)
        if where is not None:
            text = (
                f"your code opened a Redis connection of its own ({where}); use the client your "
                "function receives"
            )
            report(text)
            raise redis.ConnectionError(text)
        return original_get(self, *args, **kwargs)

    ConnectionPool.__init__ = init
    ConnectionPool.get_connection = get_connection
