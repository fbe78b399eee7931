"""Builds the FastAPI app: settings, database, routers, templates, static and vendored assets."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from hotline.errors import HotlineError
from hotline.store.db import ensure_migrated, make_engine, session_factory
from hotline.store.imports import Inspector
from hotline.web.config import WebSettings
from hotline.web.deps import CsrfFailed, Forbidden, LoginRequired, NotFound
from hotline.web.render import render
from hotline.web.routers import (
    admin,
    auth,
    authoring,
    calls,
    dashboard,
    drills,
    learn,
    orders,
    overview,
    review,
    rulebook,
)

STATIC = Path(__file__).parent / "static"
# Front-end packages installed by `npm ci` (package.json at the repository root), served as-is.
VENDOR = {"htmx.min.js": "htmx.org/dist/htmx.min.js", "echarts.min.js": "echarts/dist/echarts.min.js"}
ROUTERS = (
    auth.router, overview.router, calls.router, review.router, admin.router,
    learn.router, drills.router, orders.router, dashboard.router, rulebook.router, authoring.router,
)
CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"


def _warm_engine() -> None:
    """Load what the first requests would otherwise all load at once: the compiled rulebook (and the
    phrase-only reading engine), the scenario library, the curriculum and the 工单 extractor (jionlp)."""
    from hotline.curriculum.library import load_curriculum
    from hotline.model import Call, Speaker, Turn
    from hotline.simulate import default_library
    from hotline.simulate.engines import reading_engine
    from hotline.web.rules import rule_catalog
    from hotline.workorder.order import extract_order

    rule_catalog()
    reading_engine()
    default_library()
    load_curriculum()
    extract_order(Call("warm-up", [Turn(Speaker.CITIZEN, "我姓王，电话13800000000，幸福里小区路灯坏了。")]))


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    if app.state.settings.warm_engine:
        threading.Thread(target=_warm_engine, name="warm-engine", daemon=True).start()
    yield


def create_app(settings: WebSettings | None = None, *, engine: Engine | None = None, inspector: Inspector | None = None) -> FastAPI:
    """The web app over a migrated database (``hotline web init-db`` migrates one)."""
    settings = settings or WebSettings()
    engine = engine or make_engine(settings.database_url)
    ensure_migrated(engine)
    app = FastAPI(title="hotline-coach", docs_url=None, redoc_url=None, openapi_url=None, lifespan=_lifespan)
    app.state.settings, app.state.db_engine = settings, engine
    app.state.factory, app.state.inspector = session_factory(engine), inspector
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _add_assets(app, settings.resolved_assets_dir())
    _add_handlers(app)
    return app


def route_table(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, for the permission tests and documentation."""
    routes = [r for router in ROUTERS for r in router.routes] + list(app.routes)
    return {(m, r.path) for r in routes if isinstance(r, APIRoute) for m in (r.methods or ()) if m != "HEAD"}


def _add_assets(app: FastAPI, folder: Path) -> None:
    @app.get("/assets/{name}", include_in_schema=False)
    def asset(name: str) -> Response:
        rel = VENDOR.get(name)
        path = folder / rel if rel else None
        if path is None or not path.is_file():
            return Response("资源未安装：请在项目根目录运行 npm ci", status_code=404, media_type="text/plain; charset=utf-8")
        return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # noqa: ANN001, ANN202
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def _error(request: Request, status: int, title: str, message: str) -> Response:
    return render(request, "error.html", status, title=title, message=message)


def _add_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        location = f"/login?next={quote(target)}" if request.method == "GET" else "/login"
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": location})
        return RedirectResponse(location, status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return _error(request, 403, "无权访问", exc.message)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _error(request, 404, "未找到", exc.message)

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, exc: CsrfFailed) -> Response:
        return _error(request, 403, "表单已失效", "表单缺少或带有过期的安全令牌，请刷新页面后重新提交。")

    @app.exception_handler(HotlineError)
    async def hotline_error(request: Request, exc: HotlineError) -> Response:
        return _error(request, 400, "操作未完成", str(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        fields = "、".join(str(e["loc"][-1]) for e in exc.errors())
        return _error(request, 400, "请求不完整", f"请检查以下字段：{fields}")

    @app.exception_handler(404)
    async def no_route(request: Request, exc: Exception) -> Response:
        return _error(request, 404, "未找到", "找不到该页面")
