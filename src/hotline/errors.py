"""Errors with stable codes that say where the problem is and what to do.

Every error a user can cause (a bad file, a bad rulebook, a bad option) is a ``HotlineError``;
the CLI prints its message in one line and never shows a traceback."""

from __future__ import annotations

import errno


class HotlineError(Exception):
    """Base class. ``code`` is stable (E1xx formats, E2xx rulebook, E3xx inspect, E4xx workorder,
    E5xx simulate, E6xx curriculum, E7xx audio, E8xx store/web)."""

    code = "E000"

    def __init__(self, message: str, *, source: str | None = None, location: str | None = None):
        self.message = message
        self.source = source
        self.location = location
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.source:
            where = f" {self.source}"
            if self.location:
                where += f" {self.location}"
            where += ":"
        return f"[{self.code}]{where} {self.message}"


class FormatError(HotlineError):
    """A transcript file could not be read."""

    code = "E100"


class RulebookError(HotlineError):
    """A rulebook or lexicon file is invalid."""

    code = "E200"


class ContentError(HotlineError):
    """A content file (scenario, lesson, question, taxonomy…) is invalid."""

    code = "E600"


_OS_REASONS = {
    errno.ENOENT: "文件或文件夹不存在",
    errno.EACCES: "没有读写权限",
    errno.EPERM: "没有读写权限",
    errno.EISDIR: "这是文件夹，不是文件",
    errno.ENOTDIR: "路径中有一部分不是文件夹",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "只读文件系统，无法写入",
    errno.EEXIST: "文件已存在",
    errno.ENAMETOOLONG: "文件名太长",
}


def describe_os_error(exc: OSError, *, with_name: bool = True) -> str:
    """A Chinese reason for a file-system error (never the operating system's English)."""
    reason = _OS_REASONS.get(exc.errno or 0, f"无法读写文件（系统错误码 {exc.errno}）")
    return f"{exc.filename}：{reason}" if exc.filename and with_name else reason
