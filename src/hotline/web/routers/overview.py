"""总览: headline figures and the score distribution chart."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hotline.store.queries import overview
from hotline.web.deps import Db, Staff
from hotline.web.render import render

router = APIRouter(tags=["总览"])
BINS = [f"{lo}–{lo + 9}" if lo < 90 else "90–100" for lo in range(0, 100, 10)]


@router.get("/overview")
def overview_page(request: Request, db: Db, user: Staff) -> Response:
    figures = overview(db, user)
    chart = {"bins": BINS, "counts": figures.histogram}
    return render(request, "overview.html", figures=figures, chart=chart)
