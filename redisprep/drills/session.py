"""What ``redisprep drill`` asks for, parsed once, and one drill run with explain wired in when asked."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redisprep.backends import Backend
from redisprep.drills.catalog import get_drill, load_catalog
from redisprep.drills.export import report_to_dict
from redisprep.drills.model import DrillReport, StepResult
from redisprep.drills.runner import run_drill
from redisprep.explain.tracing import Tracer
from redisprep.run import Target

if TYPE_CHECKING:
    from redisprep.explain.annotate import Annotation
    from redisprep.explain.observer import Explainer
    from redisprep.explain.summary import RunSummary


@dataclass(frozen=True, slots=True)
class DrillRequest:
    """A ``drill`` command line: which drills, where, and how."""

    names: tuple[str, ...]
    """The drills to run, in order (``all`` already expanded)."""
    seed: int = 0
    explain: bool = False
    data_dir: Path | None = None
    every: bool = False
    """``drill all``: run side by side, end with the summary table."""
    target: Target = Target()

    @classmethod
    def parse(
        cls, name: str, *, seed: int = 0, explain: bool = False, data_dir: Path | None = None
    ) -> DrillRequest:
        """``NAME`` or ``all`` as the drills to run (an unknown name raises UnknownNameError)."""
        every = name == "all"
        if every:  # every drill's code, so a broken one stops the run before it starts
            names = [entry.name for entry in load_catalog(data_dir)]
        else:  # only this drill's code is imported
            names = [get_drill(name, data_dir).name]
        return cls(tuple(names), seed, explain, data_dir, every)

    def at(self, target: Target) -> DrillRequest:
        """The same request, run on ``target``."""
        return replace(self, target=target)


@dataclass
class DrillSession:
    """One drill on a backend: its report, and with explain the annotations and the run's cost."""

    name: str
    title: str
    backend: Backend
    total: int
    """How many steps the drill has."""
    explainer: Explainer | None = None
    report: DrillReport | None = field(default=None, init=False)
    cost: RunSummary | None = field(default=None, init=False)

    @property
    def notes(self) -> Mapping[int, Annotation] | None:
        """Explain's annotations by command ``seq`` (filled while the drill runs), or None."""
        return self.explainer.notes if self.explainer is not None else None

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data, with explain's annotations and summary when asked."""

        assert self.report is not None
        data = report_to_dict(self.report, commands=self.explainer is not None)
        if self.explainer is not None and self.cost is not None:
            from redisprep.explain.export import add_explain

            add_explain(data, self.explainer.notes, self.cost)
        return data


def prepare(name: str, backend: Backend, request: DrillRequest) -> DrillSession:
    """The session of drill ``name``, not run yet (its title and step count are known)."""
    entry = get_drill(name, request.data_dir)
    explainer = None
    if request.explain:
        from redisprep.explain.observer import Explainer

        explainer = Explainer(backend)
    return DrillSession(entry.name, entry.meta.title, backend, len(entry.drill.steps), explainer)


def run_session(
    session: DrillSession, request: DrillRequest, on_step: Callable[[StepResult], None] | None = None
) -> DrillReport:
    """Run ``session``'s drill (see :func:`~redisprep.drills.runner.run_drill`) and cost it with explain."""
    report = run_drill(
        session.name,
        session.backend,
        seed=request.seed,
        on_step=on_step,
        data_dir=request.data_dir,
        tracer=Tracer(observer=session.explainer),
    )
    session.report = report
    if session.explainer is not None:
        from redisprep.explain.summary import summarize

        explainer = session.explainer
        commands = [c for s in report.steps for c in s.commands]
        session.cost = summarize(commands, explainer.notes, explainer.changes, explainer.source)
    return report
