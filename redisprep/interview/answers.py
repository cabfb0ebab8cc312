"""Load a recorded candidate (``--answers FILE.yaml``): stated numbers, sizing, design and choices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redisprep._yaml import brief, line_of_key
from redisprep.errors import DataFormatError
from redisprep.interview.design import MAX_COMMANDS, Design, split_template
from redisprep.interview.scenario import count

_TOP = ("format_version", "scenario", "requirements", "estimate", "data_model", "deep_dives")


@dataclass(frozen=True, slots=True)
class Answers:
    """One candidate's answers to every stage (any stage may be missing: it then scores nothing)."""

    scenario: str
    assumptions: tuple[tuple[str, int], ...] = ()
    model: tuple[tuple[str, Any], ...] = ()
    """The memory model they size (``kind`` plus ``redisprep size`` counts)."""
    memory_bytes: int | None = None
    ops_per_s: int | None = None
    shards: int | None = None
    design: Design = Design((), ())
    choices: tuple[tuple[str, str], ...] = ()
    notes: tuple[tuple[str, str], ...] = ()
    """(stage, free text) pairs: where proactive mentions are looked for."""


_UNITS = {
    "b": 1,
    "kb": 2**10,
    "mb": 2**20,
    "gb": 2**30,
    "tb": 2**40,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
}


def parse_bytes(value: Any) -> int | None:
    """``1.5GB``/``800 MB``/``1200000`` as bytes (binary units: what INFO memory means)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip().lower().replace(" ", "")
    for unit in sorted(_UNITS, key=len, reverse=True):
        if text.endswith(unit):
            try:
                return int(float(text[: -len(unit)]) * _UNITS[unit])
            except ValueError:
                return None
    return count(text)


def parse_answers(doc: Any, where: str) -> Answers:
    """Check answers already loaded (from a file, or typed in an interactive interview).

    Raises:
        DataFormatError: The first problem, with its line when ``doc`` came from a file.
    """

    def fail(node: Any, key: Any, problem: str) -> DataFormatError:
        return DataFormatError(where, line_of_key(node, key) if node is not None else None, problem)

    if not isinstance(doc, dict):
        raise fail(None, None, "an answers file must be a mapping with scenario, requirements, ...")
    for key in doc:
        if key not in _TOP:
            raise fail(doc, key, f"unknown field {brief(key)} (expected {', '.join(_TOP)})")
    if doc.get("format_version") != 1:
        raise fail(doc, "format_version", "format_version must be 1")
    scenario = doc.get("scenario")
    if not isinstance(scenario, str):
        raise fail(doc, "scenario", "'scenario' must name a scenario")
    sections = {k: doc.get(k) or {} for k in _TOP[2:]}
    for key, section in sections.items():
        if not isinstance(section, dict):
            raise fail(doc, key, f"{key!r} must be a mapping")
    req, est, dm, dd = (sections[k] for k in _TOP[2:])
    assumed = req.get("assumptions") or {}
    if not isinstance(assumed, dict):
        raise fail(req, "assumptions", "'assumptions' must map names to counts")
    assumptions = []
    for name, value in assumed.items():
        n = count(value)
        if n is None:
            raise fail(
                assumed, name, f"assumption {brief(name)}: {brief(value)} is not a count (300, 50k, 10M)"
            )
        assumptions.append((str(name), n))
    model = est.get("model") or {}
    if not isinstance(model, dict):
        raise fail(est, "model", "'model' must be a mapping (kind, keys, members, ...)")
    numbers = {}
    for key, parse in (("memory", parse_bytes), ("ops_per_s", count), ("shards", count)):
        if key in est:
            numbers[key] = parse(est[key])
            if numbers[key] is None:
                raise fail(est, key, f"{key!r}: {brief(est[key])} is not a number (1.2GB, 50k)")
    choices = {str(k): str(v).strip() for k, v in dd.items() if k != "notes"}
    notes = tuple((k, str(s.get("notes", ""))) for k, s in sections.items() if s.get("notes"))
    return Answers(
        scenario,
        tuple(assumptions),
        tuple(model.items()),
        numbers.get("memory"),
        numbers.get("ops_per_s"),
        numbers.get("shards"),
        _design(dm, fail),
        tuple(choices.items()),
        notes,
    )


def _design(dm: dict[str, Any], fail: Any) -> Design:
    keys = dm.get("keys") or {}
    ops = dm.get("operations") or {}
    if not isinstance(keys, dict) or not all(isinstance(v, str) and len(v) <= 200 for v in keys.values()):
        raise fail(dm, "keys", "'keys' must map names to key patterns (text, at most 200 characters)")
    if not isinstance(ops, dict):
        raise fail(dm, "operations", "'operations' must map operation names to commands")
    out = []
    for op, raw in ops.items():
        lines = raw if isinstance(raw, list) else [raw]
        if not lines or not all(isinstance(x, str) for x in lines) or len(lines) > MAX_COMMANDS:
            raise fail(ops, op, f"operation {brief(op)}: 1 to {MAX_COMMANDS} redis-cli commands (text)")
        try:
            out.append((str(op), tuple(split_template(x) for x in lines)))
        except ValueError as exc:
            raise fail(ops, op, f"operation {brief(op)}: cannot split like redis-cli: {exc}") from None
    return Design(tuple((str(k), v) for k, v in keys.items()), tuple(out))
