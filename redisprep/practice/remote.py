"""The clients learner code receives in the grading child: redis-py objects with no connection at all.

A :class:`RemoteRedis` is a real ``redis.Redis`` (commands, ``register_script``, ``lock``,
``transaction`` all work), but every command travels over the pipe to the parent, which sends it on
a client of its own (traced, interleaved by the checks, and limited by the server to the run's
keys). Its connection pool can make no connection: code that reaches for the socket underneath
(``redis.Redis.execute_command(r, ...)``, ``r.connection_pool.get_connection()``) gets an error,
and there is no address or password in it to borrow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import redis
from redis.client import Pipeline
from redis.connection import ConnectionPool

if TYPE_CHECKING:
    from redisprep.practice.child import Link

NO_CONNECTION = (
    "the graded client has no connection of its own: use the client your function receives "
    "(its commands go through the grader)"
)


class NoConnection(redis.connection.Connection):  # type: ignore[misc]
    """A connection class that refuses to connect (there is nowhere to connect to)."""

    def connect(self) -> None:
        raise redis.ConnectionError(NO_CONNECTION)

    def _connect(self) -> Any:
        raise redis.ConnectionError(NO_CONNECTION)


def _pool() -> ConnectionPool:
    return ConnectionPool(connection_class=NoConnection, decode_responses=True, protocol=2)


class RemoteRedis(redis.Redis):  # type: ignore[misc]
    """A client whose commands run in the parent, on the client the check handed over."""

    def __init__(self, link: Link, handle: int) -> None:
        super().__init__(connection_pool=_pool(), decode_responses=True, protocol=2)
        self._link = link
        self._handle = handle

    def execute_command(self, *args: Any, **options: Any) -> Any:
        return self._link.ask("cmd", h=self._handle, args=list(args), options=options)

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> RemotePipeline:
        return RemotePipeline(self, transaction, shard_hint)

    def pubsub(self, **kwargs: Any) -> Any:
        raise redis.RedisError("Pub/Sub is not available to graded code (no exercise needs it)")

    def monitor(self) -> Any:
        raise redis.RedisError("MONITOR is not available to graded code")

    def close(self) -> None:
        """Nothing to close: the connection is the parent's."""

    def __repr__(self) -> str:
        return "<RemoteRedis (commands run by the grader)>"


class RemotePipeline(Pipeline):  # type: ignore[misc]
    """A redis-py pipeline whose queue is sent to the parent in one message at ``execute``.

    While WATCHing (before ``multi``) commands run at once on the parent's pipeline, which holds
    its own connection for the WATCH, exactly as redis-py's would.
    """

    def __init__(self, owner: RemoteRedis, transaction: bool, shard_hint: Any) -> None:
        super().__init__(owner.connection_pool, owner.response_callbacks, transaction, shard_hint)
        self._owner = owner
        self._remote: int | None = None

    def _pipe(self) -> int:
        if self._remote is None:
            self._remote = int(
                self._owner._link.ask(
                    "pipe", h=self._owner._handle, transaction=self.transaction, shard_hint=self.shard_hint
                )
            )
        return self._remote

    def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        if (self.watching or str(args[0]).upper() == "WATCH") and not self.explicit_transaction:
            return self.immediate_execute_command(*args, **kwargs)
        return self.pipeline_execute_command(*args, **kwargs)

    def immediate_execute_command(self, *args: Any, **options: Any) -> Any:
        reply = self._owner._link.ask("pipe_cmd", h=self._pipe(), args=list(args), options=options)
        if str(args[0]).upper() == "WATCH":
            self.watching = True
        elif str(args[0]).upper() in ("UNWATCH", "DISCARD", "EXEC"):
            self.watching = False
        return reply

    def watch(self, *names: Any) -> Any:
        if self.explicit_transaction:
            raise redis.RedisError("Cannot issue a WATCH after a MULTI")
        return self.execute_command("WATCH", *names)

    def unwatch(self) -> Any:
        return self.watching and self.execute_command("UNWATCH") or True

    def execute(self, raise_on_error: bool = True) -> Any:
        stack: list[Any] = self.command_stack
        scripts = [s.script for s in self.scripts]
        if not stack and not self.watching:
            return []
        try:
            return self._owner._link.ask(
                "pipe_run",
                h=self._pipe(),
                commands=[[list(args), options] for args, options in stack],
                scripts=scripts,
                multi=self.explicit_transaction or self.watching,
                raise_on_error=raise_on_error,
            )
        finally:
            self._clear()

    def _clear(self) -> None:
        self.command_stack: list[Any] = []
        self.scripts: set[Any] = set()
        self.watching = False
        self.explicit_transaction = False

    def reset(self) -> None:
        watching = self.watching
        self._clear()
        if watching and self._remote is not None:
            try:
                self._owner._link.ask("pipe_reset", h=self._remote)
            except redis.RedisError:
                pass

    def __del__(self) -> None:
        """Nothing to release: the parent's pipeline goes when the check ends."""


class RemoteCallable:
    """A function of the check's (the slow database a cache loads from, a clock), called in the parent."""

    def __init__(self, link: Link, handle: int) -> None:
        self._link = link
        self._handle = handle

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._link.ask("invoke", h=self._handle, args=list(args), kwargs=kwargs)

    def __repr__(self) -> str:
        return "<function of the grader>"
