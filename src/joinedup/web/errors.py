"""Error responses: generic bodies, never a stack trace or SQL (ERR-1)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from joinedup.common.errors import JoinedUpError

log = logging.getLogger("joinedup.errors")

MESSAGES = {
    400: "The request could not be understood",
    401: "You need to sign in",
    403: "You do not have permission to do that",
    404: "Page not found",
    405: "That action is not allowed here",
    409: "That clashes with a record that already exists",
    422: "There is a problem with the information you gave",
    429: "Too many attempts: wait a minute and try again",
    500: "Sorry, there is a problem with the service",
}


def wants_json(request: Request) -> bool:
    """API paths and clients that ask for JSON get JSON errors; browsers get pages."""
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


def error_response(request: Request, status: int, detail: object = None) -> Response:
    """A generic error in the form the client reads."""
    message = MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400])
    if wants_json(request):
        body: dict[str, object] = {"error": message}
        if detail is not None:
            body["detail"] = detail
        return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})
    from joinedup.web.templating import render

    response = render(
        request, "error.html", {"status": status, "message": message, "detail": detail}, status
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def install(app: FastAPI) -> None:
    """Register JoinedUp's error handlers on ``app``."""

    @app.exception_handler(JoinedUpError)
    async def _domain_error(request: Request, exc: JoinedUpError) -> Response:
        detail = getattr(exc, "errors", None) or exc.message
        return error_response(request, exc.status_code, detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        response = error_response(request, exc.status_code)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {"field": ".".join(str(p) for p in e.get("loc", ())[1:]), "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        return error_response(request, 422, problems)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.error(
            "unhandled error", extra={"error_type": type(exc).__name__, "path": request.url.path}
        )
        return error_response(request, 500)
