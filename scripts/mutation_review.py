"""Check the reasoned survivor lists against the last ``mutmut run``: each listed change by its reason.

mutmut numbers a function's mutants in order, so a change to the function renumbers them, and a
line in ``tests/mutation_equivalent.txt`` or ``tests/mutation_not_killed.txt`` can end up naming a
different mutant than the one its reason describes. For every listed mutant of a module the last run
checked, this prints the removed and added lines of its diff under the reason, and marks the lines
that cannot be right any more:

- ``GONE``: no such mutant (the function was renamed or lost mutants);
- ``KILLED``: a test kills it now, so it is neither equivalent nor open;
- ``TIMEOUT`` (not counted as stale): the run timed it out, which on a loaded machine happens to
  equivalent mutants too; run it alone (``mutmut_checks.py run NAME``) to tell a hang from the load;
- ``FLAKY`` (not counted): killed, and its reason says it is killed in some runs and not in others;
- ``CHECK``: none of the code the reason quotes (between backticks or quotes) is in the diff, so the
  reason may describe another mutant. Read it against the diff.

Run it where ``mutmut run`` ran (it reads ``mutants/``). Exit status 1 when a line is GONE or KILLED.
Usage: python scripts/mutation_review.py [--all] [MODULE-PREFIX ...]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mutation_report import (  # noqa: E402
    EQUIVALENT,
    KILLED,
    NOT_KILLED,
    UNCHECKED,
    changed_lines,
    equivalents,
    listed,
    results,
)

#: A reason that says its mutant is killed in some runs only.
FLAKY = re.compile(r"flaky|killed in one run, not in the next", re.IGNORECASE)
#: Code quoted in a reason: `...`, "..." or '...'.
QUOTED = re.compile(r"`([^`]+)`|\"([^\"]*)\"|'([^']*)'")


def _mutant_lines(name: str, path: Path) -> list[str]:
    """The removed and added lines of one mutant, as the last run made it."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    return changed_lines(get_diff_for_mutant(name, path=path).splitlines())


def _show(lines: list[str]) -> str:
    return "\n".join(f"        {line[:1]} {line[1:].strip()}" for line in lines)


def quoted(reason: str) -> list[str]:
    """The pieces of code a reason quotes, longest first (empty quotes, as in ``"" for "XX"``, kept)."""
    pieces = [
        next(group for group in match.groups() if group is not None) for match in QUOTED.finditer(reason)
    ]
    return sorted(pieces, key=len, reverse=True)


def mentions(reason: str, lines: list[str]) -> bool | None:
    """Whether the reason quotes code seen in the diff; None when it quotes nothing to compare."""
    pieces = [piece for piece in quoted(reason) if piece.strip()]
    if not pieces:
        return None
    text = "\n".join(lines)
    squeezed = re.sub(r"[\s()]+", "", text)  # mutmut adds parentheses: `(a is not None) or True`
    return any(piece in text or re.sub(r"[\s()]+", "", piece) in squeezed for piece in pieces)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prefixes", nargs="*", help="only listed mutants whose name starts so")
    parser.add_argument("--all", action="store_true", help="print every entry, not only the doubtful ones")
    parser.add_argument(
        "--unlisted", action="store_true", help="also print the change of every survivor on no list"
    )
    args = parser.parse_args()
    statuses = results()
    run_modules = {
        name.rsplit(".", 1)[0] for name, (status, _) in statuses.items() if status not in UNCHECKED
    }
    stale = doubtful = shown = 0
    for list_path in (EQUIVALENT, NOT_KILLED):
        for name, reason in equivalents(list_path).items():
            if args.prefixes and not name.startswith(tuple(args.prefixes)):
                continue
            if name.rsplit(".", 1)[0] not in run_modules:
                continue
            shown += 1
            if name not in statuses:
                stale += 1
                print(f"GONE    {list_path.name}: {name}\n        {reason}")
                continue
            status, path = statuses[name]
            lines = _mutant_lines(name, path)
            if status == "timeout":
                mark = "TIMEOUT"
            elif status in KILLED and FLAKY.search(reason):
                mark = "FLAKY"
            elif status in KILLED:
                stale += 1
                mark = "KILLED"
            elif mentions(reason, lines) is False:
                doubtful += 1
                mark = "CHECK"
            elif args.all:
                mark = "ok"
            else:
                continue
            print(f"{mark:7} {list_path.name}: {name}\n        {reason}")
            print(_show(lines))
    on_a_list = listed()
    unlisted = sorted(
        name
        for name, (status, _) in statuses.items()
        if status not in KILLED | UNCHECKED
        and name not in on_a_list
        and (not args.prefixes or name.startswith(tuple(args.prefixes)))
    )
    for name in unlisted if args.unlisted else ():
        print(f"NEW     {name}: {statuses[name][0]}")
        print(_show(_mutant_lines(name, statuses[name][1])))
    print(f"\n{len(unlisted)} survivors on no list")
    print(f"{shown} listed mutants in the run's modules: {stale} gone or killed, {doubtful} to read again")
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
