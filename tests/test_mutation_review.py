"""The survivor-list review (scripts/mutation_review.py) tells a fitting reason from a stale one."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def _review():
    sys.path.insert(0, str(SCRIPTS))
    try:
        spec = importlib.util.spec_from_file_location("mutation_review", SCRIPTS / "mutation_review.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(SCRIPTS))


DIFF = ["-    if len(slots) > 1:", "+    if len(slots) > 2:"]


def test_a_reason_quoting_the_changed_code_fits():
    review = _review()
    assert review.mentions("`len(slots) > 2` for `> 1`: a limiter never spans two slots", DIFF) is True


def test_a_reason_quoting_other_code_is_flagged():
    """The renumbering case: the reason was written for a mutant of another line."""
    review = _review()
    assert review.mentions('"eval" for "EVAL": command names are case-insensitive', DIFF) is False


def test_spacing_does_not_matter_and_unquoted_reasons_cannot_be_compared():
    review = _review()
    assert review.mentions("`len(slots)>2`", DIFF) is True
    assert review.mentions("the slots branch cannot be reached", DIFF) is None


def test_quoted_pieces_keep_empty_quotes_and_sort_longest_first():
    review = _review()
    assert review.quoted('"XXzsetXX" for "zset", or `""`') == ["XXzsetXX", "zset", '""']
    assert review.quoted('"" for None') == [""]
