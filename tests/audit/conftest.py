"""Fixtures for the audit tests: the frozen clock and the live-server browser fixtures."""

from tests.auth.fixtures import clock
from tests.browser.conftest import browser, demo_settings, live_server, page

__all__ = ["browser", "clock", "demo_settings", "live_server", "page"]
