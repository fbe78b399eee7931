"""Builds the FastAPI app: settings, database, routers, templates, static and vendored assets."""

from __future__ import annotations

import logging
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
from starlette.exceptions import HTTPException as StarletteHTTPException

from hotline.errors import HotlineError
from hotline.store.db import ensure_migrated, make_engine, session_factory
from hotline.store.imports import Inspector
from hotline.web.config import WebSettings
from hotline.web.deps import CsrfFailed, Forbidden, LoginRequired, NotFound, PasswordChangeRequired
from hotline.web.limits import BodyLimit, BodyTooLarge, too_large_message
from hotline.web.messages import error_text
from hotline.web.render import render
from hotline.web.routers import (
    admin,
    agreement,
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
    learn.router, drills.router, orders.router, dashboard.router, rulebook.router, authoring.router, agreement.router,
)
log = logging.getLogger("hotline.web")
PARAM_NAMES = {"page": "页码", "team_id": "团队", "lead_id": "组长", "date_from": "开始日期", "date_to": "结束日期",
               "files": "文件", "verdict": "复核结论", "outcome": "裁决结果", "username": "用户名", "password": "密码",
               "role": "角色", "name": "名称", "yaml_text": "内容", "reason": "理由", "finding_ids": "质检发现"}
HTTP_PAGES = {
    400: ("请求有误", "请求的参数不正确，请返回上一页检查后重试。"),
    401: ("需要登录", "请先登录。"),
    403: ("无权访问", "您的角色无权访问此页面。"),
    404: ("未找到", "找不到该页面。"),
    405: ("操作方式不对", "该地址不支持这种操作方式：请从页面上的按钮或链接进入。"),
    413: ("内容太大", "提交的内容超过了上限。"),
    500: ("服务器出错", "服务器处理时出错，已记录在服务器日志中。请稍后重试；若一直出现，请联系管理员。"),
}
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
    from starlette.concurrency import run_in_threadpool

    await run_in_threadpool(recover_batches, app)
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
    app.add_middleware(BodyLimit, upload_limit=settings.max_upload_mb * 1024 * 1024)
    return app


def recover_batches(app: FastAPI) -> None:
    """Batches and 重新质检 runs a restart left queued or running are marked failed or interrupted
    (upload folders removed): their pages then say so instead of polling for ever."""
    from hotline.store.imports import fail_interrupted
    from hotline.store.reinspect import interrupt_all

    fail_interrupted(app.state.factory, app.state.settings.resolved_data_dir() / "uploads")
    interrupt_all(app.state.factory)


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

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # noqa: ANN001, ANN202
        from hotline.store.audit import client_ip

        client_ip.set(request.client.host if request.client else "")  # every audit entry of this request
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        # pages and exports carry citizens' and staff's data: never kept by the browser or a proxy
        response.headers.setdefault("Cache-Control", "no-store")
        return response


def _error(request: Request, status: int, title: str, message: str) -> Response:
    if request.headers.get("hx-request"):
        return Response(message, status_code=status, media_type="text/plain; charset=utf-8")
    return render(request, "error.html", status, title=title, message=message)


def _http_page(request: Request, status: int, message: str | None = None) -> Response:
    title, default = HTTP_PAGES.get(status, HTTP_PAGES[400] if status < 500 else HTTP_PAGES[500])
    return _error(request, status, title, message or default)


def _bad_params(exc: RequestValidationError) -> tuple[int, str]:
    """A path id that cannot exist is a 404; a bad query or form field a 400 naming the field."""
    errors = exc.errors()
    if any(e["loc"] and e["loc"][0] == "path" for e in errors):
        return 404, "找不到该页面：编号不存在。"
    names = dict.fromkeys(PARAM_NAMES.get(str(e["loc"][-1]), str(e["loc"][-1])) for e in errors if e["loc"])
    return 400, f"请检查以下字段：{'、'.join(names)}（缺少或格式不对）"


def _body_too_large(exc: BaseException | None, depth: int = 0) -> BodyTooLarge | None:
    """The BodyTooLarge behind a wrapped exception (cause, context or exception group), if any."""
    if exc is None or depth > 8:
        return None
    if isinstance(exc, BodyTooLarge):
        return exc
    for inner in getattr(exc, "exceptions", ()):
        found = _body_too_large(inner, depth + 1)
        if found is not None:
            return found
    return _body_too_large(exc.__cause__ or exc.__context__, depth + 1)


def _add_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        location = f"/login?next={quote(target)}" if request.method == "GET" else "/login"
        if exc.expired:
            location += ("&" if "?" in location else "?") + "expired=1"
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": location})
        return RedirectResponse(location, status_code=303)

    @app.exception_handler(PasswordChangeRequired)
    async def password_required(request: Request, exc: PasswordChangeRequired) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=403, headers={"HX-Redirect": "/password?required=1"})
        return RedirectResponse("/password?required=1", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return _error(request, 403, "无权访问", exc.message)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _error(request, 404, "未找到", exc.message)

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, exc: CsrfFailed) -> Response:
        return _error(request, 403, "表单已失效", "表单缺少或带有过期的安全令牌，请刷新页面后重新提交。")

    @app.exception_handler(BodyTooLarge)
    async def body_too_large(request: Request, exc: BodyTooLarge) -> Response:
        return _error(request, 413, "内容太大", too_large_message(exc.limit))

    @app.exception_handler(HotlineError)
    async def hotline_error(request: Request, exc: HotlineError) -> Response:
        return _error(request, 400, "操作未完成", error_text(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        status, message = _bad_params(exc)
        return _http_page(request, status, message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        too_large = _body_too_large(exc)  # FastAPI wraps failures while reading the form
        if too_large is not None:
            return _error(request, 413, "内容太大", too_large_message(too_large.limit))
        message = exc.detail if isinstance(exc.detail, str) and any("\u4e00" <= ch <= "\u9fff" for ch in exc.detail) else None
        return _http_page(request, exc.status_code, message)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("未处理的错误：%s %s", request.method, request.url.path)
        return _http_page(request, 500)
