"""Architecture figures for issue 18: drill places, knowledge copies, run lifecycles, import cycles,
dead code, local imports, module sizes and timings. Re-run after the redesign for the "after" column.

Usage: python scripts/measure_architecture.py [--section NAME ...] [--runs N] [--json FILE]
Sections: places knowledge lifecycle imports contracts dead names sizes timings (default: all but
timings). vulture, deptry and import-linter are optional (``pip install vulture deptry import-linter``);
without them those rows say so.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from architecture import code, imports, keys, knowledge, places, tid253, timing, tools  # noqa: E402
from architecture.source import where  # noqa: E402

SECTIONS = ("places", "knowledge", "lifecycle", "imports", "contracts", "dead", "names", "sizes", "timings")


def _places() -> dict[str, Any]:
    infos = places.drills()
    lists = places.hand_lists(infos)
    per: dict[str, Any] = {}
    for d in infos:
        trees, must = places.places_of(d, lists)
        per[d.name] = {
            "places": len(trees) + len(must),
            "trees": trees,
            "lists": must,
            "spellings": sorted(d.spellings),
            "decks": d.decks,
        }
    counts = [v["places"] for v in per.values()]
    drifted = {n: v["spellings"] for n, v in per.items() if len(v["spellings"]) > 1}
    return {
        "drills": len(infos),
        "places per drill (median, max)": (statistics.median(counts), max(counts)),
        "leaderboard": per.get("leaderboard"),
        "hand-kept lists (exhaustive)": {h.where: h.exhaustive_for for h in lists if h.exhaustive_for},
        "other literal lists of drills": [h.where for h in lists if not h.exhaustive_for],
        "drills with more than one spelling": drifted,
        "drills without a deck of their own name": {
            d.name: d.decks for d in infos if not any(p.endswith(f"/{d.name}.yaml") for p in d.decks)
        },
        "per drill": {
            n: f"{v['places']} = {len(v['trees'])} trees + {len(v['lists'])} lists" for n, v in per.items()
        },
    }


def _knowledge() -> dict[str, Any]:
    tables = knowledge.command_tables()
    copies = [t for t in tables if not t.where.startswith("redisprep/drills/")]
    refusals = knowledge.refusal_tables()
    never, guard = (
        refusals.get("explain: never on a live server"),
        refusals.get("practice guard: refused with a reason"),
    )
    diff = {}
    if never is not None and guard is not None:
        diff = {"explain only": sorted(never - guard), "guard only": sorted(guard - never)}
    dangerous = knowledge.acl_dangerous()
    return {
        "command-name tables outside a knowledge package (not drill content)": len(copies),
        "tables": [f"{t.where} {t.name} ({t.size}: {', '.join(t.sample[:4])}...)" for t in copies],
        "threshold definitions by file": knowledge.thresholds(),
        "refusal tables": {k: len(v) for k, v in refusals.items()},
        "explain NEVER_ON_LIVE vs guard REASONS": diff,
        "refusal entries the server does not flag @dangerous": sorted(
            {c for k, v in refusals.items() if "with a reason" in k or "never" in k for c in v} - dangerous
        ),
        "functions that parse a command (name + keys)": knowledge.parse_sites(),
        "bytes-to-text decoders": knowledge.decoders(),
        "key extractors on the drills' commands": keys.key_agreement(keys.drill_corpus()),
        "key extractors on the decks' commands": keys.key_agreement(keys.deck_corpus()),
    }


def _lifecycle() -> dict[str, Any]:
    found = code.lifecycles()
    return {
        "implementations": len(found),
        "where": [f"{x.where} {x.owner}() parts={','.join(x.parts)}" for x in found],
        "functions that open a backend themselves": code.backend_openers(),
        "signal handlers (signal.signal)": code.signal_handlers(),
        "CLI functions over 25 lines": code.cli_orchestration(),
    }


def _imports() -> dict[str, Any]:
    every = imports.edges()
    found = imports.cycles(every)
    local = imports.local_imports()
    kinds = Counter(x.kind for x in local)
    targets = Counter(
        ".".join(t.split(".")[:2]) if t.startswith("redisprep.") else t.split(".")[0]
        for x in local
        for t in x.stmt.targets[:1]
    )
    return {
        "cycles (any import)": len(found),
        "cycles (module level only)": len(imports.cycles(imports.edges(include_local=False))),
        "cycle edges": {" / ".join(c): imports.cycle_edges(c) for c in found},
        "function-local imports": len(local),
        "by kind": dict(kinds),
        "required by TID253 (ruff config)": sum(tid253.required(x.stmt) is not None for x in local),
        "not required by TID253": [
            f"{where(x.stmt.module, x.stmt.line)} {x.stmt.function}(): {', '.join(x.stmt.targets)}"
            for x in local
            if tid253.required(x.stmt) is None
        ],
        "start-up ones": [
            f"{where(x.stmt.module, x.stmt.line)} {x.stmt.function}(): {', '.join(x.heavy[:3])}"
            for x in local
            if x.kind == "start-up"
        ],
        "cycle ones": [
            f"{where(x.stmt.module, x.stmt.line)} {x.stmt.function}()" for x in local if x.kind == "cycle"
        ],
        "top targets": dict(targets.most_common(12)),
        "area edges": {f"{a} -> {b}": n for (a, b), n in sorted(imports.area_edges().items())},
    }


def _dead() -> dict[str, Any]:
    return {**tools.vulture(), "deptry": tools.deptry()}


def _names() -> dict[str, Any]:
    return {
        "check/result vocabulary": code.result_vocabulary(),
        "same constant name, different things": code.same_name_different_things(),
        "class names defined twice": code.shared_class_names(),
        **code.module_names(),
        "format_version": code.format_version(),
        "runtime dependencies": code.runtime_dependencies(),
    }


def _timings(runs: int) -> dict[str, Any]:
    machine = timing.machine()
    start = timing.startup(max(runs, 15))
    base = start['python -c "import typer"']
    drill = timing.drill_all(runs)
    return {
        "machine": machine,
        "start-up (median, ms; ratio to import typer)": {
            k: (round(v * 1000, 1), round(v / base, 2)) for k, v in start.items()
        },
        f"drill all, embedded (median of {runs}, s)": round(drill["redisprep drill all"], 2),
    }


def _print(name: str, value: Any, depth: int = 0) -> None:
    pad = "  " * depth
    if isinstance(value, dict):
        print(f"{pad}- {name}:")
        for k, v in value.items():
            _print(str(k), v, depth + 1)
    elif isinstance(value, list) and value and (len(value) > 3 or any(len(str(v)) > 60 for v in value)):
        print(f"{pad}- {name} ({len(value)}):")
        for v in value:
            print(f"{pad}  - {v}")
    else:
        print(f"{pad}- {name}: {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--section", action="append", choices=SECTIONS)
    parser.add_argument("--runs", type=int, default=5, help="runs of drill all (start-up: at least 15)")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args()
    chosen = args.section or [s for s in SECTIONS if s != "timings"]
    build = {
        "places": _places,
        "knowledge": _knowledge,
        "lifecycle": _lifecycle,
        "imports": _imports,
        "contracts": lambda: {"import-linter": tools.contracts()},
        "dead": _dead,
        "names": _names,
        "sizes": code.sizes,
        "timings": lambda: _timings(args.runs),
    }
    results = {}
    for section in chosen:
        results[section] = build[section]()
        print(f"\n## {section}\n")
        for k, v in results[section].items():
            _print(k, v)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
