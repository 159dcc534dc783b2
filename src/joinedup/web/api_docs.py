"""Interactive API documentation at /api/docs, served entirely from local files (no CDN)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

OPENAPI_URL = "/api/openapi.json"
SWAGGER_JS_URL = "/static/swagger/swagger-ui-bundle.js"
SWAGGER_CSS_URL = "/static/swagger/swagger-ui.css"
FAVICON_URL = "/assets/images/favicon.svg"


@router.get("/api/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI for JoinedUp's OpenAPI document."""
    nonce = str(getattr(request.state, "csp_nonce", ""))
    page = get_swagger_ui_html(
        openapi_url=OPENAPI_URL,
        title="JoinedUp API",
        swagger_js_url=SWAGGER_JS_URL,
        swagger_css_url=SWAGGER_CSS_URL,
        swagger_favicon_url=FAVICON_URL,
        # No call to the public validator service: the app works offline.
        swagger_ui_parameters={"validatorUrl": None},
    )
    html = bytes(page.body).decode()
    # The page's one inline script starts Swagger UI; the nonce lets it run under the CSP.
    html = html.replace("<script>", f'<script nonce="{nonce}">')
    html = html.replace("<html>", '<html lang="en">', 1)
    # The page runs under the same CSP as every other: Swagger UI sets its styles via the DOM.
    return HTMLResponse(html)
