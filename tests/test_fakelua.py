"""The embedded backend compiles each Lua script once and still answers every EVAL as before."""

from __future__ import annotations

from typing import Any

import pytest
import redis

from redisprep import fakelua
from redisprep.backends import connect


class _Counting:
    """A real Lua runtime that counts what it is asked to compile and execute."""

    def __init__(self) -> None:
        from fakeredis.commands_mixins.scripting_mixin import LUA_MODULE

        self.lua = LUA_MODULE.LuaRuntime(encoding=None, unpack_returned_tuples=True)
        self.compiled: list[bytes] = []
        self.executed: list[bytes] = []

    def compile(self, code: bytes) -> Any:
        self.compiled.append(code)
        return self.lua.compile(code)

    def execute(self, code: bytes, *args: Any) -> Any:
        self.executed.append(code)
        return self.lua.execute(code, *args)

    def globals(self) -> Any:
        return self.lua.globals()


def test_a_script_is_compiled_once_and_run_each_time() -> None:
    runtime = _Counting()
    scripts = fakelua.CompiledScripts(runtime)
    assert [scripts.execute(b"n = (n or 0) + 1 return n") for _ in range(3)] == [1, 2, 3]
    assert runtime.compiled == [b"n = (n or 0) + 1 return n"]
    assert scripts.globals()[b"n"] == 3  # everything else is the runtime's own


def test_a_script_that_does_not_compile_fails_as_lua_words_it() -> None:
    runtime = _Counting()
    scripts = fakelua.CompiledScripts(runtime)
    with pytest.raises(Exception, match="error loading code") as raised:
        scripts.execute(b"return 1 +")
    assert type(raised.value).__name__ == "LuaSyntaxError"
    assert runtime.executed == [b"return 1 +"]  # handed to Lua as fakeredis does, not cached
    with pytest.raises(Exception, match="error loading code"):
        scripts.execute(b"return 1 +")


def test_only_the_most_recent_scripts_stay_compiled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fakelua, "CACHED_SCRIPTS", 2)
    runtime = _Counting()
    scripts = fakelua.CompiledScripts(runtime)
    for code in (b"return 1", b"return 2", b"return 1", b"return 3", b"return 1", b"return 2"):
        scripts.execute(code)
    # 1 and 2 compiled; 1 used again; 3 pushes out 2 (the least recently used); 2 comes back.
    assert runtime.compiled == [b"return 1", b"return 2", b"return 3", b"return 2"]


def test_embedded_eval_answers_as_before_with_the_patch() -> None:
    backend = connect(None)
    r = backend.client()
    assert fakelua.install()
    script = "return redis.call('INCRBY', KEYS[1], ARGV[1])"
    assert [r.eval(script, 1, "n", 5) for _ in range(3)] == [5, 10, 15]
    sha = r.script_load(script)
    assert r.evalsha(sha, 1, "n", 1) == 16
    # Redis's rules still hold on the second run of a compiled script: no globals, errors as replies.
    for _ in range(2):
        with pytest.raises(redis.ResponseError, match="global"):
            r.eval("leaked = 1 return 1", 0)
        with pytest.raises(redis.ResponseError, match="not an integer"):
            r.eval("redis.call('SET', KEYS[1], 'x') return redis.call('INCR', KEYS[1])", 1, "s")
    with pytest.raises(redis.ResponseError, match="error loading code|Error compiling"):
        r.eval("return 1 +", 0)
    backend.close()
