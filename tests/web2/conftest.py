"""Part-2 web tests use the same fixtures as part 1 (tests/web/web_fixtures.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "web"))

from web_fixtures import app, browser, client, seed, seeded_template, web_engine  # noqa: E402, F401
