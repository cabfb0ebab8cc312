"""``redisprep quiz [OPTIONS] | quiz stats | quiz lint PATH``: spaced-repetition flashcards."""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from redisprep.cli._backend import open_backend
from redisprep.cli._context import AppContext
from redisprep.cli._errors import handle_errors
from redisprep.cli._options import JsonOption
from redisprep.errors import BadUsageError, ExitCode

if TYPE_CHECKING:
    from redisprep.quiz.deck_cache import DeckCache
    from redisprep.quiz.model import Deck
    from redisprep.release import Release

app = typer.Typer(
    name="quiz",
    invoke_without_command=True,
    no_args_is_help=False,
)

DeckDirOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--deck-dir",
        help="Also load the decks (*.yaml) in this folder; repeatable. $REDISPREP_DECKS adds more "
        "(separated by the path separator).",
        exists=True,
        file_okay=False,
        show_default=False,
        metavar="DIR",
    ),
]
StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help="The progress file (SQLite). Default: $REDISPREP_QUIZ_STORE, else progress.sqlite3 in "
        "the user data folder ($REDISPREP_HOME, else ~/.local/share/redisprep on Linux).",
        dir_okay=False,
        show_default=False,
        metavar="FILE",
    ),
]
NowOption = Annotated[
    str | None,
    typer.Option("--now", hidden=True, help="Pretend the session starts at this ISO time (tests, scripts)."),
]


@app.callback()
@handle_errors
def quiz(
    ctx: typer.Context,
    deck: Annotated[
        list[str] | None,
        typer.Option("--deck", "-d", help="Only this deck; repeatable.", show_default=False, metavar="DECK"),
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option(
            "--tag",
            "-t",
            help="Only cards with this tag; repeatable (any of them).",
            show_default=False,
            metavar="TAG",
        ),
    ] = None,
    drill: Annotated[
        list[str] | None,
        typer.Option(
            "--drill",
            help="Only cards that this drill shows for real (what 'redisprep drill NAME' ends by "
            "pointing to); repeatable.",
            show_default=False,
            metavar="NAME",
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            "-n",
            min=1,
            help="At most this many reviews, cards that come back included.",
            metavar="N",
        ),
    ] = None,
    cram: Annotated[
        bool, typer.Option("--cram", help="Review every matching card, due or not, without recording.")
    ] = False,
    interview: Annotated[
        datetime | None,
        typer.Option(
            "--interview",
            formats=["%Y-%m-%d"],
            help="Your interview date (YYYY-MM-DD): cards you would recall least on that day come first, "
            "and enough new cards are started each day to see them all by then.",
            show_default=False,
            metavar="DATE",
        ),
    ] = None,
    new: Annotated[
        int | None,
        typer.Option("--new", min=0, help="New cards to start per day [default: 20].", metavar="N"),
    ] = None,
    deck_dir: DeckDirOption = None,
    store: StoreOption = None,
    seed: Annotated[
        int | None, typer.Option(help="Seed the order of choices (repeatable runs).", metavar="N")
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            help="The server you prepare for: where an answer differs between releases (encodings, "
            "reply shapes), the quiz asks for this server's. Only INFO server is sent; your commands "
            "still run on the embedded server. Default: Redis 7.0, which the embedded server imitates.",
            show_default=False,
            metavar="URL",
        ),
    ] = None,
    now: NowOption = None,
) -> None:
    """Flashcards you are about to forget, judged for real and scheduled with FSRS.

    On a terminal, ratings and choices take one key press; typed answers and Redis commands take a
    line (Ctrl-D or q stops; every review already answered is saved). Without a terminal, each answer
    is one line of standard input, so a session can be scripted. Command cards run your command on a
    fresh embedded server, never on your Redis.

    Examples:

    \b
        redisprep quiz
        redisprep quiz --deck sorted-sets --limit 10
        redisprep quiz --interview 2025-06-30
        redisprep quiz --cram --tag leaderboard
        redisprep quiz --drill lock
        redisprep quiz --tag encoding --url redis://localhost:6379
        redisprep quiz --limit 5 < answers.txt
    """
    if ctx.invoked_subcommand is not None:
        return
    app_ctx: AppContext = ctx.obj
    from redisprep.cli._quiz_io import TerminalIO
    from redisprep.quiz.deck_cache import DeckCache, default_cache_path
    from redisprep.quiz.planner import Selection, build_queue, select_cards
    from redisprep.quiz.session import Session, check_card
    from redisprep.quiz.store import Store, default_store_path
    from redisprep.render.quiz import summary_view

    start, clock = _clock(now)
    release = _release(url)
    selection = Selection(
        tuple(deck or ()),
        tuple(tag or ()),
        limit,
        cram,
        _interview(interview, start),
        new_per_day=new,
        drills=tuple(drill or ()),
    )
    parsed = DeckCache(default_cache_path())
    cards = select_cards(_decks(app_ctx, deck_dir, parsed), selection)
    with Store(store or default_store_path()) as progress:
        queue = build_queue(progress, cards, selection, start)
        io = TerminalIO(app_ctx.console, sys.stdin, release=release)
        session = Session(
            queue,
            io,
            progress.scheduler,
            None if cram else progress,
            clock,
            seed,
            release=release,
            limit=limit,
        )
        session.check = parsed.remembering(check_card)
        try:
            summary = session.run()
        finally:
            parsed.save()
    app_ctx.console.print()
    app_ctx.console.print(summary_view(summary, clock()))


@app.command("stats")
@handle_errors
def stats(
    ctx: typer.Context,
    deck_dir: DeckDirOption = None,
    store: StoreOption = None,
    json_out: JsonOption = False,
    now: NowOption = None,
) -> None:
    """Due today, reviews done, retention, and a 14-day forecast of what falls due.

    Example:

    \b
        redisprep quiz stats
    """
    app_ctx: AppContext = ctx.obj

    from redisprep.quiz.deck_cache import DeckCache, default_cache_path
    from redisprep.quiz.stats import compute_stats
    from redisprep.quiz.store import Store, default_store_path
    from redisprep.render.quiz import stats_view

    moment, _ = _clock(now)
    # A read-only command writes nothing: no cache file and no progress store where none exist yet.
    cache = DeckCache(default_cache_path()) if default_cache_path().exists() else None
    cards = [c for d in _decks(app_ctx, deck_dir, cache) for c in d.cards]
    path = store or default_store_path()
    if not path.exists():
        figures = compute_stats(cards, {}, [], moment)
    else:
        with Store(path) as progress:
            figures = compute_stats(cards, progress.states(), progress.logs(), moment)
    if json_out:
        app_ctx.console.print_json(json.dumps(dataclasses.asdict(figures), default=str))
        return
    app_ctx.console.print(stats_view(figures))


@app.command("lint")
@handle_errors
def lint(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(help="Deck files or folders of decks.", metavar="PATH...", show_default=False),
    ],
) -> None:
    """Check decks: YAML, fields, kinds, unique ids, and every command card's answer run for real.

    Problems are printed as file:line: problem; the exit code is 3 when there is any.

    Example:

    \b
        redisprep quiz lint flashcards/
    """
    app_ctx: AppContext = ctx.obj
    from redisprep import resources
    from redisprep.quiz.lint import lint as run_lint
    from redisprep.render.quiz import lint_view

    report = run_lint(paths, resources.drills_dir(app_ctx.data_dir))
    app_ctx.console.print(lint_view(report), soft_wrap=True, highlight=False)
    if not report.ok:
        raise typer.Exit(int(ExitCode.DATA))


def _decks(app_ctx: AppContext, deck_dir: list[Path] | None, cache: DeckCache | None) -> tuple[Deck, ...]:
    from redisprep import resources
    from redisprep.quiz.deck import extra_deck_dirs, load_decks

    shipped = resources.flashcards_dir(app_ctx.data_dir)
    folders = [shipped] if shipped.is_dir() else []  # a --data-dir may hold only drills
    return load_decks([*folders, *(deck_dir or ()), *extra_deck_dirs()], cache)


def _release(url: str | None) -> Release:
    """The release of the server at ``url`` (read with INFO server), else the embedded one's."""
    from redisprep.release import EMBEDDED

    if url is None:
        return EMBEDDED
    with open_backend(url) as backend:
        return backend.release


def _clock(now: str | None) -> tuple[datetime, Callable[[], datetime]]:
    """The session's start time and a clock running on from it (``--now`` fixes the start)."""

    if now is None:
        start = datetime.now(timezone.utc)
    else:
        try:
            start = datetime.fromisoformat(now)
        except ValueError:
            raise BadUsageError(
                f"--now must be an ISO time (2025-03-01T09:00:00+00:00), not {now!r}"
            ) from None
        start = (start if start.tzinfo else start.astimezone()).astimezone(timezone.utc)
    began = time.monotonic()
    return start, lambda: start + timedelta(seconds=time.monotonic() - began)


def _interview(day: datetime | None, now: datetime) -> datetime | None:
    """Noon (local) on the interview day, in UTC; it must not be in the past."""

    if day is None:
        return None
    moment = day.replace(hour=12).astimezone().astimezone(timezone.utc)
    if moment.date() < now.astimezone().date():
        raise BadUsageError(f"--interview {day:%Y-%m-%d} is in the past")
    return moment
