"""Key extractors compared: each copy of "which arguments are keys", on the commands redisprep sends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from architecture.knowledge import command_names, probe
from architecture.source import ROOT


def _text(value: Any) -> str:
    return value.decode("utf-8", "backslashreplace") if isinstance(value, bytes) else str(value)


def _name_key(argv: list[str]) -> str:
    """``XGROUP CREATE`` for a documented subcommand, else the first word, upper-cased."""
    two = " ".join(argv[:2]).upper()
    return two if len(argv) > 1 and two in command_names() else argv[0].upper()


def drill_corpus() -> list[list[str]]:
    """Every command every drill sends on the embedded backend (one argv per distinct command name)."""
    from redisprep.backends import connect
    from redisprep.drills import drill_names, run_drill
    from redisprep.explain.tracing import Tracer

    seen: dict[str, list[str]] = {}
    for name in drill_names():
        backend = connect(None)
        tracer = Tracer()
        try:
            run_drill(name, backend, seed=0, tracer=tracer)
        finally:
            backend.close()
        for cmd in tracer.commands:
            argv = [_text(a) for a in cmd.args]
            head = argv[0].upper().split() if argv else []
            argv = head + argv[1:]
            if argv:
                seen.setdefault(_name_key(argv), argv)
    return list(seen.values())


def deck_corpus() -> list[list[str]]:
    """Every command written in the shipped decks (setup, answer, command, state), one per name."""
    import shlex

    import yaml

    seen: dict[str, list[str]] = {}

    def add(text: Any) -> None:
        if not isinstance(text, str):
            return
        try:
            argv = shlex.split(text)
        except ValueError:
            return
        if argv and argv[0].upper() in {n.split()[0] for n in command_names()}:
            seen.setdefault(_name_key(argv), argv)

    for path in sorted((ROOT / "flashcards").glob("*.yaml")):
        for card in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("cards") or []:
            if not isinstance(card, dict) or card.get("kind") not in ("command", "predict"):
                continue
            for text in [*(card.get("setup") or []), card.get("command"), card.get("answer")]:
                add(text)
            for pair in (card.get("expect") or {}).get("state") or []:
                add(pair[0] if isinstance(pair, list) and pair else None)
    return list(seen.values())


def _extractors() -> dict[str, Callable[[list[str]], set[str] | None]]:
    """Every key extractor still present, as ``argv -> key names`` (None: does not know the command)."""
    out: dict[str, Callable[[list[str]], set[str] | None]] = {}
    keyspecs = probe("redisprep.knowledge.keyspecs:command_keys") or probe(
        "redisprep.explain.keyspecs:command_keys"
    )
    if keyspecs is not None:

        def by_keyspecs(argv: list[str]) -> set[str] | None:
            found = keyspecs(argv)
            return None if found is None else {argv[p] for p in found.positions}

        out["knowledge/keyspecs.py command_keys (COMMAND INFO key specs)"] = by_keyspecs
    # The older copies, while they exist: the cost table's own KeySpec per command (CostSpec.keys)
    # and the cluster simulation's hand-written sets (_ONE_KEY, _ALL_KEYS).
    cost_spec = probe("redisprep.explain.costs:cost_spec")
    resolve = probe("redisprep.explain.resolve:resolve_name") or probe(
        "redisprep.explain.commands:resolve_name"
    )
    cost_class = probe("redisprep.explain.costs.costspec:CostSpec") or probe(
        "redisprep.explain.costs:CostSpec"
    )
    has_keys = cost_class is not None and "keys" in getattr(cost_class, "__dataclass_fields__", {})
    if cost_spec is not None and resolve is not None and has_keys:

        def by_costs(argv: list[str]) -> set[str] | None:
            try:
                spec = cost_spec(resolve(argv))
            except Exception:  # an unknown name: the table does not know it
                return None
            return None if spec is None else {argv[p] for p in spec.keys(argv) if 0 < p < len(argv)}

        out["explain/costs_* tables (hand-written KeySpec per command)"] = by_costs
    slots = probe("redisprep.cluster.slots:command_keys")
    if slots is not None and probe("redisprep.cluster.slots:_ONE_KEY") is not None:

        def by_slots(argv: list[str]) -> set[str] | None:
            found = slots(argv)
            return None if found is None else set(found)

        out["cluster/slots.py command_keys (hand-written sets)"] = by_slots
    return out


def key_agreement(corpus: list[list[str]]) -> dict[str, dict[str, int | list[str]]]:
    """For each extractor: commands it knows, and those where it disagrees with the first extractor."""
    extractors = _extractors()
    if not extractors:
        return {}
    (first_label, first), *_ = extractors.items()
    out: dict[str, dict[str, int | list[str]]] = {}
    for label, fn in extractors.items():
        known, differs, unknown = 0, [], []
        for argv in corpus:
            mine, truth = fn(argv), first(argv)
            if mine is None:
                unknown.append(argv[0].upper())
                continue
            known += 1
            if truth is not None and mine != truth:
                differs.append(" ".join(argv[:4]))
        out[label] = {
            "known": known,
            "unknown": len(unknown),
            "disagree": len(differs),
            "examples": differs[:5],
            "unknown_examples": sorted(set(unknown))[:8],
        }
    out[first_label]["reference"] = 1
    return out
