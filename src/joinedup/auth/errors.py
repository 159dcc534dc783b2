"""Errors raised by sign-in and access checks; their messages are safe to show to anyone."""

from __future__ import annotations

from joinedup.common.errors import JoinedUpError


class SignInFailed(JoinedUpError):
    """Wrong user name or password, or a closed account: one message for all (no enumeration)."""

    status_code = 400

    def __init__(self, message: str = "Enter a correct user name and password") -> None:
        super().__init__(message)


class Throttled(JoinedUpError):
    """Too many failed sign-in attempts for this user name or address (AUTH-1)."""

    status_code = 429

    def __init__(self, retry_after: int = 60) -> None:
        super().__init__("Too many attempts: wait a minute and try again")
        self.retry_after = retry_after


class ChallengeExpired(JoinedUpError):
    """The second-factor step is missing, used up or too old: start signing in again."""

    status_code = 400

    def __init__(self) -> None:
        super().__init__("Your sign-in has timed out: enter your user name and password again")


class NotSignedIn(JoinedUpError):
    """No valid session or API token: HTML goes to the sign-in page, JSON gets 401."""

    status_code = 401

    def __init__(self) -> None:
        super().__init__("You need to sign in")


class ReauthenticationRequired(JoinedUpError):
    """The action needs a password entered in the last few minutes (SES-2)."""

    status_code = 403

    def __init__(self) -> None:
        super().__init__("Enter your password again to continue")
