"""Part-1 web tests use the shared web fixtures."""

from web_fixtures import app, browser, client, seed, seeded_template, web_engine  # noqa: F401
