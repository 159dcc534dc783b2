"""create_app(): settings, database, middleware, routers, templates — nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from joinedup.access import break_glass_routes
from joinedup.access import deps as access_deps
from joinedup.access import routes as sharing_routes
from joinedup.agreements import routes as agreements_routes
from joinedup.audit import routes as audit_routes
from joinedup.auth import routes as auth_routes
from joinedup.config import PACKAGE_DIR as _PKG
from joinedup.config import Settings, get_settings
from joinedup.db import engine_for, session_factory
from joinedup.incidents import entry_routes, import_routes, intake_routes
from joinedup.incidents import routes as incidents_routes
from joinedup.linkage import pprl_routes
from joinedup.linkage import routes as linkage_routes
from joinedup.linkage.realtime import BackgroundMatcher, thresholds_from
from joinedup.oversight import routes as oversight_routes
from joinedup.partners import admin_routes
from joinedup.partners import routes as partners_routes
from joinedup.people import routes as people_routes
from joinedup.public import routes as public_routes
from joinedup.retention import routes as retention_routes
from joinedup.subject_access import routes as subject_access_routes
from joinedup.web import api_docs, errors, health, home, security

STATIC_DIR = _PKG / "web" / "static"


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the background matcher of person records (when configured), stop it at the end."""
    settings: Settings = app.state.settings
    matcher = None
    if settings.linkage_match_seconds > 0:
        matcher = BackgroundMatcher(
            app.state.session_factory,
            thresholds_from(settings),
            settings.linkage_match_seconds,
        )
        matcher.start()
    try:
        yield
    finally:
        if matcher is not None:
            matcher.stop()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the JoinedUp web application."""
    settings = settings or get_settings()
    app = FastAPI(
        lifespan=_lifespan,
        title="JoinedUp API",
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine_for(settings.database_url)
    app.state.session_factory = session_factory(app.state.engine)
    app.mount("/assets", StaticFiles(directory=STATIC_DIR / "govuk" / "assets"), name="assets")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    security.install(app)
    errors.install(app)
    access_deps.install(app)
    app.include_router(health.router)
    app.include_router(auth_routes.router)
    app.include_router(api_docs.router)
    # Before the incident pages: "/incidents/new" is not an "/incidents/{incident_id}".
    app.include_router(entry_routes.router)
    app.include_router(import_routes.router)
    for module in (
        home,
        people_routes,
        incidents_routes,
        partners_routes,
        agreements_routes,
        sharing_routes,
    ):
        app.include_router(module.router)
        app.include_router(module.api)
    app.include_router(intake_routes.api)
    app.include_router(admin_routes.router)
    for module in (
        break_glass_routes,
        oversight_routes,
        subject_access_routes,
        audit_routes,
        retention_routes,
        linkage_routes,
        pprl_routes,
        public_routes,
    ):
        app.include_router(module.router)
        app.include_router(module.api)
    return app
