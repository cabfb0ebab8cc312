"""Guard a Lua script: a prelude that checks every ``redis.call`` inside it before the call runs.

A script can name keys it was never given (``redis.call('INCR', 'counter')``) or call ``FLUSHALL``,
and the client never sees those calls. So before an EVAL is sent, its body gets one extra line at the
top that shadows ``redis`` (and ``pcall``/``xpcall``, so the refusal cannot be swallowed) with a
version whose ``call``/``pcall`` first check the command and its keys, using the same key specs as
the client-side guard, embedded for the commands the script names. A call that fails the check
raises an error reply carrying :data:`MARKER` instead of reaching the data. The prelude is on the
body's first line, so line numbers in error messages stay the learner's own.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from redisprep.explain.script import read_script, strip_comments
from redisprep.knowledge.commands import container_names
from redisprep.knowledge.keyspecs import CommandInfo, command_info

#: Error replies raised by the prelude start with this text.
MARKER = "redisprep guard:"
_QUOTED_WORD = re.compile(r"""['"]([A-Za-z][A-Za-z_-]*)['"]""")

#: The prelude, readable here; it is sent joined into one line. ``PREFIX`` and ``SPECS`` are filled in:
#: SPECS maps a command name to its key specs (``i`` begin index or ``w`` keyword with ``i`` start;
#: ``l``/``s``/``m`` a range, or ``x``/``y``/``s`` a key count), or to the reason it may not run.
_PRELUDE_SOURCE = r"""
local redis, pcall, xpcall = (function(real, p, xp, prefix, S)
  local unpack, upper, sub, tostr = unpack or table.unpack, string.upper, string.sub, tostring
  local function refuse(text) error('MARKER ' .. text, 0) end
  local function ours(e)
    if type(e) == 'table' then e = e.err end
    return type(e) == 'string' and string.find(e, 'MARKER', 1, true) ~= nil
  end
  local function at(a, n, sp)
    local first = sp.i
    if sp.w then
      first = nil
      if sp.i >= 0 then
        for i = sp.i, n - 2 do if upper(tostr(a[i + 1])) == sp.w then first = i + 1 break end end
      else
        for i = n + sp.i, 1, -1 do
          if i < n and upper(tostr(a[i + 1])) == sp.w then first = i + 1 break end
        end
      end
      if first == nil then return {} end
    end
    local last, step = nil, math.max(sp.s, 1)
    if sp.x then
      local c = tonumber(a[first + sp.x + 1])
      if c == nil then return {} end
      first = first + sp.y
      last = first + (c - 1) * step
    elseif sp.l >= 0 then last = first + sp.l
    elseif sp.m <= 1 then last = n + sp.l
    else last = first + math.floor((n - first) / sp.m) + sp.l end
    local out = {}
    for i = first, last, step do if i > 0 and i < n then out[#out + 1] = i end end
    return out
  end
  local function check(...)
    local a, n = {...}, select('#', ...)
    local name = upper(tostr(a[1]))
    local s = S[name]
    if s == nil and n > 1 and S[name .. ' ' .. upper(tostr(a[2]))] ~= nil then
      name = name .. ' ' .. upper(tostr(a[2]))
      s = S[name]
    end
    if s == nil then
      refuse(name .. " is not allowed in a script while grading (name commands literally, "
        .. "redis.call('GET', KEYS[1]), so their keys can be checked)")
    end
    if type(s) == 'string' then refuse(name .. ': ' .. s) end
    for _, sp in ipairs(s) do
      for _, i in ipairs(at(a, n, sp)) do
        local k = tostr(a[i + 1])
        if sub(k, 1, #prefix) ~= prefix then
          refuse(name .. " key '" .. k .. "' is outside this exercise's keys (" .. prefix .. "*)")
        end
      end
    end
  end
  local function pack(...) return {n = select('#', ...), ...} end
  local function keep(r)
    if not r[1] and ours(r[2]) then error(r[2], 0) end
    return unpack(r, 1, r.n)
  end
  local g = setmetatable({
    call = function(...) check(...) return real.call(...) end,
    pcall = function(...) check(...) return real.pcall(...) end,
  }, {__index = real})
  return g, function(f, ...) return keep(pack(p(f, ...))) end,
    function(f, h, ...)
      return keep(pack(xp(f, function(e) if ours(e) then return e end return h(e) end, ...)))
    end
end)(redis, pcall, xpcall, PREFIX, SPECS);
"""
_PRELUDE = " ".join(line.strip() for line in _PRELUDE_SOURCE.strip().splitlines()).replace("MARKER", MARKER)


def _lua_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in '\\"':
            out.append("\\" + ch)
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            out += [f"\\{b}" for b in ch.encode("utf-8")]
    return '"' + "".join(out) + '"'


def _lua_spec(spec: dict[str, Any]) -> str | None:
    begin, find = spec["begin"], spec["find"]
    fields: list[str] = []
    if begin[0] == "index":
        fields.append(f"i={int(begin[1])}")
    elif begin[0] == "keyword":
        fields += [f"w={_lua_string(str(begin[1]).upper())}", f"i={int(begin[2])}"]
    else:
        return None
    if find[0] == "range":
        fields += [f"l={int(find[1])}", f"s={int(find[2])}", f"m={int(find[3])}"]
    elif find[0] == "keynum":
        fields += [f"x={int(find[1])}", f"y={int(find[2])}", f"s={int(find[3])}"]
    else:
        return None
    return "{" + ",".join(fields) + "}"


def _lua_entry(info: CommandInfo, refusal: str | None) -> str:
    if refusal is not None:
        return _lua_string(refusal)
    specs = [_lua_spec(s) for s in info.specs]
    if any(s is None for s in specs):
        return _lua_string("the grader cannot tell which keys it names inside a script")
    return "{" + ",".join(s for s in specs if s is not None) + "}"


def guard_script(body: str, prefix: str, refusal: Callable[[CommandInfo], str | None]) -> str:
    """``body`` with the checking prelude put on its first line (after a ``#!`` line, if any).

    Args:
        body: The Lua source the learner sends.
        prefix: Every key a call names must start with this.
        refusal: Why a command may not run at all (None when it may, with its keys checked).
    """
    names = {c.command for c in read_script(body, container_names()) if c.command is not None}
    # Names quoted anywhere else: pcall(redis.call, 'INCR', k), or local cmd = 'GET'.
    names |= {m.upper() for m in _QUOTED_WORD.findall(strip_comments(body))}
    entries = {}
    for name in names:
        info = command_info(name.split())
        if info is not None and info.name == name:
            entries[info.name] = _lua_entry(info, refusal(info))
    table = "{" + ",".join(f"[{_lua_string(n)}]={e}" for n, e in sorted(entries.items())) + "}"
    prelude = _PRELUDE.replace("PREFIX", _lua_string(prefix), 1).replace("SPECS", table, 1) + " "
    if body.startswith("#!"):
        shebang, newline, rest = body.partition("\n")
        return shebang + newline + prelude + rest
    return prelude + body


def sha1(body: str) -> str:
    """The SHA1 Redis gives a script body (what EVALSHA names)."""
    return hashlib.sha1(body.encode("utf-8")).hexdigest()


def guard_message(error_text: str) -> str | None:
    """The refusal in an error reply raised by the prelude, or None when the error is not ours."""
    # redis-py prefixes a pipeline's error with the command, whose script text holds the marker
    # too (5.x in full, newer releases cut it short): read only the error itself.
    error_text = error_text.rsplit(" of pipeline caused error: ", 1)[-1]
    at = error_text.find(MARKER)
    if at < 0:
        return None
    text = error_text[at + len(MARKER) :].strip().splitlines()[0]
    for tail in (" script: ", " Error running script"):
        text = text.split(tail, 1)[0]
    return text.strip()
