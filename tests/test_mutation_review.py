"""The survivor-list review (scripts/mutation_review.py) tells a fitting reason from a stale one."""

from __future__ import annotations

import subprocess
import sys

from mutation_support import ROOT, load_script

DIFF = ["-    if len(slots) > 1:", "+    if len(slots) > 2:"]


def test_a_reason_quoting_the_changed_code_fits():
    review = load_script("mutation_review")
    assert review.mentions("`len(slots) > 2` for `> 1`: a limiter never spans two slots", DIFF) is True


def test_a_reason_quoting_other_code_is_flagged():
    """The renumbering case: the reason was written for a mutant of another line."""
    review = load_script("mutation_review")
    assert review.mentions('"eval" for "EVAL": command names are case-insensitive', DIFF) is False


def test_spacing_and_parentheses_do_not_matter_and_unquoted_reasons_cannot_be_compared():
    review = load_script("mutation_review")
    assert review.mentions("`len(slots)>2`", DIFF) is True
    assert review.mentions("`a is not None or True`", ["+ if (a is not None) or True:"]) is True
    assert review.mentions("the slots branch cannot be reached", DIFF) is None


def test_quoted_pieces_keep_empty_quotes_and_sort_longest_first():
    review = load_script("mutation_review")
    assert review.quoted('"XXzsetXX" for "zset", or `""`') == ["XXzsetXX", "zset", '""']
    assert review.quoted('"" for None') == [""]


def test_only_a_reason_that_says_so_lets_its_mutant_be_killed_in_some_runs():
    review = load_script("mutation_review")
    assert review.FLAKY.search("`break` for `continue` (flaky): a process that vanishes mid-scan")
    assert review.FLAKY.search("killed in one run, not in the next")
    assert not review.FLAKY.search("`None` for `False`: both falsy")


def test_outside_a_mutmut_run_the_review_says_so_in_one_line(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "mutation_review.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: no mutmut results in this folder (no mutants/): run `make mutate` here first"
    ]
