"""The one JWT signing secret of the tests (never a real one): tokens, test servers, live actions."""

TEST_SECRET = "test-secret-for-pytest-only-" + "x" * 16
