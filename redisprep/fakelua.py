"""Make the embedded fakeredis compile each Lua script once, as Redis does, instead of on every EVAL.

fakeredis (up to at least 2.41) hands the script's text to Lua on every ``EVAL``/``EVALSHA``, so
Lua parses it each time. Redis compiles a body once (its SHA names the compiled function) and only
runs it afterwards. On the embedded backend the practice grader sends every learner script with
its key-checking prelude (:mod:`redisprep.practice.guard_lua`), a few thousand characters, hundreds
of times per grade: parsing it costs more than running it. Patched, the server's Lua runtime keeps
the compiled chunk of each recent script text and calls it again: the same chunk, the same globals,
the same errors. A text that does not compile is handed to Lua as before, so its syntax error reads
exactly as fakeredis's own.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from typing import Any

#: Compiled scripts kept per server (most recently used first to stay).
CACHED_SCRIPTS = 256


class CompiledScripts:
    """A fakeredis server's Lua runtime whose ``execute`` reuses the chunk compiled from the same text."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self._chunks: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def execute(self, code: Any, *args: Any) -> Any:
        """What ``runtime.execute(code, *args)`` returns (or raises), compiling ``code`` only once."""
        with self._lock:
            chunk = self._chunks.get(code)
            if chunk is not None:
                self._chunks.move_to_end(code)
        if chunk is None:
            try:
                chunk = self.runtime.compile(code)
            except Exception:  # noqa: BLE001 - a syntax error: let Lua word it as fakeredis expects
                return self.runtime.execute(code, *args)
            with self._lock:
                self._chunks[code] = chunk
                while len(self._chunks) > CACHED_SCRIPTS:
                    self._chunks.popitem(last=False)
        return chunk(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.runtime, name)


@functools.cache
def install() -> bool:
    """Patch fakeredis's scripting so each server's runtime is a :class:`CompiledScripts` (once per process).

    Returns:
        Whether it was patched (False when this fakeredis keeps its runtime elsewhere).
    """
    try:
        from fakeredis.commands_mixins.scripting_mixin import ScriptingCommandsMixin
    except ImportError:
        return False
    original = getattr(ScriptingCommandsMixin, "_get_server_runtime", None)
    if original is None:
        return False

    @functools.wraps(original)
    def runtime_of(self: Any, server: Any) -> Any:
        runtime = original(self, server)
        wrapped = getattr(server, "_redisprep_compiled", None)
        if wrapped is None or wrapped.runtime is not runtime:
            wrapped = server._redisprep_compiled = CompiledScripts(runtime)
        return wrapped

    ScriptingCommandsMixin._get_server_runtime = runtime_of
    return True
