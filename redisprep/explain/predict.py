"""Predict the state a write would leave, from read-only probes, without running it (live servers).

The current encoding and size are read; which members or fields would be new is asked with
``ZMSCORE``, ``SMISMEMBER`` or ``HMGET``; the encoding model then applies the version's thresholds.
Commands the model does not cover get "not predicted".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from redisprep.explain.encoding import Contents, model_encoding
from redisprep.explain.keystate import NOT_PREDICTED, KeyState
from redisprep.knowledge.limits import Limits

_SET_LIKE = frozenset({"SET", "SETNX", "SETEX", "PSETEX", "GETSET"})
_INT_OPS = frozenset({"INCR", "DECR", "INCRBY", "DECRBY"})
_ZADD_OPTS = frozenset({"NX", "XX", "GT", "LT", "CH", "INCR"})


def unknown(state: KeyState) -> KeyState:
    """An after-state the model cannot tell (an absent key may be created: its type is not claimed)."""
    kind = state.type if state.exists else NOT_PREDICTED
    return KeyState(state.key, kind, state.size, None, None, "predicted")


def predict(
    client: Any, name: str, argv: Sequence[str], before: Mapping[str, KeyState], limits: Limits
) -> dict[str, KeyState]:
    """The predicted state of each probed key after ``argv`` (encoding None where not predicted)."""
    out = {k: unknown(s) for k, s in before.items()}
    key = argv[1] if len(argv) > 1 else None
    state = before.get(key or "")
    if key is None or state is None:
        return out
    if name in ("DEL", "UNLINK", "GETDEL"):
        return {k: KeyState(k, "none", 0, None, None, "predicted") for k in before}
    if name in ("EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT", "PERSIST", "TOUCH"):
        return {k: KeyState(k, s.type, s.size, s.encoding, s.memory, "predicted") for k, s in before.items()}
    if name == "XADD":
        out[key] = _xadd(argv, state, limits)
        return out
    if name in ("LPUSHX", "RPUSHX") and not state.exists:
        out[key] = state  # only an existing list is pushed to: the key stays absent
        return out
    if name in ("MSET", "MSETNX"):
        return _mset(client, name, argv, before, limits)
    if not _set_applies(name, argv, state):
        out[key] = state  # NX on an existing key, XX on an absent one: SET does nothing
        return out
    contents = _contents(client, name, argv, state)
    if contents is None:
        return out
    previous = state.encoding if state.exists and state.type == contents.type else None
    op = name if name not in _SET_LIKE else "SET"
    encoding = model_encoding(contents, limits, previous, op)
    out[key] = KeyState(key, contents.type, contents.count, encoding, None, "predicted")
    return out


def _contents(client: Any, name: str, argv: Sequence[str], state: KeyState) -> Contents | None:
    key = argv[1]
    if name in _SET_LIKE:
        value = argv[3] if name in ("SETEX", "PSETEX") else argv[2] if len(argv) > 2 else ""
        return Contents("string", len(value.encode()), ((value,),), key_bytes=len(key.encode()))
    if name in _INT_OPS or name == "INCRBYFLOAT":
        text = _counted(client, name, argv)
        return None if text is None else Contents("string", len(text), ((text,),))
    if name == "SETBIT" and len(argv) > 2 and argv[2].isdigit():
        return Contents("string", max(state.size, int(argv[2]) // 8 + 1), ())
    if name == "APPEND" and len(argv) > 2:
        return Contents("string", state.size + len(argv[2].encode()), ())
    if name in ("ZADD", "ZINCRBY", "GEOADD"):
        return _zset(client, name, argv, state)
    if name == "SADD":
        members = list(argv[2:])
        new = _new(client.execute_command("SMISMEMBER", key, *members), members, lambda v: not int(v))
        return Contents("set", state.size + len(new), tuple((m,) for m in members))
    if name in ("HSET", "HMSET", "HSETNX", "HINCRBY", "HINCRBYFLOAT"):
        pairs = [(argv[i], argv[i + 1]) for i in range(2, len(argv) - 1, 2)]
        fields = [f for f, _ in pairs]
        new = _new(client.execute_command("HMGET", key, *fields), fields, lambda v: v is None)
        return Contents("hash", state.size + len(new), tuple(pairs))
    if name in ("LPUSH", "RPUSH", "LPUSHX", "RPUSHX"):
        return Contents("list", state.size + len(argv) - 2, tuple((v,) for v in argv[2:]))
    return None


def _set_applies(name: str, argv: Sequence[str], state: KeyState) -> bool:
    """False where a SET's condition (``SETNX``, ``NX``, ``XX``) leaves the key as it is."""
    if name == "SETNX":
        return not state.exists
    if name != "SET":
        return True
    options = {a.upper() for a in argv[3:]}
    return not ("NX" in options and state.exists) and not ("XX" in options and not state.exists)


def _counted(client: Any, name: str, argv: Sequence[str]) -> str | None:
    """The text INCR, DECR, INCRBY, DECRBY or INCRBYFLOAT would store (None: it would fail).

    The current value is read with ``GET``; a float is added in decimal and printed as Redis does
    (no exponent, no trailing zeros), which equals Redis's long-double result for decimal inputs of
    up to 17 significant digits.
    """
    current = client.execute_command("GET", argv[1])
    text = "0" if current is None else current.decode() if isinstance(current, bytes) else str(current)
    step = {"INCR": "1", "DECR": "-1"}.get(name) or (argv[2] if len(argv) > 2 else "")
    try:
        if name == "INCRBYFLOAT":
            digits = f"{Decimal(text) + Decimal(step):f}"
            return digits.rstrip("0").rstrip(".") if "." in digits else digits
        delta = int(step)
        return str(int(text) + (-delta if name == "DECRBY" else delta))
    except (ValueError, ArithmeticError):
        return None


def _mset(
    client: Any, name: str, argv: Sequence[str], before: Mapping[str, KeyState], limits: Limits
) -> dict[str, KeyState]:
    """MSET sets every key; MSETNX sets every key only when none exists, else none."""
    out = dict(before)
    if name == "MSETNX" and any(s.exists for s in before.values()):
        return out
    for i in range(1, len(argv) - 1, 2):
        key, value = argv[i], argv[i + 1]
        state = before.get(key)
        if state is None:
            continue
        contents = Contents("string", len(value.encode()), ((value,),), key_bytes=len(key.encode()))
        previous = state.encoding if state.exists and state.type == "string" else None
        encoding = model_encoding(contents, limits, previous, "SET")
        out[key] = KeyState(key, "string", contents.count, encoding, None, "predicted")
    return out


def _zset(client: Any, name: str, argv: Sequence[str], state: KeyState) -> Contents:
    if name == "ZINCRBY":
        members = [argv[3]] if len(argv) > 3 else []
        flags: set[str] = set()
    else:
        pos, width = 2, 2 if name == "ZADD" else 3
        while pos < len(argv) and argv[pos].upper() in _ZADD_OPTS:
            pos += 1
        flags = {a.upper() for a in argv[2:pos]}
        members = [argv[i + width - 1] for i in range(pos, len(argv) - width + 1, width)]
    new = (
        []
        if "XX" in flags or not members
        else _new(client.execute_command("ZMSCORE", argv[1], *members), members, lambda v: v is None)
    )
    return Contents("zset", state.size + len(set(new)), tuple((m, "0") for m in members))


def _new(replies: Any, items: Sequence[str], is_new: Any) -> list[str]:
    return [item for item, reply in zip(items, list(replies), strict=False) if is_new(reply)]


def _xadd(argv: Sequence[str], state: KeyState, limits: Limits) -> KeyState:
    """XADD's stream after the append and any MAXLEN trim (``~`` trims whole nodes, LIMIT caps it).

    Nodes are taken as full (``stream-node-max-entries``), which they are unless entries are big or
    were deleted; a MINID trim depends on the IDs, so its size is not predicted.
    """
    words = [w.upper() for w in argv]
    if not state.exists and "NOMKSTREAM" in words:
        return KeyState(state.key, "none", 0, None, None, "predicted")
    size = state.size + 1
    if "MINID" in words:
        return KeyState(state.key, "stream", state.size, None, None, "predicted")
    if "MAXLEN" in words:
        pos = words.index("MAXLEN") + 1
        approximate = pos < len(words) and words[pos] == "~"
        pos += 1 if pos < len(words) and words[pos] in ("~", "=") else 0
        maxlen = int(argv[pos]) if pos < len(argv) and argv[pos].isdigit() else None
        if maxlen is None:
            return KeyState(state.key, "stream", state.size, None, None, "predicted")
        excess = max(0, size - maxlen)
        if approximate:
            node = max(1, limits.stream_node_entries)
            limit = 100 * node
            if "LIMIT" in words and words.index("LIMIT") + 1 < len(argv):
                limit = int(argv[words.index("LIMIT") + 1]) or excess
            excess = min(excess, limit) // node * node
        size -= excess
    return KeyState(state.key, "stream", size, "stream", None, "predicted")
