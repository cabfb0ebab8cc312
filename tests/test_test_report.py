"""``make test-report`` counts proof by claim: a parametrized test is one claim, however many inputs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parents[1] / "scripts" / "test_report.py"


def test_a_parametrized_test_counts_once_and_the_module_says_what_it_proves(tmp_path: Path) -> None:
    (tmp_path / "test_sample.py").write_text(
        '"""Sample cards hold. More detail here."""\n'
        "import pytest\n\n"
        "@pytest.mark.parametrize('n', [1, 2, 3])\n"
        "def test_each_card_holds(n):\n    assert n\n\n"
        "def test_ids_are_unique():\n    pass\n"
    )
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--rootdir", str(tmp_path), "-c", "/dev/null", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "2 claims (test functions) in 1 modules, checked by 4 items" in done.stdout
    assert "Sample cards hold" in done.stdout and "More detail" not in done.stdout
    assert "     3  " in done.stdout and "test_sample.py::test_each_card_holds" in done.stdout
