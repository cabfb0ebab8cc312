"""Scaffold a new drill: its package, its data folder and its deck, from scripts/templates/drill/.

Usage: python scripts/new_drill.py NAME [--root DIR]   (or: make new-drill NAME=...)

NAME is what users type (``redisprep drill NAME``): lower case, digits and ``-``. The drill is a
counter that runs, whose reference passes its check and whose starter fails it; replace it with
yours. It creates exactly three places under DIR (default: this checkout):

    redisprep/drills/<pkg>/    __init__.py, steps.py, checks.py, reference.py   (<pkg>: - as _)
    drills/<name>/             drill.yaml, exercise.yaml, starter.py
    flashcards/<name>.yaml     the drill's deck
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent / "templates" / "drill"
NAME = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


class ScaffoldError(Exception):
    """The name is not usable, or the drill already exists."""


def places(root: Path, name: str) -> list[Path]:
    """The three places a drill lives in: its package, its data folder and its deck."""
    pkg = name.replace("-", "_")
    return [root / "redisprep" / "drills" / pkg, root / "drills" / name, root / "flashcards" / f"{name}.yaml"]


def _order(root: Path) -> int:
    """After every drill there is: the highest ``order:`` in the data folders, plus 10."""
    found = [0]
    for path in (root / "drills").glob("*/drill.yaml"):
        match = re.search(r"^order: (\d+)$", path.read_text(encoding="utf-8"), re.M)
        found.append(int(match.group(1)) if match else 0)
    return max(found) + 10


def scaffold(name: str, root: Path = ROOT) -> list[Path]:
    """Write the drill ``name`` under ``root``; return the places created.

    Raises:
        ScaffoldError: ``name`` does not match ``[a-z][a-z0-9-]*`` or one of its places exists.
    """
    if not NAME.fullmatch(name):
        raise ScaffoldError(
            f"drill name {name!r}: use lower-case letters, digits and single '-' (like 'rate-limit')"
        )
    package, data, deck = places(root, name)
    taken = [p for p in (package, data, deck) if p.exists()]
    if taken:
        raise ScaffoldError(f"{taken[0]} already exists: drill {name!r} is taken")
    words = {
        "name": name,
        "pkg": name.replace("-", "_"),
        "title": name.replace("-", " ").capitalize(),
        "order": str(_order(root)),
    }
    for folder, source in ((package, TEMPLATES / "package"), (data, TEMPLATES / "data")):
        folder.mkdir(parents=True)
        for template in sorted(source.glob("*.tmpl")):
            text = Template(template.read_text(encoding="utf-8")).substitute(words)
            (folder / template.name.removesuffix(".tmpl")).write_text(text, encoding="utf-8")
    deck.parent.mkdir(parents=True, exist_ok=True)
    deck.write_text(Template((TEMPLATES / "deck.yaml.tmpl").read_text(encoding="utf-8")).substitute(words))
    return [package, data, deck]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="the drill's name, as users type it (e.g. 'rate-limit')")
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="the checkout to write into (default: this one)"
    )
    args = parser.parse_args(argv)
    try:
        created = scaffold(args.name, args.root)
    except ScaffoldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in created:
        print(f"created {path}")
    print(f"next: redisprep drill {args.name}; then make it yours (CONTRIBUTING.md, 'How a drill is built')")
    return 0


if __name__ == "__main__":
    sys.exit(main())
