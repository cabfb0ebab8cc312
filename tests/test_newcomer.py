"""What a newcomer types, at 80 columns, and what they should see (issue 17)."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from redisprep.cli import app
from redisprep.cli._context import AppContext

ROOT = Path(__file__).resolve().parent.parent


def typed(*args: str, env: dict[str, str] | None = None) -> Any:
    """Run ``redisprep ARGS`` as typed in an 80-column terminal: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    obj = AppContext(
        console=Console(file=out, width=80, color_system=None, highlight=False),
        err_console=Console(file=err, width=80, color_system=None, highlight=False),
    )
    result = CliRunner().invoke(app, list(args), obj=obj, env={"COLUMNS": "80", **(env or {})})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, out.getvalue() + result.stdout, err.getvalue() + result.stderr


def test_explain_shows_simple_string_replies_as_redis_sends_them() -> None:
    for command, reply in (("SET a b", "OK"), ("PING", "PONG"), ("MSET a 1 b 2", "OK")):
        code, out, err = typed("explain", command)
        assert code == 0, err
        (line,) = [ln for ln in out.splitlines() if " reply " in ln]
        assert line.split("reply", 1)[1].strip(" │") == reply, line
    code, out, _ = typed("explain", "SET a b GET")
    assert code == 0 and "(integer)" not in out


def test_practice_check_works_inside_the_folder_start_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = typed("practice", "start", "leaderboard", "mine")
    assert code == 0, err
    shutil.copy(
        ROOT / "redisprep" / "drills" / "leaderboard" / "reference.py", tmp_path / "mine" / "leaderboard.py"
    )
    monkeypatch.chdir(tmp_path / "mine")
    code, out, err = typed("practice", "check", "leaderboard")
    assert code == 0, err + out


def _row(out: str, label: str) -> str:
    """The text of one row of explain's panel (its first line)."""
    (line,) = [ln for ln in out.splitlines() if ln.startswith(f"│ {label} ")]
    return line.split(label, 1)[1].strip(" │")


@pytest.mark.parametrize(
    ("command", "work"),
    [
        ("XAUTOCLAIM s g c 0 0-0 COUNT 25", "C = 25 ≈ 25 steps"),
        ("XAUTOCLAIM s g c 0 0-0", "C = 100 ≈ 100 steps"),
        ("BITFIELD bf GET u8 0 SET u8 8 1 INCRBY u8 16 1", "items = 3 ≈ 3 steps"),
        ("SCAN 0 COUNT 1000", "C = 1000 ≈ 1,000 steps"),
        ("SCAN 0", "C = 10 ≈ 10 steps"),
    ],
)
def test_cost_formulas_use_the_parameters_given(command: str, work: str) -> None:
    code, out, err = typed("explain", command)
    assert code == 0, err
    assert _row(out, "work").startswith(work), _row(out, "work")
    if command.startswith("SCAN"):
        assert "a complete iteration is O(N)" in " ".join(out.replace("│", " ").split())


def test_a_one_element_key_is_not_one_elements() -> None:
    code, out, err = typed("explain", "SETBIT bm 7 1")
    assert code == 0, err
    assert "string, 1 byte," in out and "1 bytes" not in out


def test_lock_drill_quotes_the_installed_redis_py_token(tmp_path: Path) -> None:
    import redis.lock

    source = Path(redis.lock.__file__).read_text(encoding="utf-8")
    kind = "uuid4" if "uuid.uuid4()" in source else "uuid1" if "uuid.uuid1()" in source else None
    code, out, err = typed("drill", "lock")
    assert code == 0, err
    assert kind is not None and f"{kind} hex" in out
    assert {"uuid1", "uuid4"} - {kind} & set(out.split()) == set()


def test_sets_drill_caveat_names_the_running_fakeredis() -> None:
    import fakeredis

    code, out, err = typed("drill", "sets")
    assert code == 0, err
    flat = " ".join(out.replace("│", " ").split())
    assert "WRONGTYPE" in flat and f"fakeredis {fakeredis.__version__}" in flat
    assert "fakeredis 2.40 answers" not in flat


def test_sorted_sets_checks_repeat_under_one_seed() -> None:
    from redisprep.backends import connect
    from redisprep.drills.context import DrillContext
    from redisprep.drills.sorted_sets import checks
    from redisprep.drills.sorted_sets import reference as sorted_sets

    backend = connect(None)
    runs = []
    for _ in range(2):
        ctx = DrillContext.create(backend, seed=0)
        runs.append(checks.fill(ctx, sorted_sets, ctx.key("zset", "jobs", "order"), 20))
    assert runs[0] == runs[1]


def test_embedded_time_series_says_it_is_fakeredis_emulation() -> None:
    code, out, err = typed("drill", "time-series")
    assert code == 0, err
    flat = " ".join(out.replace("│", " ").split())
    assert "fakeredis's emulation, not RedisTimeSeries" in flat


def test_modelled_list_memory_is_close_to_memory_usage(module_server: Any) -> None:
    import json

    import redis

    from redisprep.explain.fill import fill_key

    code, out, err = typed("explain", "LLEN l", "--fill", "10000", "--json")
    assert code == 0, err
    modelled = json.loads(out)["keys"]["l"]["before"]["memory"]
    r = redis.Redis.from_url(module_server.url, decode_responses=True)
    try:
        fill_key(r, "newcomer:l", "list", 10000)
        actual = int(r.execute_command("MEMORY USAGE", "newcomer:l", "SAMPLES", "0"))
    finally:
        r.delete("newcomer:l")
        r.close()
    assert abs(modelled - actual) / actual < 0.05, (modelled, actual)


def test_explain_of_a_misspelt_drill_suggests_the_drill() -> None:
    code, _, err = typed("explain", "leaderbord")
    assert code == 2
    assert "did you mean the drill 'leaderboard'" in " ".join(err.split())
    assert err.count("error:") == 1


def test_quiz_stats_on_a_fresh_home_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("REDISPREP_HOME", str(home))
    monkeypatch.delenv("REDISPREP_QUIZ_STORE", raising=False)
    code, out, err = typed("quiz", "stats")
    assert code == 0, err
    assert "new (never seen)" in out
    assert not home.exists() or not any(home.rglob("*"))


def test_clean_says_it_spared_a_young_run_and_how_to_override(module_server: Any) -> None:
    import redis

    from redisprep.backends import Namespace
    from redisprep.cleanup import mark_run

    r = redis.Redis.from_url(module_server.url)
    ns = Namespace.new()
    mark_run(r, ns, "drill leaderboard")
    r.set(ns.key("left", "behind"), "x")
    try:
        code, out, err = typed("clean", "--url", module_server.url)
        assert code == 0, err
        flat = " ".join(out.split())
        assert "spared 1 run that started less than 60 s ago" in flat
        assert "redisprep clean --older-than 0" in flat
        code, out, err = typed("clean", "--url", module_server.url, "--older-than", "0")
        assert code == 0 and r.exists(ns.key("left", "behind")) == 0
    finally:
        r.delete(ns.marker, ns.key("left", "behind"))
        r.close()


def test_hot_key_cluster_without_url_says_it_simulates() -> None:
    code, _, err = typed("drill", "hot-key", "--cluster")
    assert code == 0, err
    flat = " ".join(err.split())
    assert "simulated in this process" in flat and "redisprep cluster up" in flat


def test_a_server_that_needs_a_password_gets_the_hint(fresh_server: Any) -> None:
    import redis

    r = redis.Redis(port=fresh_server.port)
    r.execute_command("CONFIG", "SET", "requirepass", "s3cret-newcomer")  # a server this test started
    r.close()
    url = f"redis://127.0.0.1:{fresh_server.port}"
    code, out, err = typed("drill", "leaderboard", "--url", url)
    assert code == 4
    assert err.count("error:") == 1 and "the server needs a password" in err
    assert "redis://:PASSWORD@host:port" in " ".join(err.split())
    assert "s3cret" not in out + err


@pytest.mark.usefixtures("quiz_store")
def test_quiz_limit_bounds_the_session_and_the_counter_is_honest(tmp_path: Path) -> None:
    from test_quiz_session import GOOD, RIGHT, T0

    data = tmp_path / "data"
    (data / "flashcards").mkdir(parents=True)
    args = ["--data-dir", str(data), "quiz", "--deck-dir", str(GOOD), "--seed", "7", "--limit", "5"]
    out = io.StringIO()
    obj = AppContext(
        console=Console(file=out, width=80, color_system=None, highlight=False),
        err_console=Console(file=io.StringIO(), width=80),
    )
    answers = "".join(a + "\n" for a in RIGHT + RIGHT)  # every card could come back once
    result = CliRunner().invoke(app, [*args, "--now", T0.isoformat()], obj=obj, input=answers)
    text = out.getvalue() + result.stdout
    assert result.exit_code == 0, text
    shown = [f"{i}/5" for i in range(1, 6)]
    assert all(s in text for s in shown)
    assert "6/" not in text and "/6" not in text
    assert "5 reviewed" in text


def test_drill_all_quiet_is_one_table_with_every_name_whole() -> None:
    from redisprep.drills import drill_names

    code, out, err = typed("drill", "all", "--quiet")
    assert code == 0, err
    names = drill_names(None)
    rows = [ln for ln in out.splitlines() if ln.startswith("│ ✔")]
    assert [r.split()[2] for r in rows] == list(names)  # whole names, catalog order, at 80 columns
    assert all(ln.rstrip().endswith("│") and "/" in ln for ln in rows)
    assert f"{len(names)} of {len(names)} drills came out as expected" in out
    assert len(out.splitlines()) < len(names) + 10


@pytest.mark.parametrize("name", ["time-series", "cache", "lists"])
def test_at_80_columns_titles_and_operation_names_are_whole(name: str) -> None:
    from redisprep.drills import get_drill

    code, out, err = typed("drill", name)
    assert code == 0, err
    lines = out.splitlines()
    assert get_drill(name).meta.title in lines[0]
    costs = lines[next(i for i, ln in enumerate(lines) if ln.startswith("what each operation cost")) :]
    table = costs[: next(i for i, ln in enumerate(costs) if ln.startswith("└"))]
    assert not [ln for ln in table if "…" in ln]
    assert not [ln for ln in lines if re.search(r"(?<![\d,])1 (commands|elements|bytes)\b", ln)]


def test_practice_list_at_80_columns_cuts_no_name() -> None:
    code, out, err = typed("practice", "list")
    assert code == 0, err
    assert "…" not in out and "event-sourcing" in out


def _command_paths() -> list[list[str]]:
    """Every command and group, as a user types it (each loaded the way it is when it runs)."""
    import typer

    from redisprep.cli.main import app

    paths: list[list[str]] = []
    stack: list[tuple[list[str], Any]] = [([], typer.main.get_command(app))]
    while stack:
        path, cmd = stack.pop(0)
        paths.append(path)
        if hasattr(cmd, "list_commands"):
            ctx = cmd.make_context(" ".join(["redisprep", *path]), [], resilient_parsing=True)
            stack += [([*path, n], cmd.get_command(ctx, n)) for n in cmd.list_commands(ctx)]
    return paths


@pytest.mark.parametrize("path", _command_paths(), ids=lambda p: " ".join(p) or "redisprep")
def test_every_help_shows_real_examples(path: list[str]) -> None:
    import itertools
    import shlex

    code, out, err = typed(*path, "--help")
    assert code == 0, err
    assert "Example" in out, f"redisprep {' '.join(path)} --help has no example"
    examples = [
        ln.strip() for ln in out.split("Example", 1)[1].splitlines() if ln.strip().startswith("redisprep ")
    ]
    assert examples
    for example in examples:
        words = shlex.split(example.split("  (")[0].split(" < ")[0])[1:]
        head = list(itertools.takewhile(lambda w: not w.startswith("-"), words))
        code, _, err = typed(*head, "--help")  # the command it names exists and parses
        assert code == 0, f"{example}: {err}"


def test_readme_says_where_progress_lives_and_its_backup_line_works(tmp_path: Path) -> None:
    import sqlite3
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "$REDISPREP_HOME" in readme and "progress.sqlite3" in readme and "export REDISPREP_HOME=" in readme
    line = next(ln for ln in readme.splitlines() if ln.startswith('python3 -c "import sqlite3'))
    code = line.split('"')[1]
    store, copy = tmp_path / "progress.sqlite3", tmp_path / "copy.sqlite3"
    with sqlite3.connect(store) as db:
        db.execute("create table t (x)")
        db.execute("insert into t values (42)")
    subprocess.run([sys.executable, "-c", code, str(store), str(copy)], check=True)
    with sqlite3.connect(copy) as db:
        assert db.execute("select x from t").fetchall() == [(42,)]


def test_bench_redirected_writes_nothing_on_stderr() -> None:
    args = ("bench", "--requests", "100", "--players", "0", "--queries", "10", "--connections", "2")
    code, out, err = typed(*args, "--no-redis-benchmark")
    assert code == 0, err
    assert err == "" and "SET" in out
