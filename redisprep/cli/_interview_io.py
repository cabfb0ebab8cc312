"""The terminal side of an interactive interview: stage headings with the time left, one line per answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from redisprep.render.interview import clock, dive_view, stage_heading

if TYPE_CHECKING:
    from rich.console import Console

    from redisprep.interview.model import DeepDive, Stage


class InterviewTerminal:
    """Prompts on ``console``, answers read a line at a time from ``stdin``."""

    def __init__(self, console: Console, stdin: TextIO) -> None:
        self.console = console
        self.stdin = stdin

    def show_stage(self, stage: Stage, left_s: float, budget_s: float) -> None:
        self.console.print(stage_heading(stage, left_s, budget_s))

    def show_choices(self, dive: DeepDive) -> None:
        self.console.print(dive_view(dive))

    def ask(self, prompt: str, left_s: float) -> str:
        self.console.print(f"[{clock(left_s)}] {prompt}: ", end="", markup=False, highlight=False)
        line = self.stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")
