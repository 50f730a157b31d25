from tests.scores.conftest import scored  # noqa: F401  (NS and two communes scored for a few months)
