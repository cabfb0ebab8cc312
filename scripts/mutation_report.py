"""Print mutmut's results as a score per module and the surviving mutants (``make mutate``).

Reads the results of the last ``mutmut run`` in this folder (``mutants/``). A mutant counts as killed
when a test failed, timed out (also shown on its own) or the type check caught it; the score is
killed / checked. Survivors named in ``tests/mutation_equivalent.txt`` (``mutant-name: reason``)
are listed with their reason and left out of the second score (equivalent: no test can tell them
from the original).
Usage: python scripts/mutation_report.py [--survivors-only]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

EQUIVALENT = Path(__file__).resolve().parent.parent / "tests" / "mutation_equivalent.txt"
#: Survivors known not to be equivalent, with what a test would need to kill them (they still count).
NOT_KILLED = EQUIVALENT.with_name("mutation_not_killed.txt")
KILLED = {"killed", "timeout", "caught by type check"}
UNCHECKED = {"not checked", "skipped"}
#: Modules of which only some functions are mutated (``make mutate``'s MUTANTS): the rest is not scored.
ONLY = {
    "redisprep.backends": ("x_delete_namespace__", "x_scan_raw__", "x__batches__", "x__unlink__"),
    "redisprep.practice.grade": ("x__grade_on__", "x__lost__"),
}


def equivalents(path: Path = EQUIVALENT) -> dict[str, str]:
    """Mutant name -> why it is equivalent, from the reasoned list (a line starting ``#`` is a comment;
    a reason may hold ``#``, as in ``split("#")``)."""
    if not path.exists():
        return {}
    found = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, reason = line.partition(":")
            found[name.strip()] = reason.strip()
    return found


def listed() -> dict[str, str]:
    """Every listed survivor, equivalent or not killed -> its reason."""
    return {**equivalents(EQUIVALENT), **equivalents(NOT_KILLED)}


def results() -> dict[str, tuple[str, Path]]:
    """Each mutant of the last ``mutmut run`` here (``mutants/``) -> (its status, its source file).
    Without a ``mutants/`` folder here: one line on stderr and exit status 2."""
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.stats import status_by_exit_code
    from mutmut.utils.file_utils import walk_mutatable_files

    if not Path("mutants").is_dir():
        print(
            "error: no mutmut results in this folder (no mutants/): run `make mutate` here first",
            file=sys.stderr,
        )
        raise SystemExit(2)
    found: dict[str, tuple[str, Path]] = {}
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        for name, code in data.exit_code_by_key.items():
            found[name] = (status_by_exit_code[code], path)
    return found


def changed_lines(diff: Iterable[str]) -> list[str]:
    """The removed and added lines of a unified diff, without its file headers."""
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    by_module: dict[str, dict[str, str]] = defaultdict(dict)
    for name, (status, _) in results().items():
        module, function = name.rsplit(".", 1)
        if module in ONLY and not function.startswith(ONLY[module]):
            continue
        by_module[module][name] = status
    known = equivalents()
    open_ones = equivalents(NOT_KILLED)
    head = ("mutants", "killed", "timeout", "survived", "score", "w/o equiv.")
    print(f"{'module':40} " + " ".join(f"{h:>{max(len(h), 6)}}" for h in head))
    survivors: list[tuple[str, str]] = []
    for module, mutants in sorted(by_module.items()):
        checked = {n: s for n, s in mutants.items() if s not in UNCHECKED}
        if not checked:  # not in this run's MUTANTS
            continue
        killed = sum(s in KILLED for s in checked.values())
        alive = [(n, s) for n, s in checked.items() if s not in KILLED]
        equiv = sum(n in known for n, _ in alive)
        score = killed / len(checked) if checked else 0.0
        real = killed / (len(checked) - equiv) if len(checked) > equiv else 1.0
        timeouts = sum(s == "timeout" for s in checked.values())
        print(
            f"{module:40} {len(checked):7} {killed:6} {timeouts:7} {len(alive):8} {score:6.1%} {real:10.1%}"
        )
        survivors += alive
    if survivors:
        print("\nsurvivors (`python scripts/mutmut_checks.py show NAME` prints the change):")
        for name, status in sorted(survivors):
            why = known.get(name)
            note = (
                f"  [equivalent: {why}]"
                if why
                else f"  [not killed: {open_ones[name]}]"
                if name in open_ones
                else ""
            )
            print(f"  {name}: {status}{note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
