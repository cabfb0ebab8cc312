"""The leaderboard checks decide right: each wrong solution fails the check it breaks, naming its
pitfall, and the reference passes each check with the message a learner reads.

The checks run in this process against the embedded backend (``make mutate`` sees a mutated check
here; in ``practice check`` the learner's code would run in a child). The wrong solutions are the
reference with one function replaced (``check_helpers.variant``), as a learner would write them.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from mutation_support import corpus_module, embedded_ctx  # noqa: F401 (the ctx fixture)
from mutation_support import fails as _fails

from redisprep.backends import connect, delete_namespace
from redisprep.drills.check_helpers import NO_KNOWN_PITFALL, variant
from redisprep.drills.context import DrillContext
from redisprep.drills.leaderboard import checks, paging
from redisprep.drills.leaderboard import reference as lb

# --- the reference passes, with the message the learner reads ----------------------------------

PASSING = {
    checks.concurrent_add: "400 of 400 increments kept (8 writers x 50); 0 lost",
    checks.returns: "add_points returned 7.0, 12.0, 12.5; rank 2 and shared rank 3 are ints",
    checks.top_k: "top 10 of 200 match",
    checks.rank: "20 sampled ranks and an unknown player are right",
    checks.shared_rank: "erin 1; alice, bob and dave 2; carol 5",
    checks.around: "windows at #1, #2, #58 and #200 are right",
    checks.stable_pages: "page 2 is u05, u06, u07, u08, u09: no player repeated or skipped",
    checks.page_ties: "23 players in 5 pages, each once and in order; the last cursor is None",
    checks.one_round_trip: "every operation took 1 round trip",
}


@pytest.mark.parametrize("check", list(PASSING), ids=lambda c: c.id)
def test_the_reference_passes_each_check_with_its_message(ctx: DrillContext, check: Any) -> None:
    result = check.run(ctx, lb)
    assert (result.status, result.message, result.pitfall) == ("pass", PASSING[check], None)


def test_the_reference_measures_what_it_says(ctx: DrillContext) -> None:
    assert checks.concurrent_add.run(ctx, lb).measured == {"final": 400.0, "expected": 400, "lost": 0}
    assert checks.top_k.run(ctx, lb).measured == {"size": 200}
    assert checks.rank.run(ctx, lb).measured == {"wrong": 0}
    assert checks.page_ties.run(ctx, lb).measured == {"pages": 5, "repeated": 0, "missing": 0}
    assert checks.stable_pages.run(ctx, lb).measured == {"repeated": 0}
    trips = checks.one_round_trip.run(ctx, lb).measured
    assert trips == {f"trips_{f}": 1 for f in ("add_points", "top", "rank", "shared_rank", "around", "page")}


def test_an_add_points_that_writes_nothing_loses_every_increment(ctx: DrillContext) -> None:
    result = checks.concurrent_add.run(ctx, variant(lb, add_points=lambda r, b, p, pts: float(pts)))
    assert result.status == "fail"
    assert result.measured == {"final": 0.0, "expected": 400, "lost": 400}
    assert result.message == "0 of 400 increments kept (8 writers x 50); 400 lost"


def _board(ctx: DrillContext, name: str) -> dict[str, float]:
    return dict(ctx.r.zrange(ctx.key("lb", name), 0, -1, withscores=True))


@pytest.mark.parametrize(
    ("check", "name", "size"),
    [
        (checks.top_k, "top", 200),
        (checks.rank, "rank", 200),
        (checks.around, "around", 200),
        (checks.one_round_trip, "trips", 50),
    ],
    ids=lambda v: getattr(v, "id", None) or str(v),
)
def test_each_seeded_check_builds_the_board_its_seed_gives(
    ctx: DrillContext, check: Any, name: str, size: int
) -> None:
    """The same seed, the same board (``drill run --seed``): a run is reproducible."""
    assert check.run(ctx, lb).status == "pass"
    seeded = checks.seed_board(ctx, ctx.key("lb", "again"), size, ctx.fork_rng(name))
    if check is checks.one_round_trip:
        seeded["p0001"] += 5  # the add_points it measures
    board = _board(ctx, name)
    assert {m: board[m] for m in seeded} == seeded
    if check is checks.top_k:  # and three players tied at the very top
        top = checks.expected_order(board)
        assert top[0][1] == top[1][1] == top[2][1] > top[3][1]


def test_the_checks_with_fixed_boards_leave_them_as_their_messages_say(ctx: DrillContext) -> None:
    for check in (
        checks.concurrent_add,
        checks.returns,
        checks.shared_rank,
        checks.stable_pages,
        checks.page_ties,
    ):
        assert check.run(ctx, lb).status == "pass", check.id
    assert _board(ctx, "concurrent") == {"alice": checks.WORKERS * checks.ROUNDS}
    assert _board(ctx, "returns")["zed"] == 12.5
    assert set(_board(ctx, "ties")) == {"erin", "alice", "bob", "dave", "carol"}
    assert len(_board(ctx, "pages")) == 20
    assert len(_board(ctx, "page-ties")) == 23


# --- top-K --------------------------------------------------------------------------------------


def test_the_right_players_in_reverse_order_fail_top_k(ctx: DrillContext) -> None:
    """The issue's own example: the best ten, but worst of them first."""
    result = checks.top_k.run(ctx, variant(lb, top=lambda r, b, k: lb.top(r, b, k)[::-1]))
    _fails(result, NO_KNOWN_PITFALL)
    best = lb.top(ctx.r, ctx.key("lb", "top"), 10)
    assert result.message == f"top 10 differs: 10 entries (want 10); #1 is {best[-1]} (want {best[0]})"


def _ascending(r: Any, board: str, k: int) -> list[tuple[str, float]]:
    return [(m, s) for m, s in r.zrange(board, 0, k - 1, withscores=True)]


def test_zrange_without_rev_fails_top_k_as_ascending(ctx: DrillContext) -> None:
    _fails(checks.top_k.run(ctx, variant(lb, top=_ascending)), checks.ASCENDING)


def test_the_lowest_k_highest_first_fails_top_k_as_ascending(ctx: DrillContext) -> None:
    worst_first = variant(lb, top=lambda r, b, k: _ascending(r, b, k)[::-1])
    _fails(checks.top_k.run(ctx, worst_first), checks.ASCENDING)


def _by_name(r: Any, board: str, k: int) -> list[tuple[str, float]]:
    everyone = [(m, s) for m, s in r.zrange(board, 0, -1, withscores=True)]
    return sorted(everyone, key=lambda e: (-e[1], e[0]))[:k]


def test_ties_by_name_ascending_fail_top_k(ctx: DrillContext) -> None:
    _fails(checks.top_k.run(ctx, variant(lb, top=_by_name)), checks.TIES_BY_NAME)


def test_one_player_short_fails_top_k(ctx: DrillContext) -> None:
    short = variant(lb, top=lambda r, b, k: lb.top(r, b, k - 1))
    result = checks.top_k.run(ctx, short)
    _fails(result, checks.TOP_STOP)
    tenth = lb.top(ctx.r, ctx.key("lb", "top"), 10)[9]
    assert result.message == f"top 10 differs: 9 entries (want 10); #10 is nothing (want {tenth})"


def test_one_player_too_many_fails_top_k(ctx: DrillContext) -> None:
    result = checks.top_k.run(ctx, corpus_module("leaderboard", "top_one_extra"))
    _fails(result, checks.TOP_STOP)
    eleventh = lb.top(ctx.r, ctx.key("lb", "top"), 11)[10]
    assert result.message == f"top 10 differs: 11 entries (want 10); #11 is {eleventh} (want nothing)"


def test_names_without_scores_fail_top_k_saying_what_was_wanted(ctx: DrillContext) -> None:
    names = variant(lb, top=lambda r, b, k: [m for m, _ in lb.top(r, b, k)])
    result = checks.top_k.run(ctx, names)
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message.startswith("top returned ['p900")
    assert result.message.endswith("; want a list of (member, number) pairs")


# --- rank ---------------------------------------------------------------------------------------


def _zrank(one_based: bool) -> Any:
    def rank(r: Any, board: str, player: str) -> int | None:
        position = r.zrank(board, player)
        return None if position is None else position + one_based

    return rank


@pytest.mark.parametrize("one_based", [True, False], ids=["zrank+1", "zrank"])
def test_zrank_fails_rank_as_ascending(ctx: DrillContext, one_based: bool) -> None:
    result = checks.rank.run(ctx, variant(lb, rank=_zrank(one_based)))
    _fails(result, checks.RANK_PITFALLS["ascending"])
    assert result.measured == {"wrong": 20}
    first_three = result.message.split("; ")  # the first three of 20, not all
    assert len(first_three) == 3 and all(re.fullmatch(r"p\d{4}: got \d+, want \d+", w) for w in first_three)


def test_zrevrank_without_plus_one_fails_rank_as_zero_based(ctx: DrillContext) -> None:
    zero_based = variant(lb, rank=lambda r, b, p: None if (x := r.zrevrank(b, p)) is None else x)
    _fails(checks.rank.run(ctx, zero_based), checks.RANK_PITFALLS["zero-based"])


def test_a_rank_as_text_fails_rank(ctx: DrillContext) -> None:
    text = variant(lb, rank=lambda r, b, p: None if (x := lb.rank(r, b, p)) is None else str(x))
    _fails(checks.rank.run(ctx, text), checks.RANK_PITFALLS["text"])


def test_zero_based_and_ascending_ranks_are_told_apart_whatever_the_seed() -> None:
    """The player ranked 101 of 200 gets 100 from both mistakes; the others decide which it is.

    Before the fix, seeds 3, 8, 16 and 26 (of 0-39) named no pitfall for a 0-based rank.
    """
    backend = connect(None)
    zero = variant(lb, rank=lambda r, b, p: r.zrevrank(b, p))
    ascending = variant(lb, rank=_zrank(True))
    try:
        for seed in range(40):
            ctx = DrillContext.create(backend, seed=seed)
            assert checks.rank.run(ctx, zero).pitfall == checks.RANK_PITFALLS["zero-based"], seed
            assert checks.rank.run(ctx, ascending).pitfall == checks.RANK_PITFALLS["ascending"], seed
            delete_namespace(backend.client(), ctx.ns)
    finally:
        backend.close()


def test_ranking_a_stranger_zero_fails_rank(ctx: DrillContext) -> None:
    result = checks.rank.run(ctx, variant(lb, rank=lambda r, b, p: lb.rank(r, b, p) or 0))
    _fails(result, checks.RANK_PITFALLS["stranger"])
    assert result.message == "unknown player: got 0, want None"
    assert result.measured == {"wrong": 1}


def test_two_different_rank_mistakes_name_no_single_pitfall(ctx: DrillContext) -> None:
    both = variant(lb, rank=lambda r, b, p: str(x) if (x := lb.rank(r, b, p)) is not None else 0)
    _fails(checks.rank.run(ctx, both), NO_KNOWN_PITFALL)


def test_a_rank_off_by_five_names_no_pitfall(ctx: DrillContext) -> None:
    off = variant(lb, rank=lambda r, b, p: None if (x := lb.rank(r, b, p)) is None else x + 5)
    _fails(checks.rank.run(ctx, off), NO_KNOWN_PITFALL)


# --- shared rank --------------------------------------------------------------------------------


def _higher(r: Any, board: str, player: str, bound: str) -> list[float] | None:
    score = r.zscore(board, player)
    if score is None:
        return None
    return [s for _, s in r.zrangebyscore(board, bound.format(score), "+inf", withscores=True)]


def _dense(r: Any, board: str, player: str) -> int | None:
    higher = _higher(r, board, player, "({}")
    return None if higher is None else len(set(higher)) + 1


def _inclusive(r: Any, board: str, player: str) -> int | None:
    higher = _higher(r, board, player, "{}")
    return None if higher is None else len(higher)


def test_dense_ranking_fails_shared_rank(ctx: DrillContext) -> None:
    result = checks.shared_rank.run(ctx, variant(lb, shared_rank=_dense))
    assert result.status == "fail"
    assert result.pitfall == (
        "dense ranking (1, 2, 2, 3): competition ranking skips the places the tie took; count "
        "the members with a strictly higher score"
    )
    assert "'carol': 3" in result.message and result.message.startswith("got {")


def test_an_inclusive_zcount_fails_shared_rank(ctx: DrillContext) -> None:
    result = checks.shared_rank.run(ctx, variant(lb, shared_rank=_inclusive))
    assert result.status == "fail"
    assert result.pitfall == (
        "ZCOUNT with an inclusive bound counts the tied players themselves; write the lower "
        "bound as '(score' (exclusive)"
    )


def test_zrevrank_as_shared_rank_fails_it(ctx: DrillContext) -> None:
    result = checks.shared_rank.run(ctx, variant(lb, shared_rank=lb.rank))
    assert result.status == "fail"
    assert (result.pitfall or "").startswith("ZREVRANK breaks ties by member name")


def test_a_shared_rank_as_text_fails_it(ctx: DrillContext) -> None:
    text = variant(lb, shared_rank=lambda r, b, p: None if (x := lb.shared_rank(r, b, p)) is None else str(x))
    _fails(checks.shared_rank.run(ctx, text), checks.TEXT)


def test_a_shared_rank_of_one_for_everyone_names_no_pitfall(ctx: DrillContext) -> None:
    """The stranger is ranked too, but so is everyone else wrongly: not the unknown-player mistake."""
    result = checks.shared_rank.run(ctx, variant(lb, shared_rank=lambda r, b, p: 1))
    _fails(result, NO_KNOWN_PITFALL)
    everyone = dict.fromkeys(("erin", "alice", "bob", "dave", "carol", "nobody"), 1)
    assert result.message.startswith(f"got {everyone}; want ")


def test_a_stranger_sharing_rank_zero_is_told_an_unknown_player_gets_none(ctx: DrillContext) -> None:
    stranger = variant(lb, shared_rank=lambda r, b, p: lb.shared_rank(r, b, p) or 0)
    result = checks.shared_rank.run(ctx, stranger)
    assert result.status == "fail" and (result.pitfall or "").startswith("an unknown player must get None")


# --- around -------------------------------------------------------------------------------------


def _window(above: int, clip: bool = True, reverse: bool = False, below: int | None = None) -> Any:
    def around(r: Any, board: str, player: str, k: int) -> list[tuple[str, float]]:
        at = r.zrevrank(board, player)
        start = max(0, at - above) if clip else at - above
        stop = at + (k if below is None else below)
        got = [(m, s) for m, s in r.zrange(board, start, stop, desc=True, withscores=True)]
        return got[::-1] if reverse else got

    return around


def test_a_window_not_clipped_at_the_top_fails_around(ctx: DrillContext) -> None:
    result = checks.around.run(ctx, variant(lb, around=_window(2, clip=False)))
    _fails(result, checks.NOT_CLIPPED)
    assert result.message.startswith("around #1: got [], want ['p")
    assert result.message.count("around #") == 2  # #1 and #2 are wrong; the message names two


def test_a_reversed_window_fails_around_as_ascending(ctx: DrillContext) -> None:
    _fails(checks.around.run(ctx, variant(lb, around=_window(2, reverse=True))), checks.ASCENDING)


@pytest.mark.parametrize("below", [1, 3], ids=["one-too-few", "one-too-many"])
def test_a_window_one_off_below_fails_around_naming_the_inclusive_stop(ctx: DrillContext, below: int) -> None:
    """rank + k - 1 or rank + k + 1 as ZRANGE's stop: wrong at #1, #2 and #58 (not at the bottom)."""
    result = checks.around.run(ctx, variant(lb, around=_window(2, below=below)))
    _fails(result, checks.WINDOW_STOP)
    assert result.message.startswith("around #1: got ['p")


def test_the_corpus_window_mistakes_fail_around_naming_them_in_process(ctx: DrillContext) -> None:
    _fails(checks.around.run(ctx, corpus_module("leaderboard", "window_short_below")), checks.WINDOW_STOP)
    _fails(checks.around.run(ctx, corpus_module("leaderboard", "not_clipped")), checks.NOT_CLIPPED)


def test_one_neighbour_too_few_above_fails_around(ctx: DrillContext) -> None:
    _fails(checks.around.run(ctx, variant(lb, around=_window(1))), checks.WINDOW)


def test_a_window_that_finds_nobody_below_the_top_two_names_no_pitfall(ctx: DrillContext) -> None:
    """Empty windows at #58 and #200 are no known mistake (not the 'rank-k to rank+k' one)."""
    near_top = variant(lb, around=lambda r, b, p, k: lb.around(r, b, p, k) if r.zrevrank(b, p) < 2 else [])
    result = checks.around.run(ctx, near_top)
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message.startswith("around #58: got [], want ['p")


def test_a_window_of_names_only_fails_around_saying_what_was_wanted(ctx: DrillContext) -> None:
    names = variant(lb, around=lambda r, b, p, k: [m for m, _ in lb.around(r, b, p, k)])
    result = checks.around.run(ctx, names)
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message.startswith("around returned ['p")


def test_an_empty_window_names_no_single_pitfall(ctx: DrillContext) -> None:
    result = checks.around.run(ctx, variant(lb, around=lambda r, b, p, k: []))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message.startswith("around #1: got [], want ['p")
    assert result.message.count("; around #") == 1  # four windows wrong, the first two named


# --- paging -------------------------------------------------------------------------------------


def test_offset_paging_fails_stable_pages_naming_the_repeat(ctx: DrillContext) -> None:
    result = checks.stable_pages.run(ctx, variant(lb, page=lb.naive_page))
    _fails(result, checks.OFFSET_PAGING)
    assert result.message == (
        "page 2 is u04, u05, u06, u07, u08; repeated from page 1: ['u04']; want u05, u06, u07, u08, u09"
    )


def _skips_one(r: Any, board: str, cursor: Any, n: int) -> tuple[list[tuple[str, float]], Any]:
    if cursor is None:
        return lb.page(r, board, cursor, n)
    entries, after = lb.page(r, board, cursor, n + 1)
    return entries[1:], after


def test_a_page_that_skips_a_player_fails_stable_pages(ctx: DrillContext) -> None:
    result = checks.stable_pages.run(ctx, variant(lb, page=_skips_one))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message == (
        "page 2 is u06, u07, u08, u09, u11; repeated from page 1: none; before the change page 2 was "
        "already u06, u07, u08, u09, u10; want u05, u06, u07, u08, u09"
    )
    assert result.measured == {"repeated": 0}


def _score_only(exclusive: bool) -> Any:
    def page(r: Any, board: str, cursor: Any, n: int) -> tuple[list[tuple[str, float]], Any]:
        top = "+inf" if cursor is None else (f"({cursor[0]}" if exclusive else cursor[0])
        rows = r.zrevrangebyscore(board, top, "-inf", start=0, num=n, withscores=True)
        entries = [(m, s) for m, s in rows]
        return entries, ((entries[-1][1], entries[-1][0]) if len(entries) == n else None)

    return page


def test_a_cursor_on_the_score_alone_fails_page_ties(ctx: DrillContext) -> None:
    result = checks.page_ties.run(ctx, variant(lb, page=_score_only(exclusive=True)))
    _fails(result, paging.SCORE_ONLY_CURSOR)
    assert result.measured == {"pages": 5, "repeated": 0, "missing": 3}
    assert result.message == (
        "20 entries in 5 pages (want 23); repeated none, missing ['t03', 't09', 't15']; "
        "last cursor None (want None)"
    )


def test_an_inclusive_cursor_on_the_score_alone_fails_page_ties(ctx: DrillContext) -> None:
    """It repeats players tied at its own page edges: each page is judged from the previous page's
    last entry as returned, so the mistake is named although its pages drift from the right ones."""
    result = checks.page_ties.run(ctx, variant(lb, page=_score_only(exclusive=False)))
    _fails(result, paging.SCORE_ONLY_CURSOR)
    assert result.measured["repeated"] > 0


def _never_ends(r: Any, board: str, cursor: Any, n: int) -> tuple[list[tuple[str, float]], Any]:
    entries, after = lb.page(r, board, cursor, n)
    return entries, (after or (0.0, ""))


def test_a_cursor_that_never_ends_fails_page_ties_after_eleven_pages(ctx: DrillContext) -> None:
    result = checks.page_ties.run(ctx, variant(lb, page=_never_ends))
    _fails(result, "paging never ends: return None as the cursor once the last page is out")
    assert result.measured == {"pages": 11, "repeated": 0, "missing": 0}
    assert result.message == (
        "23 entries in 11 pages (want 23); repeated none, missing none; last cursor (0.0, '') (want None); "
        "a short page came with a cursor"
    )


def test_always_the_first_page_fails_page_ties(ctx: DrillContext) -> None:
    first = variant(lb, page=lambda r, b, c, n: (lb.top(r, b, n), (0.0, "")))
    result = checks.page_ties.run(ctx, first)
    _fails(result, NO_KNOWN_PITFALL)
    assert result.measured == {"pages": 11, "repeated": 5, "missing": 18}
    assert result.message == (
        "55 entries in 11 pages (want 23); repeated ['t00', 't01', 't02', 't04', 't05'], "
        "missing ['t03', 't08', 't07', 't06', 't11']; last cursor (0.0, '') (want None)"
    )  # 18 missing, the first five named


def test_each_page_backwards_fails_page_ties(ctx: DrillContext) -> None:
    backwards = variant(lb, page=lambda r, b, c, n: ((p := lb.page(r, b, c, n))[0][::-1], p[1]))
    result = checks.page_ties.run(ctx, backwards)
    _fails(result, NO_KNOWN_PITFALL)
    assert result.measured == {"pages": 5, "repeated": 0, "missing": 0}


def test_a_page_that_is_not_a_pair_fails_saying_so(ctx: DrillContext) -> None:
    result = checks.page_ties.run(ctx, variant(lb, page=lambda r, b, c, n: lb.page(r, b, c, n)[0]))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message.startswith("page returned [('t")
    assert result.message.endswith("; want (entries, cursor)")


def test_a_page_of_names_only_fails_saying_what_was_wanted(ctx: DrillContext) -> None:
    def names(r: Any, board: str, cursor: Any, n: int) -> tuple[list[str], Any]:
        entries, after = lb.page(r, board, cursor, n)
        return [m for m, _ in entries], after

    result = checks.page_ties.run(ctx, variant(lb, page=names))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message.startswith("page returned ['t")
    assert result.message.endswith("; want a list of (member, number) pairs")


@pytest.mark.parametrize(
    ("name", "pitfall", "measured"),
    [
        ("ties_reversed", paging.TIES_WRONG_WAY, {"pages": 5, "repeated": 2, "missing": 5}),
        ("page_int_cursor", paging.TRUNCATED_CURSOR, {"pages": 4, "repeated": 0, "missing": 8}),
        ("page_scores_as_text", paging.SCORES_AS_TEXT, {"pages": 3, "repeated": 0, "missing": 11}),
        ("score_only_cursor", paging.SCORE_ONLY_CURSOR, {"pages": 5, "repeated": 0, "missing": 3}),
        ("last_page_cursor", checks.LAST_CURSOR, {"pages": 6, "repeated": 0, "missing": 0}),
    ],
)
def test_a_corpus_paging_variant_fails_page_ties_naming_its_mistake_in_process(
    ctx: DrillContext, name: str, pitfall: str, measured: dict[str, int]
) -> None:
    """The corpus's cursor mistakes, graded here where paging.py's mutants are switched on."""
    result = checks.page_ties.run(ctx, corpus_module("leaderboard", name))
    _fails(result, pitfall)
    assert result.measured == measured


# g 5, f 4, then e, d and c tied at 3, b 2, a 1: leaderboard order (score, then member, descending).
_BOARD = {"g": 5.0, "f": 4.0, "e": 3.0, "d": 3.0, "c": 3.0, "b": 2.0, "a": 1.0}
_ORDER = checks.expected_order(_BOARD)


def _pages(*names: str) -> list[list[tuple[str, float]]]:
    """Pages of 2 written as member letters ("gf"), with the members' scores."""
    return [[(m, _BOARD[m]) for m in page] for page in names]


def test_paging_mistake_names_the_one_rule_that_explains_every_wrong_page() -> None:
    """From c, "ed" is both a score-only cursor (score at most 3) and ties taken the wrong way
    (members above c); from d, "eb" is only ties taken the wrong way: that is the mistake."""
    assert paging.paging_mistake(_ORDER, _pages("gc", "ed", "eb", "a"), 2) == paging.TIES_WRONG_WAY


def test_paging_mistake_names_nothing_when_two_mistakes_explain_every_page() -> None:
    assert paging.paging_mistake(_ORDER, _pages("gc", "ed"), 2) is None


def test_paging_mistake_judges_the_pages_after_a_right_one() -> None:
    """gf then ed are right; eb after d is the mistake."""
    assert paging.paging_mistake(_ORDER, _pages("gf", "ed", "eb", "a"), 2) == paging.TIES_WRONG_WAY


def test_paging_mistake_skips_an_empty_page_and_judges_the_rest() -> None:
    """An empty page has no last entry to judge the next page from; the pages after it still count."""
    assert paging.paging_mistake(_ORDER, _pages("", "fd", "eb", "a"), 2) == paging.TIES_WRONG_WAY


def test_paging_mistake_names_nothing_for_right_pages_or_a_page_no_rule_gives() -> None:
    assert paging.paging_mistake(_ORDER, _pages("gf", "ed", "cb", "a"), 2) is None
    assert paging.paging_mistake(_ORDER, _pages("gf", "ac"), 2) is None


def test_paging_mistake_ignores_a_right_page_whatever_rules_it_fits() -> None:
    """dc after e is right, and only the right rule (and look-alikes) gives it: it must not rule out
    the ties taken the wrong way that explain ed after c and eb after d."""
    assert paging.paging_mistake(_ORDER, _pages("ge", "dc", "ed", "eb", "a"), 2) == paging.TIES_WRONG_WAY


def test_paging_mistake_judges_a_page_from_the_last_entry_before_it() -> None:
    """Pages of 3 on c, b 120.5, d 110.75, a 100.5: after c, b, d the next page is a; d, a again
    starts at d's score (inclusive), which from b's place would have been right."""
    board = {"a": 100.5, "b": 120.5, "c": 120.5, "d": 110.75}
    pages = [[("c", 120.5), ("b", 120.5), ("d", 110.75)], [("d", 110.75), ("a", 100.5)]]
    assert paging.paging_mistake(checks.expected_order(board), pages, 3) == paging.SCORE_ONLY_CURSOR


def test_paging_mistake_names_scores_compared_as_text() -> None:
    """After d (100.5) comes c (90.75); as text '90.75' > '100.5', so a text comparison finds nobody."""
    board = {"a": 120.5, "b": 120.5, "c": 90.75, "d": 100.5}
    pages = [[("b", 120.5), ("a", 120.5), ("d", 100.5)], []]
    assert paging.paging_mistake(checks.expected_order(board), pages, 3) == paging.SCORES_AS_TEXT


def test_following_is_the_first_n_after_the_cursor_by_a_rule() -> None:
    right, score_below = paging.RULES["right"][0], paging.RULES["score below"][0]
    assert paging.following(_ORDER, ("d", 3.0), right, 2) == ["c", "b"]
    assert paging.following(_ORDER, ("d", 3.0), score_below, 2) == ["b", "a"]
    assert paging.following(_ORDER, ("d", 3.0), right, 5) == ["c", "b", "a"]


# --- what the functions return ------------------------------------------------------------------


def test_returning_the_increment_fails_returns(ctx: DrillContext) -> None:
    given = variant(lb, add_points=lambda r, b, p, pts: (lb.add_points(r, b, p, pts), pts)[1])
    result = checks.returns.run(ctx, given)
    assert result.status == "fail"
    assert result.pitfall == (
        "add_points returns the increment it was given, not the new score: return ZINCRBY's reply"
    )
    assert result.message == "add_points of 7, 5, 0.5 returned [7, 5, 0.5] (want [7.0, 12.0, 12.5])"


def test_returning_nothing_fails_returns(ctx: DrillContext) -> None:
    result = checks.returns.run(
        ctx, variant(lb, add_points=lambda r, b, p, pts: r.zincrby(b, pts, p) and None)
    )
    assert result.status == "fail"
    assert result.pitfall == (
        "add_points returns nothing: ZINCRBY replies with the new score; return it as a float"
    )


def test_both_return_mistakes_are_listed(ctx: DrillContext) -> None:
    both = variant(
        lb,
        add_points=lambda r, b, p, pts: (lb.add_points(r, b, p, pts), pts)[1],
        rank=lambda r, b, p: r.zrevrank(b, p),
    )
    result = checks.returns.run(ctx, both)
    assert result.message == (
        "add_points of 7, 5, 0.5 returned [7, 5, 0.5] (want [7.0, 12.0, 12.5]); "
        "rank of zed (12.5) and shared_rank of amy (9) returned (1, 3) (want (2, 3))"
    )


def test_a_score_truncated_to_an_int_fails_returns(ctx: DrillContext) -> None:
    result = checks.returns.run(ctx, corpus_module("leaderboard", "score_as_int"))
    _fails(
        result, "add_points truncates the new score to an int: scores can be fractional; return float(reply)"
    )
    assert result.message == "add_points of 7, 5, 0.5 returned [7, 12, 12] (want [7.0, 12.0, 12.5])"


def test_zadd_in_place_of_zincrby_returning_its_count_names_no_pitfall(ctx: DrillContext) -> None:
    """ZADD sets the score and answers how many members it added (1, 0, 0): whole numbers, but no
    truncated score."""
    result = checks.returns.run(ctx, variant(lb, add_points=lambda r, b, p, pts: r.zadd(b, {p: pts})))
    _fails(result, NO_KNOWN_PITFALL)
    assert result.message.startswith("add_points of 7, 5, 0.5 returned [1, 0, 0] (want [7.0, 12.0, 12.5])")


def test_a_score_as_text_fails_returns(ctx: DrillContext) -> None:
    text = variant(lb, add_points=lambda r, b, p, pts: str(lb.add_points(r, b, p, pts)))
    _fails(checks.returns.run(ctx, text), checks.TEXT)


def test_a_zero_based_rank_fails_returns(ctx: DrillContext) -> None:
    zero = variant(lb, rank=lambda r, b, p: r.zrevrank(b, p))
    result = checks.returns.run(ctx, zero)
    _fails(result, checks.RANK_PITFALLS["zero-based"])
    assert result.message == "rank of zed (12.5) and shared_rank of amy (9) returned (1, 3) (want (2, 3))"


def test_a_shared_rank_without_plus_one_fails_returns_naming_the_missing_one(ctx: DrillContext) -> None:
    """Two players above amy, no ties: 2 is a count without its + 1 (a dense rank would be 3 too).

    Before the fix the check called this a dense ranking.
    """
    uncounted = variant(lb, shared_rank=lambda r, b, p: lb.shared_rank(r, b, p) - 1)
    result = checks.returns.run(ctx, uncounted)
    _fails(result, "shared_rank without the + 1: it is the number of players with a higher score, plus 1")
    assert result.message.endswith("returned (2, 2) (want (2, 3))")
    dense = checks.returns.run(ctx, variant(lb, shared_rank=_dense))
    assert dense.status == "pass", dense.message


def test_a_rank_as_a_float_fails_returns(ctx: DrillContext) -> None:
    floats = variant(lb, rank=lambda r, b, p: float(lb.rank(r, b, p) or 0))
    result = checks.returns.run(ctx, floats)
    _fails(result, NO_KNOWN_PITFALL)
    assert "returned (2.0, 3)" in result.message


# --- round trips --------------------------------------------------------------------------------


def test_read_then_write_fails_one_round_trip(ctx: DrillContext) -> None:
    result = checks.one_round_trip.run(ctx, variant(lb, add_points=lb.naive_add_points))
    assert result.status == "fail"
    assert result.message == "add_points took 2 round trips"
    assert result.measured["trips_add_points"] == 2 and result.measured["trips_top"] == 1
    assert result.pitfall == (
        "several round trips per operation: slower, and reads taken from different states; "
        "use one command or one Lua script"
    )


def test_every_operation_off_its_one_round_trip_is_listed(ctx: DrillContext) -> None:
    both = variant(lb, add_points=lb.naive_add_points, rank=lambda r, b, p: 1)
    result = checks.one_round_trip.run(ctx, both)
    assert result.message == "add_points took 2 round trips, rank took 0 round trips"


def test_a_rank_that_asks_nothing_fails_one_round_trip(ctx: DrillContext) -> None:
    result = checks.one_round_trip.run(ctx, variant(lb, rank=lambda r, b, p: 1))
    assert result.status == "fail"
    assert result.message == "rank took 0 round trips"


def test_a_registered_script_counts_one_round_trip_on_its_first_call(ctx: DrillContext) -> None:
    """EVALSHA answered NOSCRIPT and SCRIPT LOAD manage the script cache: not the operation's work."""
    body = (
        f"-- {ctx.ns.run_id}\n"  # a script the server has not seen yet
        "return redis.call('ZCOUNT', KEYS[1], '(' .. redis.call('ZSCORE', KEYS[1], ARGV[1]), '+inf') + 1"
    )
    scripts: dict[int, Any] = {}

    def shared_rank(r: Any, board: str, player: str) -> int:
        script = scripts.setdefault(id(r), r.register_script(body))
        return int(script(keys=[board], args=[player]))

    result = checks.one_round_trip.run(ctx, variant(lb, shared_rank=shared_rank))
    assert result.status == "pass", result.message
    names = [c.name for c in ctx.tracer.commands if c.operation == "check:shared_rank"]
    assert names == ["EVALSHA", "SCRIPT LOAD", "EVALSHA"]  # the cache was cold: the case counted
