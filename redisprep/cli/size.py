"""``redisprep size``: the back-of-envelope memory calculator, with its working shown."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from redisprep.cli._context import AppContext
from redisprep.cli._errors import handle_errors
from redisprep.cli._options import JsonOption, UrlOption
from redisprep.errors import BadUsageError


def _count(help_text: str) -> object:
    return typer.Option(help=help_text, show_default=False, metavar="N")


@handle_errors
def size(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="string, hash, zset, set or geo.", show_default=False)],
    keys: Annotated[str | None, _count("Keys (default: 1M strings or hashes; 1 zset, set or geo).")] = None,
    members: Annotated[str | None, _count("Members per key: zset, set, geo (default 1M).")] = None,
    fields: Annotated[str | None, _count("Fields per key: hash (default 10).")] = None,
    key_bytes: Annotated[str | None, _count("Bytes per key name (default 16).")] = None,
    member_bytes: Annotated[str | None, _count("Bytes per member: zset, set, geo (default 16).")] = None,
    field_bytes: Annotated[str | None, _count("Bytes per field name: hash (default 16).")] = None,
    value_bytes: Annotated[
        str | None, _count("Bytes per value: string (default 100), hash (default 16).")
    ] = None,
    integers: Annotated[
        bool, typer.Option("--integers", help="String values or set members are integers (int, intset).")
    ] = False,
    ttl: Annotated[bool, typer.Option("--ttl", help="Every key has an expiry (the expires dict).")] = False,
    measure: Annotated[
        bool,
        typer.Option(
            "--measure",
            help="Also measure: load a 20k-entry sample into a private redis-server (started and "
            "stopped here) and scale the model by what it measures.",
        ),
    ] = False,
    url: UrlOption = None,
    json_out: JsonOption = False,
) -> None:
    """Estimate the memory a data set takes in Redis 7, with the working shown.

    Counts accept 100k, 10M, 1.5G (powers of ten). The figure is what INFO used_memory would grow
    by: modelled from Redis 7.0's allocations, optionally scaled by a sample measured on a private
    server (--measure). With --url (or $REDISPREP_URL / $REDIS_URL) the encoding thresholds are read
    from your server; only INFO and CONFIG GET are sent there, nothing is written.

    Examples:

    \b
        redisprep size zset --members 10M --member-bytes 16
        redisprep size string --keys 100k --key-bytes 12 --value-bytes 100
        redisprep size hash --keys 1M --fields 8 --field-bytes 10 --value-bytes 20 --ttl
        redisprep size set --keys 50k --members 200 --member-bytes 7 --integers
        redisprep size geo --members 2M --measure --json
    """
    app: AppContext = ctx.obj
    from redisprep.sizing import build_shape, estimate

    given: dict[str, str | bool | None] = {
        "keys": keys,
        "members": members,
        "fields": fields,
        "key_bytes": key_bytes,
        "member_bytes": member_bytes,
        "field_bytes": field_bytes,
        "value_bytes": value_bytes,
        "integers": integers,
        "ttl": ttl,
    }
    shape = build_shape(kind, given)
    if measure and url is not None:
        raise BadUsageError("--measure loads a sample on a private server; --url only reads: use one")
    from redisprep.run import Run, Target

    if measure:
        from redisprep.sizing.calibrate import measured_estimate

        with Run(Target(private=True), what="size --measure") as run:
            label = run.private.label if run.private is not None else run.backend.label
            result = measured_estimate(shape, run.backend, label)
    elif (target := Target.resolve(url)).url is not None:
        from redisprep.sizing.calibrate import calibrated_estimate

        with Run(target, what="size", writes=False) as run:
            result = calibrated_estimate(shape, run.backend)
    else:
        result = estimate(shape)
    if json_out:
        app.console.print_json(json.dumps(result.as_dict()))
        return
    from redisprep.render.size import estimate_report

    app.console.print(estimate_report(result))
