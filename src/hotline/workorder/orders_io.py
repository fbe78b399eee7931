"""Reading written work orders (JSON, YAML, JSONL, CSV, XLSX) and exporting batches to Excel.
Chinese column names (来电人姓名, 联系电话, 诉求类型…) are accepted; a bad record is reported with
its file and record number and the good ones are still read."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import field_validator

from hotline.content import Strict, describe_validation_error, read_yaml
from hotline.errors import describe_os_error
from hotline.model import Address, WorkOrder
from hotline.workorder.dataset import read_table
from hotline.workorder.schema import WorkOrderError, load_request_types, load_urgency, split_path

ALIASES = {
    "通话编号": "call_id", "通话": "call_id", "来电人姓名": "caller_name", "姓名": "caller_name", "来电人": "caller_name",
    "联系电话": "phone", "电话": "phone", "身份证号": "id_number", "地址": "address", "事发地址": "address",
    "事发时间": "event_time", "时间": "event_time", "摘要": "summary", "工单摘要": "summary", "内容": "summary",
    "诉求类型": "request_type", "无效原因": "invalid_reason", "事项分类": "category", "分类": "category",
    "紧急程度": "urgency", "承办部门": "department", "部门": "department", "办理时限": "deadline", "时限": "deadline",
}


class AddressIn(Strict):
    province: str = ""
    city: str = ""
    district: str = ""
    street: str = ""
    detail: str = ""


class OrderIn(Strict):
    call_id: str = ""
    caller_name: str = ""
    phone: str = ""
    id_number: str = ""
    address: AddressIn | str = ""
    event_time: str = ""
    summary: str = ""
    request_type: str = ""
    invalid_reason: str = ""
    category: list[str] | str = []
    urgency: str = "一般"
    department: str = ""
    deadline: str = ""
    meta: dict[str, Any] = {}

    @field_validator("phone", "id_number", "call_id", mode="before")
    @classmethod
    def _digits_as_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) else v

    @field_validator("event_time", "deadline", mode="before")
    @classmethod
    def _dates_as_text(cls, v: Any) -> Any:
        """YAML reads an unquoted 2026-11-19 (or 2026-11-19 22:00:00) as a date; keep it as written."""
        if isinstance(v, datetime):
            return v.strftime("%Y-%m-%d %H:%M")
        return v.isoformat() if isinstance(v, date) else v

    @field_validator("request_type")
    @classmethod
    def _known_type(cls, v: str) -> str:
        names = [*load_request_types().names(), "无效"]
        if v and v not in names:
            raise ValueError(f"诉求类型应为 {'/'.join(names)} 之一，实际为「{v}」")
        return v

    @field_validator("urgency")
    @classmethod
    def _known_urgency(cls, v: str) -> str:
        levels = load_urgency().levels
        if v and v not in levels:
            raise ValueError(f"紧急程度应为 {'/'.join(levels)} 之一，实际为「{v}」")
        return v or levels[0]

    def to_order(self) -> WorkOrder:
        addr = self.address
        if isinstance(addr, str):
            address = _parse_written_address(addr)
        else:
            address = Address(**addr.model_dump())
        category = split_path(self.category) if isinstance(self.category, str) and self.category else (
            list(self.category) if isinstance(self.category, list) else [])
        meta = {**self.meta, "call_id": self.call_id} if self.call_id else dict(self.meta)
        return WorkOrder(self.caller_name, self.phone, self.id_number, address, self.event_time, self.summary,
                         self.request_type, self.invalid_reason, category, self.urgency, self.department,
                         self.deadline, meta)


def _parse_written_address(text: str) -> Address:
    if not text.strip():
        return Address()
    from hotline.workorder.extract import parse_address

    return parse_address(text)


def _translate(obj: Any) -> Any:
    if not isinstance(obj, dict):
        return obj
    return {ALIASES.get(str(k).strip(), str(k).strip()): v for k, v in obj.items()}


def order_from_obj(obj: Any, source: str, where: str | None = None) -> WorkOrder:
    """One order from a parsed mapping; errors name the file, the record and the field."""
    from pydantic import ValidationError

    if not isinstance(obj, dict):
        raise WorkOrderError("工单应为键值对象（字段: 值）", source=source, location=where)
    try:
        return OrderIn.model_validate(_translate(obj)).to_order()
    except ValidationError as exc:
        raise WorkOrderError(describe_validation_error(exc), source=source, location=where) from None


def read_orders(path: Path, on_error: Callable[[WorkOrderError], None] | None = None) -> Iterator[WorkOrder]:
    """Every order in a file; bad records go to ``on_error`` (or raise when there is none)."""
    def handle(exc: WorkOrderError) -> None:
        if on_error is None:
            raise exc
        on_error(exc)

    for where, obj in _records(path):
        try:
            if isinstance(obj, WorkOrderError):
                raise obj
            yield order_from_obj(obj, str(path), where)
        except WorkOrderError as exc:
            handle(exc)


def read_order(path: Path) -> WorkOrder:
    orders = list(read_orders(path))
    if len(orders) != 1:
        raise WorkOrderError(f"应只含一张工单，实际有 {len(orders)} 张", source=str(path))
    return orders[0]


def _records(path: Path) -> Iterator[tuple[str, Any]]:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise WorkOrderError("文件不存在", source=str(path))
    if suffix in (".csv", ".xlsx", ".xlsm"):
        header, rows = read_table(path)
        for line, cells in rows:
            yield f"第 {line} 行", {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}
        return
    if suffix in (".jsonl", ".ndjson"):
        yield from _jsonl_records(path)
        return
    data = read_yaml(path, WorkOrderError)  # YAML is a superset of JSON
    if isinstance(data, dict) and isinstance(data.get("orders"), list):
        data = data["orders"]
    items = data if isinstance(data, list) else [data]
    for n, obj in enumerate(items, start=1):
        yield (f"第 {n} 张工单" if isinstance(data, list) else ""), obj


def _jsonl_records(path: Path) -> Iterator[tuple[str, Any]]:
    for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield f"第 {n} 行", json.loads(line)
        except json.JSONDecodeError as exc:
            yield f"第 {n} 行", WorkOrderError(f"JSON 语法错误：{exc.msg}", source=str(path), location=f"第 {n} 行")


ORDER_COLUMNS = ["通话编号", "来电人姓名", "联系电话", "身份证号", "地址", "事发时间", "诉求类型", "无效原因", "事项分类",
                 "紧急程度", "承办部门", "办理时限", "工单摘要"]


def order_row(call_id: str, o: WorkOrder) -> list[str]:
    return [call_id, o.caller_name, o.phone, o.id_number, o.address.full(), o.event_time, o.request_type,
            o.invalid_reason, "›".join(o.category), o.urgency, o.department, o.deadline, o.summary]


def write_xlsx(path: Path, sheets: dict[str, tuple[list[str], list[list[Any]]]]) -> None:
    """Write one worksheet per entry (bold frozen header, filter, columns sized, cells formula-safe)."""
    from hotline.formats.sheets import fit_columns, workbook_bytes

    body = workbook_bytes((title, fit_columns(header, rows), rows) for title, (header, rows) in sheets.items())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    except OSError as exc:
        raise WorkOrderError(f"无法写入 Excel 文件：{describe_os_error(exc, with_name=False)}", source=str(path)) from None
