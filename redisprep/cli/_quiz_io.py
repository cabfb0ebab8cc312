"""The terminal front end of a quiz session: single keys on a TTY, one line per answer otherwise.

On a terminal, ratings, choices and "reveal" take one key press (no Enter); typed answers and
commands are read as a line. Without a terminal (a pipe, a script, a test), every answer is one
line of standard input, a basic card is revealed at once, and the end of input ends the session.
"""

from __future__ import annotations

import os
import select
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import TextIO

from rich.console import Console

from redisprep.quiz.judge import Judgement
from redisprep.quiz.planner import QueueItem
from redisprep.quiz.scheduler import Rating
from redisprep.quiz.session import Progress
from redisprep.release import EMBEDDED, Release
from redisprep.render import quiz as view

_QUIT_KEYS = {"q", "Q", "\x04", "\x1b"}  # q, Ctrl-D, Esc
_RATING_WORDS = {r.name.lower(): r for r in Rating} | {r.name[0].lower(): r for r in Rating}


def read_key(stream: TextIO) -> str:
    """One key press from a terminal, without waiting for Enter (Ctrl-C still interrupts)."""
    if sys.platform == "win32":
        import msvcrt

        return str(msvcrt.getwch())  # type: ignore[attr-defined,unused-ignore]
    import termios
    import tty

    fd = stream.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd, termios.TCSANOW)  # TCSANOW: keep keys pressed before we got here
        return _one_key(fd)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def _one_key(fd: int) -> str:
    """Read one key, leaving later keys unread; an escape sequence (arrow keys) comes back empty."""

    first = os.read(fd, 1)
    if first == b"\x1b":
        rest = b""
        while select.select([fd], [], [], 0.02)[0]:
            rest += os.read(fd, 1)
        return "" if rest else "\x1b"
    extra = 3 if first >= b"\xf0" else 2 if first >= b"\xe0" else 1 if first >= b"\xc0" else 0
    data = first + (os.read(fd, extra) if extra else b"")
    return data.decode("utf-8", errors="ignore")


class TerminalIO:
    """A :class:`redisprep.quiz.session.SessionIO` on a rich console and a text input stream."""

    def __init__(
        self, console: Console, stdin: TextIO, interactive: bool | None = None, release: Release = EMBEDDED
    ) -> None:
        """Args:
        console: Where cards are drawn.
        stdin: Where answers come from.
        interactive: Single-key input; by default when ``stdin`` is a terminal.
        release: The server the learner prepares for (named on version-dependent cards).
        """
        self.console = console
        self.stdin = stdin
        self.interactive = _isatty(stdin) if interactive is None else interactive
        self.release = release

    # -- input ------------------------------------------------------------------------------------

    def _line(self, prompt: str) -> str | None:
        if self.interactive:
            try:
                return self.console.input(f"[bold]{prompt}[/] ")
            except EOFError:
                return None
        self.console.print(f"{prompt} ", end="", markup=False, highlight=False)
        line = self.stdin.readline()
        if not line:
            self.console.print()
            return None
        answer = line.rstrip("\r\n")
        self.console.print(answer, markup=False, highlight=False)  # the transcript shows the answer
        return answer

    def _pick(self, prompt: str, options: dict[str, str], shown: str) -> str | None:
        """A key (TTY) or a line (otherwise) that is one of ``options``; None to quit."""
        if self.interactive:
            self.console.print(f"[bold]{prompt}[/] ", end="")
        while True:
            if self.interactive:
                key = read_key(self.stdin)
                if key in _QUIT_KEYS:
                    self.console.print()
                    return None
                if key in options:
                    self.console.print(key)
                    return options[key]
                continue
            line = self._line(prompt)
            if line is None or line.strip().lower() in ("q", "quit"):
                return None
            choice = options.get(line.strip()) or options.get(line.strip().lower())
            if choice is not None:
                return choice
            self.console.print(f"expected {shown}", style="yellow")

    # -- SessionIO --------------------------------------------------------------------------------

    def show_card(self, item: QueueItem, progress: Progress, choices: Sequence[str]) -> None:
        """Draw the question side."""
        self.console.print()
        self.console.print(view.card_panel(item, progress, choices, self.release))
        self.console.print(view.hint(item, choices, self.interactive), style="dim")

    def read_answer(self, item: QueueItem) -> str | None:
        """A typed answer or a command line. On a command card, ``q`` or ``quit`` stops (no Redis
        command is called q, and QUIT would only close the sandbox's connection)."""
        if item.card.kind != "command":
            return self._line("answer>")
        line = self._line("redis>")
        return None if line is not None and line.strip().lower() in ("q", "quit") else line

    def read_choice(self, item: QueueItem, choices: Sequence[str]) -> int | None:
        """The number of a choice (or, without a terminal, its exact text)."""
        options = {str(i): str(i - 1) for i in range(1, len(choices) + 1)}
        if not self.interactive:
            options |= {c: str(i) for i, c in enumerate(choices)}
        picked = self._pick("choice>", options, f"a number from 1 to {len(choices)}")
        return None if picked is None else int(picked)

    def reveal(self, item: QueueItem) -> bool:
        """Wait for a key (on a terminal), then show the back."""
        if self.interactive:
            self.console.print("[bold]press any key to reveal[/] ", end="")
            if read_key(self.stdin) in _QUIT_KEYS:
                self.console.print()
                return False
            self.console.print()
        self.console.print(view.reveal_view(item))
        return True

    def read_rating(self, item: QueueItem, preview: dict[Rating, datetime], now: datetime) -> Rating | None:
        """A rating 1-4 after the menu of what each would schedule."""
        self.console.print(view.rating_menu(preview, now))
        options = {str(int(r)): str(int(r)) for r in Rating}
        if not self.interactive:
            options |= {word: str(int(r)) for word, r in _RATING_WORDS.items()}
        picked = self._pick("rate>", options, "1-4 (again, hard, good, easy)")
        return None if picked is None else Rating(int(picked))

    def show_judgement(self, item: QueueItem, judgement: Judgement) -> None:
        """Right or wrong, and why."""
        self.console.print(view.judgement_view(item, judgement))

    def show_scheduled(self, item: QueueItem, rating: Rating, due: datetime | None, now: datetime) -> None:
        """When the card comes back."""
        self.console.print(view.scheduled_line(rating, due, now))


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
