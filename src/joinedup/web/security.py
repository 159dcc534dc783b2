"""Security headers on every response, a CSP nonce per request and no caching of pages (WEB-1)."""

from __future__ import annotations

import secrets

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Paths served from files that hold no personal data; everything else may, so is never cached.
STATIC_PREFIXES = ("/static/", "/assets/")
# The files are not fingerprinted, so a day (then a cheap revalidation by ETag) rather than a year.
STATIC_CACHE_CONTROL = "public, max-age=86400"

FIXED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def content_security_policy(nonce: str) -> str:
    """The Content-Security-Policy for a response whose inline scripts carry ``nonce``."""
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "frame-ancestors 'none'",
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
        )
    )


def new_nonce() -> str:
    """A fresh, unguessable CSP nonce (128 bits)."""
    return secrets.token_urlsafe(16)


def csp_nonce(scope: Scope) -> str:
    """The nonce of the request in ``scope``; routes read it as ``request.state.csp_nonce``."""
    return str(scope.get("state", {}).get("csp_nonce", ""))


def is_static(path: str) -> bool:
    """Whether ``path`` is a static file that may be cached."""
    return path.startswith(STATIC_PREFIXES)


class SecurityHeadersMiddleware:
    """Pure ASGI middleware: a nonce per request and the security headers on each response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = new_nonce()
        scope.setdefault("state", {})["csp_nonce"] = nonce
        static = is_static(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = content_security_policy(nonce)
                for name, value in FIXED_HEADERS.items():
                    headers[name] = value
                if static and message.get("status", 500) < 400:
                    headers["Cache-Control"] = STATIC_CACHE_CONTROL
                else:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI) -> None:
    """Wrap ``app``'s whole middleware stack, so error pages get the headers too."""
    # Middleware added with add_middleware() runs inside Starlette's ServerErrorMiddleware, whose
    # 500 responses would then go out without the headers; wrapping the built stack covers them.
    build_inner = app.build_middleware_stack

    def build() -> ASGIApp:
        return SecurityHeadersMiddleware(build_inner())

    app.build_middleware_stack = build  # type: ignore[method-assign]
