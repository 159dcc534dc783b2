"""What the request's credentials resolved to, kept on ``request.state.auth`` for the request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from joinedup.access.actor import Actor

SESSION_COOKIE = "joinedup_session"
CSRF_COOKIE = "joinedup_csrf"
CHALLENGE_COOKIE = "joinedup_signin"


@dataclass(frozen=True, slots=True)
class RequestAuth:
    """The resolved credentials of one request.

    ``cookie_csrf_token`` is the anonymous double-submit value from a correctly signed cookie
    the browser sent; ``anonymous_csrf_token`` is that value or a freshly minted one that the
    response sets, so pages can always embed a token.
    """

    actor: Actor | None = None
    kind: Literal["session", "api_token"] | None = None
    session_csrf_token: str = ""
    reauthenticated_at: datetime | None = None
    stale_session_cookie: bool = False
    cookie_csrf_token: str = ""
    anonymous_csrf_token: str = ""

    @property
    def csrf_token(self) -> str:
        """The token pages embed in their forms."""
        return self.session_csrf_token if self.kind == "session" else self.anonymous_csrf_token
