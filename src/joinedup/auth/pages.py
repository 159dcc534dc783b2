"""Helpers shared by the auth pages."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from joinedup.config import Settings
from joinedup.web.templating import render

NO_STORE = {"Cache-Control": "no-store"}


def client_ip(request: Request) -> str:
    """The address throttling counts against (the direct peer; no proxy headers trusted)."""
    return request.client.host if request.client else "unknown"


def app_settings(request: Request) -> Settings:
    """The running application's settings."""
    settings: Settings = request.app.state.settings
    return settings


def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    """Render an auth page that must never be cached (it carries tokens)."""
    response = render(request, name, context, status)
    response.headers.update(NO_STORE)
    return response
