"""The API documentation: ``/docs`` (Swagger UI) and ``/openapi.json``.

On in development; in production only with ``DOCS_ENABLED=true`` (the schema tells an
attacker every route). The page's script and style are served by the service itself from
the packaged Swagger UI (``swagger-ui-py``'s copy of the official dist files, Apache-2.0):
no CDN on the admin's origin, and the page works offline. The ``tma`` security scheme is
declared and every operation that answers 401 requires it, so *Authorize* works.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response

from srochno.config import Settings
from srochno.responses import json_response

DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"
OPENAPI_PATH = "/openapi.json"
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}
SECURITY_SCHEME = "tma"
SECURITY_SCHEMES = {
    SECURITY_SCHEME: {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "`tma <initData>` (in development: `srochno initdata --user-id 42` "
        "prints the whole value after `Authorization: `)",
    }
}


def assets_folder() -> Path:
    return Path(str(files("swagger_ui") / "static"))


def add_docs(app: FastAPI, settings: Settings) -> None:
    """``/openapi.json`` and ``/docs`` with their assets, if the settings allow them. The
    application is created with ``docs_url``, ``redoc_url`` and ``openapi_url`` off."""
    if not settings.docs_on:
        return
    folder = assets_folder()

    async def openapi(request: Request) -> Response:
        return json_response(app.openapi())

    async def docs(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=OPENAPI_PATH,
            title=f"{app.title} API",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon-32x32.png",
            swagger_ui_parameters={"persistAuthorization": True},
        )

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS:
            raise HTTPException(404, "Not Found")
        return FileResponse(
            folder / name,
            media_type=ASSETS[name],
            headers={"Cache-Control": "public, max-age=86400"},
        )

    app.add_route(OPENAPI_PATH, openapi, methods=["GET"], include_in_schema=False)
    app.add_route(DOCS_PATH, docs, methods=["GET"], include_in_schema=False)
    app.add_route(ASSETS_PATH + "/{name}", asset, methods=["GET"], include_in_schema=False)


def _depends_on(dependant: Dependant, call: Callable[..., Any]) -> bool:
    return any(
        dependency.call is call or _depends_on(dependency, call)
        for dependency in dependant.dependencies
    )


def build_openapi(app: FastAPI, optional_auth: Callable[..., Any]) -> dict[str, Any]:
    """FastAPI's schema, with the ``tma`` scheme declared: required where a 401 is
    documented (the routes read the header themselves, so FastAPI cannot tell), optional
    (``[{"tma": []}, {}]``) where the route depends on ``optional_auth``."""
    if app.openapi_schema is None:
        optional = {
            (route.path_format, method.lower())
            for route in app.routes
            if isinstance(route, APIRoute) and _depends_on(route.dependant, optional_auth)
            for method in route.methods or ()
        }
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                if isinstance(operation, dict) and "401" in operation.get("responses", {}):
                    operation["security"] = [{SECURITY_SCHEME: []}]
                    if (path, method) in optional:
                        operation["security"].append({})
        app.openapi_schema = schema
    return app.openapi_schema
