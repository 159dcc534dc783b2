"""Responses for sign-in errors: a redirect to sign in for pages, JSON for the API."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from joinedup.auth.errors import NotSignedIn, ReauthenticationRequired, Throttled
from joinedup.auth.rules import safe_next
from joinedup.web.errors import wants_json

NO_STORE = {"Cache-Control": "no-store"}


def return_path(request: Request) -> str:
    """Where to come back to: this page's path, or for a form post the page it was sent from."""
    # Only a path goes along, never a query string, which could hold search terms (WEB-1).
    if request.method == "GET":
        return safe_next(request.url.path)
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc == request.url.netloc:
        return safe_next(referer.path)
    return "/"


def _redirect(target: str, request: Request) -> RedirectResponse:
    path = return_path(request)
    if path != "/":
        target = f"{target}?{urlencode({'next': path})}"
    return RedirectResponse(target, status_code=303, headers=NO_STORE)


def install_handlers(app: FastAPI) -> None:
    """Register the handlers for ``NotSignedIn``, ``ReauthenticationRequired`` and ``Throttled``."""

    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if wants_json(request):
            headers = NO_STORE | {"WWW-Authenticate": "Bearer"}
            return JSONResponse({"error": exc.message}, status_code=401, headers=headers)
        return _redirect("/sign-in", request)

    @app.exception_handler(ReauthenticationRequired)
    async def _stale(request: Request, exc: ReauthenticationRequired) -> Response:
        if wants_json(request):
            return JSONResponse({"error": exc.message}, status_code=403, headers=NO_STORE)
        return _redirect("/account/reauthenticate", request)

    @app.exception_handler(Throttled)
    async def _throttled(request: Request, exc: Throttled) -> Response:
        headers = NO_STORE | {"Retry-After": str(exc.retry_after)}
        if wants_json(request):
            return JSONResponse({"error": exc.message}, status_code=429, headers=headers)
        from joinedup.web.templating import render

        response = render(request, "auth/throttled.html", {"message": exc.message}, 429)
        response.headers.update(headers)
        return response
