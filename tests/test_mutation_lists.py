"""Every survivor listed with a reason is still the mutant the reason was written for.

mutmut renumbers a function's mutants when the function changes, so a line in
tests/mutation_equivalent.txt or tests/mutation_not_killed.txt can silently come to name another
change. tests/mutation_pins.txt pins each listed name to a digest of its change; here the mutants are
generated again from today's source (as ``make mutate`` does, without running tests) and compared.
"""

from __future__ import annotations

import pytest
from mutation_support import load_script

pins_module = load_script("mutation_pins")
report = load_script("mutation_report")
LISTED = report.listed()
VERSION, PINS = pins_module.read_pins()
PATHS = sorted(
    {
        p
        for p in pins_module.mutated_paths()
        if any(n.startswith(pins_module.module_of(p) + ".x") for n in LISTED)
    }
)

REDO = (
    "the function changed since the list was reviewed: run `make mutate MUTANTS='<module>.*'`, "
    "check the list with scripts/mutation_review.py, then scripts/mutation_pins.py --write"
)


def test_every_listed_mutant_is_pinned_and_every_pin_listed():
    assert set(PINS) == set(LISTED), (
        f"listed without a pin: {sorted(set(LISTED) - set(PINS))[:5]}; "
        f"pinned but no longer listed: {sorted(set(PINS) - set(LISTED))[:5]}"
    )


def test_no_mutant_is_on_both_lists():
    equivalent = report.equivalents(report.EQUIVALENT)
    open_ones = report.equivalents(report.NOT_KILLED)
    assert not set(equivalent) & set(open_ones)


def test_every_listed_mutant_belongs_to_a_mutated_module():
    modules = {pins_module.module_of(p) for p in pins_module.mutated_paths()}
    assert {name.rsplit(".", 1)[0] for name in LISTED} <= modules


@pytest.mark.parametrize("path", PATHS)
def test_listed_mutants_are_the_changes_they_were_reviewed_as(path):
    if VERSION != pins_module.mutmut_version():
        pytest.skip(
            f"the pins are mutmut {VERSION}'s numbering; this is mutmut {pins_module.mutmut_version()}"
        )
    module = pins_module.module_of(path)
    generated = pins_module.changes(path)
    wrong = []
    for name in sorted(n for n in LISTED if n.rsplit(".", 1)[0] == module):
        change = generated.get(name)
        if change is None:
            wrong.append(f"{name}: no such mutant any more")
        elif pins_module.digest(change) != PINS.get(name):
            wrong.append(f"{name}: now {' | '.join(change)[:160]}")
    assert not wrong, f"{len(wrong)} listed mutants of {path} changed ({REDO}):\n" + "\n".join(wrong)
