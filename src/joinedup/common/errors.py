"""Errors that services raise and routes turn into responses."""

from __future__ import annotations


class JoinedUpError(Exception):
    """Base class: ``message`` is safe to show to the user (no personal data)."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(JoinedUpError):
    """The record does not exist or the actor may not know it exists (AC-1: answered alike)."""

    status_code = 404

    def __init__(self, message: str = "Not found") -> None:
        super().__init__(message)


class Forbidden(JoinedUpError):
    """The actor may not do this."""

    status_code = 403

    def __init__(self, message: str = "You do not have permission to do that") -> None:
        super().__init__(message)


class ValidationFailed(JoinedUpError):
    """Input was wrong; ``errors`` maps field names to messages."""

    status_code = 422

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("There is a problem with the information you gave")
        self.errors = errors


class Conflict(JoinedUpError):
    """The change clashes with existing state (e.g. a duplicate reference)."""

    status_code = 409
