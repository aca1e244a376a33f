"""The notification tests' worker, for the tests of an address's e-mails."""

from tests.notifications.conftest import start_worker  # noqa: F401 (a fixture)
