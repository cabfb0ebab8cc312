"""Interview mode: recorded candidates through the CLI, scenario lint, bad and hostile answers, follow-up."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "interviews"
SCENARIOS = sorted(p.stem for p in (ROOT / "interviews").glob("*.yaml"))


def _graded(invoke: Any, scenario: str, answers: Path, *extra: str) -> dict[str, Any]:
    result = invoke("interview", "run", scenario, "--answers", str(answers), "--json", *extra)
    assert result.exit_code == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_six_scenarios_lint_clean_and_are_listed(invoke: Any) -> None:
    assert len(SCENARIOS) == 6
    lint = invoke("interview", "lint")
    assert lint.exit_code == 0, lint.stdout
    assert "6 scenario file(s), 6 valid: ok" in lint.stdout
    listed = invoke("interview", "list", "--json")
    assert sorted(row["scenario"] for row in json.loads(listed.stdout)) == SCENARIOS


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_recorded_strong_candidate_scores_at_least_90_and_weak_at_most_40(
    invoke: Any, scenario: str, quiz_store: Path
) -> None:
    strong = _graded(invoke, scenario, EXAMPLES / f"{scenario}-strong.yaml")
    weak = _graded(invoke, scenario, EXAMPLES / f"{scenario}-weak.yaml")
    assert strong["percent"] >= 90, strong["points"]
    assert weak["percent"] <= 40, weak["points"]
    ran = [p for p in weak["points"] if p["checked"] == "ran"]
    assert ran and not all(p["score"] == 1 for p in ran), "the weak design must fail a run check"
    for missed in weak["missed"]:
        assert missed["cards"] and (ROOT / "drills" / missed["drill"] / "drill.yaml").is_file()
    assert set(weak["reviewed"]) == {c for m in weak["missed"] for c in m["cards"]}


def test_missed_points_make_their_cards_due_in_the_next_quiz(invoke: Any, quiz_store: Path) -> None:
    from redisprep.quiz.deck import load_decks
    from redisprep.quiz.planner import Selection, build_queue
    from redisprep.quiz.store import Store

    weak = _graded(invoke, "ticket-reservation", EXAMPLES / "ticket-reservation-weak.yaml")
    missed = {c for m in weak["missed"] for c in m["cards"]}
    cards = [c for d in load_decks([ROOT / "flashcards"]) for c in d.cards]
    later = datetime.now(timezone.utc) + timedelta(minutes=15)
    with Store(quiz_store) as store:
        queue = build_queue(store, cards, Selection(new_per_day=0), later)
        logged = [row for row in store.logs() if row.card in missed]
    assert {q.card.id for q in queue if q.reason == "due"} == missed
    assert {row.rating for row in logged} == {1} and len(logged) == len(missed)


def test_the_hot_key_remedy_chosen_is_measured_on_the_cluster_simulation(invoke: Any) -> None:
    import re

    strong = _graded(invoke, "product-cache", EXAMPLES / "product-cache-strong.yaml", "--no-review")
    weak = _graded(invoke, "product-cache", EXAMPLES / "product-cache-weak.yaml", "--no-review")
    good = next(p["detail"] for p in strong["points"] if p["id"] == "hot-key")
    bad = next(p["detail"] for p in weak["points"] if p["id"] == "hot-key")
    base = int(re.findall(r"node served (\d+)% of reads", good)[0])
    relieved = int(re.findall(r"busiest node served (\d+)%", good)[0])
    assert relieved < base, good
    assert f"served {base}% of reads; this remedy leaves that key on one node" in bad


def test_no_review_leaves_the_quiz_store_alone(invoke: Any, quiz_store: Path) -> None:
    _graded(invoke, "leaderboard", EXAMPLES / "leaderboard-weak.yaml", "--no-review")
    assert not quiz_store.exists()


def test_malformed_scenario_is_reported_with_file_and_line(invoke: Any, tmp_path: Path) -> None:
    folder = tmp_path / "interviews"
    folder.mkdir()
    text = (ROOT / "interviews" / "leaderboard.yaml").read_text()
    broken = text.replace("cards: [lb-my-rank, lb-complexity-zrevrank]", "cards: [lb-no-such-card]")
    broken = broken.replace("check: {dive: hot-key}", "check: {dive: no-such-dive}")
    (folder / "leaderboard.yaml").write_text(broken)
    cache = (ROOT / "interviews" / "product-cache.yaml").read_text()
    magic = cache.replace("remedies: {a: none, b: cache, c: none}", "remedies: {a: none, b: magic, c: none}")
    (folder / "product-cache.yaml").write_text(magic)
    magic_line = next(i for i, ln in enumerate(magic.splitlines(), 1) if "b: magic" in ln)
    result = invoke("interview", "lint", str(folder))
    assert result.exit_code == 3
    lines = broken.splitlines()
    rank_line = next(i for i, ln in enumerate(lines, 1) if ln.strip() == "- id: rank")
    assert f"leaderboard.yaml:{rank_line}: no flashcard with id 'lb-no-such-card'" in result.stdout
    assert "dive target 'no-such-dive' is not one of" in result.stdout
    assert f"product-cache.yaml:{magic_line}: b: 'magic' is not one of none, cache, copies" in result.stdout
    (folder / "product-cache.yaml").unlink()
    (folder / "leaderboard.yaml").write_text(text.replace("minutes: 15", "minutes: soon"))
    result = invoke("interview", "lint", str(folder))
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "minutes: 15" in ln)
    assert (
        result.exit_code == 3
        and f"leaderboard.yaml:{line}: 'minutes' must be a positive number" in result.stdout
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("format_version: 1\nscenario: leaderboard\nestimate:\n  memory: lots\n", ":4: 'memory': 'lots'"),
        ("format_version: 1\nscenario: leaderboard\nanwsers: {}\n", ":3: unknown field 'anwsers'"),
        ("format_version: 1\nscenario: product-cache\n", ":2: answers are for 'product-cache'"),
        ("format_version: 1\nscenario: leaderboard\ndata_model:\n  operations:\n    add: 'ZADD \"x\n", ":5:"),
        ("format_version: 1\nscenario: [oops\n", ":2: YAML syntax"),
    ],
)
def test_bad_answers_file_gives_one_error_line_and_exit_3(
    invoke: Any, tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(text)
    result = invoke("interview", "run", "leaderboard", "--answers", str(path))
    assert result.exit_code == 3
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert f"{path}{expected}" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_unknown_scenario_is_a_usage_error(invoke: Any) -> None:
    result = invoke("interview", "run", "leaderbord", "--answers", str(EXAMPLES / "leaderboard-strong.yaml"))
    assert result.exit_code == 2 and "did you mean 'leaderboard'" in result.stderr


HOSTILE = """format_version: 1
scenario: leaderboard
data_model:
  keys: {board: lb, queue: q}
  operations:
    add:
      - SET victim stolen
      - DEL victim
      - FLUSHALL
      - KEYS *
      - ZINCRBY {board} {points} {player}
    top: ZRANGE {board} 0 {stop} REV
    rank: RANK_LOOP
"""


@pytest.mark.live
@pytest.mark.parametrize(
    ("rank", "stopped"),
    [
        # the script limit stops it after about a second; on a loaded machine the 2 s stall watch
        # may get there first: either way it is stopped and said so
        ('EVAL "while true do end" 0', r"ran too long and was stopped|did not answer within 2 s"),
        ("BLPOP {queue} 0", r"did not answer within 2 s"),
    ],
)
def test_hostile_answers_touch_no_foreign_key_and_do_not_hang(
    invoke: Any, tmp_path: Path, fresh_server: Any, rank: str, stopped: str
) -> None:
    import redis

    user = redis.Redis.from_url(fresh_server.url, decode_responses=True)
    user.set("victim", "keep")
    user.config_resetstat()  # the suite's own server: count only what the interview sends
    path = tmp_path / "hostile.yaml"
    path.write_text(HOSTILE.replace("RANK_LOOP", rank))
    env = {"REDISPREP_URL": fresh_server.url, "REDIS_URL": fresh_server.url}
    result = invoke(
        "interview", "run", "leaderboard", "--answers", str(path), "--no-review", "--json", env=env
    )
    assert result.exit_code == 0, result.stderr
    working = "\n".join(json.loads(result.stdout)["working"])
    assert "refused (not sent): SET: literal key 'victim'" in working
    assert re.search(stopped, working), working
    assert user.get("victim") == "keep" and user.dbsize() == 1
    stats = user.info("commandstats")
    called = {k.split("_", 1)[1] for k in stats}
    if "config" in called:  # before 7.0, one count for every CONFIG subcommand: only our RESETSTAT
        assert stats["cmdstat_config"]["calls"] == 1, stats["cmdstat_config"]
        called = (called - {"config"}) | {"config|resetstat"}
    assert called <= {"get", "dbsize", "info", "config|resetstat"}, called


def test_export_md_is_a_transcript_for_a_mentor(invoke: Any) -> None:
    result = invoke(
        "interview",
        "run",
        "payment-ledger",
        "--answers",
        str(EXAMPLES / "payment-ledger-weak.yaml"),
        "--export",
        "md",
        "--no-review",
    )
    assert result.exit_code == 0
    text = result.stdout
    assert text.startswith("# Interview: Payment ledger rebuilt from events")
    assert "| log-not-pubsub | 0 | static |" in text and "checked statically" in text
    assert (
        "## To study" in text
        and "`ps-delivery-guarantee`" in text
        and "redisprep drill pubsub-vs-streams" in text
    )
    html = invoke(
        "interview",
        "run",
        "payment-ledger",
        "--answers",
        str(EXAMPLES / "payment-ledger-weak.yaml"),
        "--export",
        "html",
        "--no-review",
    )
    assert (
        html.exit_code == 0 and html.stdout.startswith("<!DOCTYPE html>") and "log-not-pubsub" in html.stdout
    )


def test_pass_mark_fails_a_weak_candidate(invoke: Any) -> None:
    weak = EXAMPLES / "product-cache-weak.yaml"
    result = invoke(
        "interview", "run", "product-cache", "--answers", str(weak), "--pass-mark", "60", "--no-review"
    )
    assert result.exit_code == 1 and "score: 12%" in result.stdout
