"""The README's `newsduck extract` example prints what the README shows, and names every key it prints."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def extract_section() -> str:
    return README[README.index("### `newsduck extract"):README.index("### `newsduck sql")]


def test_the_extract_example_prints_what_the_readme_shows():
    command, *shown = re.search(r"```console\n\$ (newsduck extract .*?)\n(.*?)```", extract_section(), re.S) \
        .group(1, 2)
    bin_dir = str(Path(sys.executable).parent)
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"])
    done = subprocess.run(command, shell=True, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.stdout == shown[0]


def test_the_readme_names_every_key_extract_prints():
    keys = re.search(r"JSON\s+object\s+per\s+page\s+with\s+the\s+keys\s+`([^`]*)`", extract_section()).group(1)
    documented = [k.strip() for k in " ".join(keys.split()).split(",")]
    done = subprocess.run([str(Path(sys.executable).parent / "newsduck"), "extract",
                           "tests/fixtures/seeds/004_11c5d1afe74d2e2e.txt"], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert documented == list(json.loads(done.stdout))
