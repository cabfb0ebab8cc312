"""Convert plain option values without typer importing pydantic, and hand everything else to typer.

typer 0.29 converts every option and argument (a flag excepted) through a pydantic ``TypeAdapter``
that it builds on first use: importing pydantic and building the adapters took 0.1 s of every
command, a third of ``redisprep quiz``'s time to its first card. Most values need no conversion
at all: an option left out (None, or no values of a repeatable one), a text, a whole or decimal
number within its bounds, a path (checked by typer's own path function). :func:`install` gives
each parameter a converter that returns those exactly as typer's adapter would and passes any
other value to typer's own converter, built then, so its checks and its error messages are
unchanged. If typer changes the internals this relies on, nothing is installed and typer works as
it always does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any, get_args, get_origin

from typer.core import TyperGroup

_WHOLE = re.compile(r"-?[0-9]{1,18}")
_DECIMAL = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,15})?")
_NO = object()


def install(command: Any) -> None:
    """Give every parameter of ``command`` and its sub-commands the fast converter (once)."""
    try:
        from typer._coercion import RuntimeParam, build_runtime_param
        from typer.core import _TyperParameter
    except ImportError:  # another typer: leave it alone
        return
    cls = _fast_class(RuntimeParam, build_runtime_param)

    def give(param: Any) -> None:
        descriptor = getattr(param, "type_descriptor", None)
        if isinstance(param, _TyperParameter) and param._runtime_param is None and descriptor:
            param._runtime_param = cls(descriptor.parameter_info, descriptor.annotation, descriptor)

    stack = [command]
    while stack:
        cmd = stack.pop()
        stack.extend(getattr(cmd, "commands", {}).values())
        for param in cmd.params:
            give(param)
        if not getattr(cmd, "_redisprep_fast", False):
            cmd._redisprep_fast = True
            cmd.get_help_option = _giving(cmd.get_help_option, give)


def _giving(get_help_option: Any, give: Any) -> Any:
    """The help option is made on first use, with no value (None) unless asked for: it needs one too."""

    def wrapped(ctx: Any) -> Any:
        option = get_help_option(ctx)
        if option is not None:
            give(option)
        return option

    return wrapped


def _fast_class(base: Any, build: Any) -> Any:
    """A ``RuntimeParam`` subclass (typer's base converter handles None and bad shapes first)."""

    @dataclass(frozen=True)
    class FastRuntimeParam(base):  # type: ignore[misc]
        descriptor: Any

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            plain = plain_value(self.annotation, self.parameter_info, value, param, ctx)
            if plain is not _NO:
                return plain
            real = build(self.descriptor)
            param._runtime_param = real  # from now on, typer's converter only
            return real._coerce_value(value, param=param, ctx=ctx)

    return FastRuntimeParam


def plain_value(annotation: Any, info: Any, value: Any, param: Any = None, ctx: Any = None) -> Any:
    """What typer's converter would return for ``value`` when it needs no pydantic; else ``_NO``.

    Handles text, whole and decimal numbers within their bounds, paths given as text (checked by typer's own
    path function), and lists of those. Anything else, and anything that fails, is typer's to say.
    """
    if get_origin(annotation) is list:
        (item,) = get_args(annotation) or (Any,)
        if not isinstance(value, Sequence) or isinstance(value, str):
            return _NO
        items = [plain_value(item, info, v, param, ctx) for v in value]
        return _NO if any(i is _NO for i in items) else items
    if getattr(info, "parser", None) is not None:
        return _NO
    if annotation is str and type(value) is str:
        return value
    if annotation is int and not getattr(info, "clamp", False):
        return _whole(info, value)
    if annotation is float and not getattr(info, "clamp", False):
        return _decimal(info, value)
    if isinstance(annotation, type) and issubclass(annotation, PurePath):
        return _path(annotation, info, value, param, ctx)
    return _NO


def _whole(info: Any, value: Any) -> Any:
    if type(value) is int:
        number = value
    elif type(value) is str and _WHOLE.fullmatch(value):
        number = int(value)
    else:
        return _NO
    return _within(info, number)


def _decimal(info: Any, value: Any) -> Any:
    if type(value) in (float, int):
        number = float(value)
    elif type(value) is str and _DECIMAL.fullmatch(value):
        number = float(value)
    else:
        return _NO
    if getattr(info, "min_open", False) or getattr(info, "max_open", False) or number != number:
        return _NO
    return _within(info, number)


def _within(info: Any, number: Any) -> Any:
    """``number`` when it is within the parameter's min and max, else ``_NO`` (typer says why)."""
    low, high = getattr(info, "min", None), getattr(info, "max", None)
    if (low is not None and number < low) or (high is not None and number > high):
        return _NO
    return number


def _path(annotation: type[Any], info: Any, value: Any, param: Any, ctx: Any) -> Any:
    """typer's own path check, given a ``Path`` made here (typer would have pydantic make it)."""
    from typer._param_types import coerce_cli_path

    path_type = getattr(info, "path_type", None) or annotation
    if not (isinstance(path_type, type) and issubclass(path_type, Path)):
        return _NO
    if type(value) is str and value:
        value = path_type(value)
    if not isinstance(value, path_type):
        return _NO
    try:
        return coerce_cli_path(value, info, path_type=path_type, param=param, ctx=ctx)
    except Exception:  # a missing folder, a bad name: typer's converter runs again and says so
        return _NO


def group_class() -> Any:
    """typer's group class, installing the fast converters on the whole tree before parsing."""

    class FastGroup(TyperGroup):
        def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
            install(self)
            return super().parse_args(ctx, args)

    return FastGroup
