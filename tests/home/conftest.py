"""The home pages read the score fixtures of tests/scores (Ninh Sơn's October 2026, indicator 4 red)."""

from tests.scores.conftest import scored  # noqa: F401
