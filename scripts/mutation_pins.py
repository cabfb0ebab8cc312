"""Pin each listed survivor to its change, so a code change that renumbers mutants fails the tests.

mutmut numbers a function's mutants in order. When the function changes, ``x_keys__mutmut_39`` can
name another change than the one its line in ``tests/mutation_equivalent.txt`` or
``tests/mutation_not_killed.txt`` explains, and the reason then vouches for a mutant nobody read.
``tests/mutation_pins.txt`` holds, for every listed mutant, a digest of its removed and added lines
as mutmut generates them from the source (no test run needed, a few seconds per module).
``tests/test_mutation_lists.py`` regenerates them and fails on any difference.

After ``make mutate`` and a review of the lists (``scripts/mutation_review.py``), write the pins:
    python scripts/mutation_pins.py --write
Without ``--write``: print the entries whose mutant changed or is gone; exit status 1 if any.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import sys
from collections import defaultdict
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from mutation_report import changed_lines, listed  # noqa: E402

PINS = ROOT / "tests" / "mutation_pins.txt"


def mutmut_version() -> str:
    from importlib.metadata import version

    return version("mutmut")


def mutated_paths() -> list[str]:
    """The files ``make mutate`` mutates (pyproject's ``[tool.mutmut] only_mutate``)."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        return list(tomllib.load(f)["tool"]["mutmut"]["only_mutate"])


def module_of(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def changes(path: str) -> dict[str, list[str]]:
    """Every mutant of one file (full mutmut name) -> its removed and added lines, stripped."""
    import mutmut_checks  # noqa: F401  (mutates @check bodies too, as make mutate does)
    from mutmut.mutation.file_mutation import mutate_file_contents

    mutated = mutate_file_contents(path, (ROOT / path).read_text())
    lines = mutated.code.splitlines()
    spans = mutated.line_span_by_function_name

    def body(name: str) -> list[str]:
        span = spans[name]
        return [line.strip() for line in lines[span.start : span.end]]

    found: dict[str, list[str]] = {}
    for short in mutated.mutant_names:
        orig = short.rsplit("__mutmut_", 1)[0] + "__mutmut_orig"
        mutant = [line.replace(short + "(", orig + "(") for line in body(short)]  # the def line's name
        diff = difflib.unified_diff(body(orig), mutant, lineterm="", n=0)
        found[f"{module_of(path)}.{short}"] = changed_lines(diff)
    return found


def digest(change: list[str]) -> str:
    return hashlib.sha256("\n".join(change).encode()).hexdigest()[:12]


def read_pins(path: Path = PINS) -> tuple[str, dict[str, str]]:
    """(the mutmut version the pins were written with, mutant name -> digest)."""
    version, pins = "", {}
    for line in path.read_text().splitlines() if path.exists() else []:
        if line.startswith("# mutmut "):
            version = line.split()[2]
        elif line.strip() and not line.startswith("#"):
            name, _, rest = line.partition(" ")
            pins[name] = rest.split()[0]
    return version, pins


def current(names: set[str]) -> dict[str, tuple[str, list[str]] | None]:
    """For each name: (digest, change) as mutmut generates it now, or None when there is no such mutant."""
    by_path: dict[str, set[str]] = defaultdict(set)
    paths = {module_of(path): path for path in mutated_paths()}
    for name in names:
        by_path[paths.get(name.rsplit(".", 1)[0], "")].add(name)
    out: dict[str, tuple[str, list[str]] | None] = {}
    for path, wanted in by_path.items():
        generated = changes(path) if path else {}
        for name in wanted:
            change = generated.get(name)
            out[name] = (digest(change), change) if change is not None else None
    return out


def write() -> int:
    now = current(set(listed()))
    gone = sorted(name for name, pin in now.items() if pin is None)
    for name in gone:
        print(f"no such mutant: {name}", file=sys.stderr)
    if gone:
        return 1
    rows = [
        f"{name} {pin[0]} {' | '.join(pin[1])[:100]}" for name, pin in sorted(now.items()) if pin is not None
    ]
    header = [
        "# Each listed survivor's change, as a digest of its -/+ lines (and their start, to read).",
        "# Written by scripts/mutation_pins.py --write after a review;",
        "# tests/test_mutation_lists.py checks it.",
        f"# mutmut {mutmut_version()}",
    ]
    PINS.write_text("\n".join(header + rows) + "\n")
    print(f"{len(rows)} pins written to {PINS.relative_to(ROOT)}")
    return 0


def check() -> int:
    _, pins = read_pins()
    now = current(set(listed()))
    bad = 0
    for name, pin in sorted(now.items()):
        if pin is None or pins.get(name) != pin[0]:
            bad += 1
            what = "no such mutant" if pin is None else f"now: {' | '.join(pin[1])}"
            print(f"{name}: {what}")
    print(f"{len(now)} listed mutants, {bad} changed or gone")
    return 1 if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the pins of every listed mutant")
    args = parser.parse_args()
    return write() if args.write else check()


if __name__ == "__main__":
    raise SystemExit(main())
