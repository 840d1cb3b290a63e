"""Test-wide settings: Prefect state in a temp dir, offline and quiet, never a developer's Prefect server."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_prefect_home = tempfile.mkdtemp(prefix="newsduck-prefect-")
os.environ["PREFECT_HOME"] = _prefect_home
os.environ["NEWSDUCK_HOME"] = tempfile.mkdtemp(prefix="newsduck-home-")  # never a developer's shared server
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"
os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
os.environ.setdefault("PREFECT_WORKER_QUERY_SECONDS", "1")
os.environ.setdefault("PREFECT_RUNNER_POLL_FREQUENCY", "1")
os.environ.pop("PREFECT_API_URL", None)
os.environ.pop("NEWSDUCK_DB", None)
os.environ.pop("NEWSDUCK_WAREHOUSE", None)

import pytest  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


def norm(text: str | None) -> str | None:
    """The fixtures README's norm(): collapse every run of Unicode whitespace to one space, strip."""
    return None if text is None else " ".join(text.split())


def norm_dashes(text: str | None) -> str | None:
    return None if text is None else norm(text).strip("—").strip()


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES
