"""Options shared by several commands, declared once."""

from __future__ import annotations

from typing import Annotated

import typer

UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url",
        help="Redis URL (redis://[:password@]host:port/db, rediss://, unix://, redis+cluster://). "
        "Defaults to $REDISPREP_URL, then $REDIS_URL, then the embedded fakeredis.",
        show_default=False,
    ),
]
ClusterOption = Annotated[
    bool,
    typer.Option("--cluster", help="The URL names one node of a Redis Cluster."),
]
JsonOption = Annotated[
    bool,
    typer.Option("--json", help="Print machine-readable JSON on stdout instead of tables."),
]
