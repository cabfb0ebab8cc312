"""Quiz benchmark: first card on screen, loading 5,000 generated cards, and recording one review.

1. `redisprep quiz` with every shipped deck: whole process until the first card is drawn (a
   subprocess whose input ends there), and the same in-process (load + plan + render, no start-up).
2. Loading 5,000 generated cards of every kind from 10 deck files (target: under 0.5 s).
3. Recording one review in the SQLite store (one transaction, on disk).

Usage: python scripts/bench_quiz.py [--runs N] [--data-dir DIR]  (DIR holds flashcards/; default: shipped)
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from redisprep import resources  # noqa: E402
from redisprep.quiz.deck import deck_files, load_decks  # noqa: E402

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)
TARGET_5K_S = 0.5

_KINDS = [
    "    kind: basic\n    back: The server runs one command at a time.\n",
    "    kind: choice\n    choices: [ZRANK, ZREVRANK, ZSCORE]\n    answer: ZREVRANK\n",
    "    kind: typed\n    answer: '128'\n    accept: [one hundred twenty-eight]\n",
    "    kind: command\n    setup: ['ZADD lb 100 alice']\n    answer: ZINCRBY lb 5 alice\n"
    "    expect:\n      state:\n        - ['ZSCORE lb alice', '105']\n",
    "    kind: predict\n    predict: reply\n    setup: ['ZADD lb 100 alice']\n"
    "    command: ZADD lb 150 alice 90 bob\n    answer: 1\n",
]


def generate(folder: Path, cards: int, files: int = 10) -> None:
    """Write ``cards`` cards of every kind, spread over ``files`` deck files."""
    per = cards // files
    for f in range(files):
        body = []
        for i in range(per):
            n = f * per + i
            body.append(
                f"  - id: gen-{n}\n    tags: [generated, t{n % 7}]\n"
                f"    front: Generated question number {n} about `ZADD` and friends?\n"
                f"    explanation: Generated explanation {n}, long enough to look like a real one.\n"
                + _KINDS[n % len(_KINDS)]
            )
        text = f"format_version: 1\ndeck: gen-{f}\ntitle: Generated {f}\ncards:\n" + "".join(body)
        (folder / f"gen-{f}.yaml").write_text(text)


def median_s(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``fn()`` over ``runs`` calls (after one warm-up)."""
    fn()
    wall, cpu = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def median_process_s(argv: list[str], runs: int) -> tuple[float, float]:
    """Median wall and CPU (user + system) seconds of a whole process, stdin closed."""

    def child_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, check=True)
    wall, cpu = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), child_cpu()
        subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, check=True)
        wall.append(time.perf_counter() - w)
        cpu.append(child_cpu() - c)
    return statistics.median(wall), statistics.median(cpu)


def first_card_in_process(shipped: Path, store: Path) -> None:
    """Load the shipped decks, plan the session and draw the first card (no interpreter start-up)."""
    from rich.console import Console

    from redisprep.quiz.planner import Selection, build_queue, select_cards
    from redisprep.quiz.session import Progress
    from redisprep.quiz.store import Store
    from redisprep.render.quiz import card_panel

    cards = select_cards(load_decks([shipped]), Selection())
    with Store(store) as progress:
        queue = build_queue(progress, cards, Selection(), T0)
    console = Console(file=io.StringIO(), width=100)
    if queue:
        console.print(card_panel(queue[0], Progress(1, len(queue), 0, 0), queue[0].card.choices))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--data-dir", type=Path, default=None, help="a folder with flashcards/ in it")
    args = parser.parse_args()
    shipped = resources.flashcards_dir(args.data_dir)
    files = deck_files([shipped])
    decks = load_decks([shipped])
    cards = [c for d in decks for c in d.cards]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    machine = platform.processor() or platform.machine()
    print(
        f"quiz benchmark ({machine}, {os.cpu_count()} cores, load average {load}, "
        f"Python {platform.python_version()})"
    )
    print("medians; wall time is what you wait, CPU time is this process's own work (less noisy)")
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        first = cards[0].kind if cards else "none"
        print(f"1. shipped decks: {len(files)} files, {len(cards)} cards (first card: {first})")
        data = ["--data-dir", str(args.data_dir)] if args.data_dir else []
        argv = [sys.executable, "-m", "redisprep", *data, "quiz", "--store", str(tmpdir / "a.sqlite3")]
        argv += ["--now", T0.isoformat(), "--limit", "1"]
        wall, cpu = median_process_s(argv, args.runs)
        print(f"   `redisprep quiz` until the first card is drawn, whole process: {_ms(wall, cpu)}")
        wall, cpu = median_s(lambda: first_card_in_process(shipped, tmpdir / "b.sqlite3"), args.runs)
        print(f"   load decks + plan + draw the first card, in process:         {_ms(wall, cpu)}")

        gen = tmpdir / "gen"
        gen.mkdir()
        generate(gen, 5000)
        loaded = sum(len(d.cards) for d in load_decks([gen]))
        wall, cpu = median_s(lambda: load_decks([gen]), max(5, args.runs // 2))
        verdict = "under" if wall < TARGET_5K_S else "OVER"
        print(f"2. load {loaded} generated cards (10 files, every kind): {_ms(wall, cpu)}")
        print(f"   wall time is {verdict} the {TARGET_5K_S:g} s target")

        from redisprep.quiz.scheduler import Rating
        from redisprep.quiz.store import Store

        with Store(tmpdir / "c.sqlite3") as store:
            sched, wall_s, cpu_s = store.scheduler, [], []
            for i in range(200):
                when = T0 + timedelta(minutes=i)
                w, c = time.perf_counter(), time.process_time()
                store.record(f"card-{i % 50}", lambda s, w=when: sched.review("x", s, Rating.GOOD, w), True)
                wall_s.append(time.perf_counter() - w)
                cpu_s.append(time.process_time() - c)
        print(
            f"3. record one review (one SQLite transaction, WAL, on disk; 200 reviews): "
            f"{_ms(statistics.median(wall_s), statistics.median(cpu_s), 2)}"
        )


def _ms(wall: float, cpu: float, digits: int = 1) -> str:
    return f"{wall * 1000:.{digits}f} ms wall, {cpu * 1000:.{digits}f} ms CPU"


if __name__ == "__main__":
    main()
