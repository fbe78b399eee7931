"""Request bodies are counted while they arrive: an upload over the limit is refused as soon as the
limit is passed (or at once, from its Content-Length), never read whole and then rejected."""

from __future__ import annotations

from typing import Any

UPLOAD_PATHS = ("/upload", "/calls/")  # transcript uploads and recordings
FORM_LIMIT = 4 * 1024 * 1024  # every other form (the largest is a rulebook override of 200 KB)


class BodyTooLarge(Exception):
    def __init__(self, limit: int):
        super().__init__(limit)
        self.limit = limit


class BodyLimit:
    """ASGI middleware: ``upload_limit`` bytes for uploads, ``FORM_LIMIT`` for everything else."""

    def __init__(self, app: Any, upload_limit: int):
        self.app = app
        self.upload_limit = upload_limit

    def _limit(self, path: str) -> int:
        if path == "/upload" or (path.startswith("/calls/") and path.endswith("/recording")):
            return self.upload_limit + 1024 * 1024  # the multipart framing around the files
        return FORM_LIMIT

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["path"])
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(send, limit)  # refused before a byte of the body is read
            return
        seen = 0

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


def too_large_message(limit: int) -> str:
    return f"上传内容超过 {max(1, limit // 1048576 - 1)} MB 上限，文件都没有保存。请分批上传。"


async def _refuse(send: Any, limit: int) -> None:
    from hotline.web.render import templates

    html = templates().env.get_template("error.html").render(
        title="内容太大", message=too_large_message(limit), user=None, csrf_token="", request=None)
    body = html.encode("utf-8")
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
