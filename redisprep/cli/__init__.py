"""The command line: Typer sub-apps, one module per noun. The only package that imports typer."""

from redisprep.cli.main import app, main

__all__ = ["app", "main"]
