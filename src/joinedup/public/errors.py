"""Errors of the public portal; their messages are safe to show to anyone."""

from __future__ import annotations

from joinedup.common.errors import JoinedUpError


class SubmissionsThrottled(JoinedUpError):
    """Too many reports or applications from this connection in the window (429)."""

    status_code = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__("You have sent a lot of reports in a short time")
        self.retry_after = retry_after


class StatusThrottled(JoinedUpError):
    """Too many wrong reference-and-code attempts (429), like sign-in throttling."""

    status_code = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many attempts")
        self.retry_after = retry_after


class NoLeadAgency(JoinedUpError):
    """No organisation can take public reports: the partnership has not been set up yet."""

    status_code = 503

    def __init__(self) -> None:
        super().__init__("Sorry, this service is not available at the moment")
