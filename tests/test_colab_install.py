"""Installing the course where Colab's own TensorFlow, Keras, numpy and kernel are installed keeps them.

pip resolves the course's dependencies against a constraints file of Colab's versions
(``--dry-run``: nothing is installed; it reads package metadata from the package registry). A
floor above Colab's version (the course once asked for ipykernel >= 6.25 against Colab's 6.17.1)
makes the resolution impossible, and would upgrade the running kernel in Colab.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = Path(__file__).with_name("colab-constraints.txt")


def _pins() -> dict[str, str]:
    lines = [l.split("#")[0].strip() for l in CONSTRAINTS.read_text().splitlines()]
    return dict(l.split("==") for l in lines if l)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_course_installs_beside_colabs_versions(tmp_path):
    report = tmp_path / "report.json"
    cmd = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
           "--disable-pip-version-check", "--report", str(report), "-c", str(CONSTRAINTS), str(ROOT)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0, f"pip cannot install the course beside Colab's versions:\n{done.stderr[-3000:]}"
    chosen = {item["metadata"]["name"].lower().replace("-", "_"): item["metadata"]["version"]
              for item in json.loads(report.read_text())["install"]}
    for name, version in _pins().items():
        assert chosen.get(name.lower().replace("-", "_")) == version, name
