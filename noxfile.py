"""The test matrix: {locked, lowest, newest} dependencies x {embedded, four real servers}.

    make test-matrix                      # every cell, then the table (scripts/matrix_table.py)
    nox -s "matrix(deps='lowest')"        # one row
    MATRIX_SERVERS=redis-6.2 nox -s matrix  # some columns

A row installs one dependency set in its own virtual environment: ``locked`` from
requirements-dev.lock (what CI runs), ``lowest`` from requirements-lowest.lock (the lower bounds in
pyproject.toml, resolved by ``uv pip compile --resolution lowest-direct``), ``newest`` with
``pip install --upgrade`` (whatever PyPI has today). A column is one server: ``embedded`` runs the
tests that need no server; every other column runs the live and cluster tests against that server,
fetched by scripts/servers.py. Each cell writes JUnit XML to .matrix/ for the table.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).parent / "scripts"))
import servers  # noqa: E402

nox.options.sessions = ["matrix"]
nox.options.reuse_existing_virtualenvs = True

DEPS = {
    "locked": ["-r", "requirements-dev.lock"],
    "lowest": ["-r", "requirements-lowest.lock"],
    "newest": ["--upgrade", "--upgrade-strategy", "eager"],
}
COLUMNS = ["embedded", *servers.SERVERS]
OUT = Path(".matrix")


@nox.session
@nox.parametrize("deps", list(DEPS))
def matrix(session: nox.Session, deps: str) -> None:
    """One dependency set against every server column."""
    session.install(*DEPS[deps], "-e", ".[dev]")
    session.run(
        "python",
        "-c",
        "import redis, fakeredis; print('redis-py', redis.__version__, 'fakeredis', fakeredis.__version__)",
    )
    OUT.mkdir(exist_ok=True)
    wanted = os.environ.get("MATRIX_SERVERS", "").split(",") if os.environ.get("MATRIX_SERVERS") else COLUMNS
    for column in (c for c in COLUMNS if c in wanted):
        env = {"REDISPREP_SERVER": "", "REDISPREP_SERVER_ARGS": ""}
        if column == "embedded":
            marker = "not live and not cluster"
        else:
            spec = servers.SERVERS[column]
            servers.fetch(spec)
            env.update(servers.environment(spec))
            marker = "live or cluster"
        session.run(
            "python",
            "-m",
            "pytest",
            "-q",
            "-m",
            marker,
            f"--junitxml={OUT / f'{deps}--{column}.xml'}",
            env=env,
            success_codes=[0, 1],  # a red cell is reported in the table; the next cell still runs
        )
