"""``redisprep explain "ZADD lb 100 alice"``: one command's documented cost, N and M, and encodings."""

from __future__ import annotations

import difflib
import json
from typing import Annotated

import typer

from redisprep.cli._backend import open_backend
from redisprep.cli._context import AppContext
from redisprep.cli._errors import handle_errors
from redisprep.cli._options import ClusterOption, JsonOption, UrlOption
from redisprep.cli.drill import drill
from redisprep.errors import BadUsageError


@handle_errors
def explain(
    ctx: typer.Context,
    command: Annotated[
        list[str],
        typer.Argument(
            help='A Redis command, quoted like redis-cli ("ZRANGE lb 0 9 REV"), or a drill name.',
            metavar="COMMAND",
            show_default=False,
        ),
    ],
    url: UrlOption = None,
    cluster: ClusterOption = False,
    execute: Annotated[
        bool,
        typer.Option(
            "--execute",
            help="On a live server, run a write on copies of its keys in the run's namespace "
            "(deleted afterwards). Without it a write is costed from read-only probes.",
        ),
    ] = False,
    fill: Annotated[
        int | None,
        typer.Option(
            help="First fill the command's key with this many elements (bytes, for a string), to see "
            "the command at that size. Embedded backend, or with --execute.",
            min=0,
            show_default=False,
        ),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Explain one command: documented complexity, N and M for this call, the key's encoding before
    and after, the reply, latency and round trips.

    On the embedded backend the command runs and encodings and memory are modelled; on a live server
    they are read, and writes are not run unless --execute is given.

    Examples:

    \b
        redisprep explain "ZADD lb 100 alice" --fill 128
        redisprep explain "ZRANGE lb 0 9 REV WITHSCORES" --url redis://localhost:6379
        redisprep explain leaderboard          (a drill: same as drill leaderboard --explain)
    """
    app: AppContext = ctx.obj
    from redisprep.explain.one_command import parse_command

    argv = parse_command(command)
    if len(argv) == 1 and _is_drill(app, argv[0]):
        ctx.invoke(drill, ctx, name=argv[0], url=url, cluster=cluster, explain=True, json_out=json_out)
        return
    if len(argv) == 1:
        _refuse_a_misspelt_drill(app, argv[0])
    from redisprep.explain.export import explanation_to_dict
    from redisprep.explain.one_command import explain_command
    from redisprep.render.explain import explanation
    from redisprep.run import Run, Target

    def copy_run() -> Run:  # --execute on your server: the copy's own run starts and stops it
        return Run(Target(private=True), what="explain --execute")

    with open_backend(url, cluster) as backend:
        result = explain_command(backend, argv, open_copy=copy_run, execute=execute, fill=fill)
    if json_out:
        app.console.print_json(json.dumps(explanation_to_dict(result)))
    else:
        app.console.print(explanation(result))


def _is_drill(app: AppContext, word: str) -> bool:
    from redisprep.drills import drill_names
    from redisprep.knowledge.commands import command_doc

    return command_doc(word) is None and word in drill_names(app.data_dir)


def _refuse_a_misspelt_drill(app: AppContext, word: str) -> None:
    """A lone word that is no command but close to a drill's name (``leaderbord``): suggest the drill."""

    from redisprep.drills import drill_names
    from redisprep.knowledge.commands import command_doc

    if command_doc(word) is not None:
        return
    close = difflib.get_close_matches(word.lower(), drill_names(app.data_dir), n=1, cutoff=0.75)
    if close:
        raise BadUsageError(
            f"unknown command or drill {word!r}; did you mean the drill {close[0]!r} "
            f"('redisprep explain {close[0]}')?"
        )
