"""A Python rule used by the engine tests (the real 工单 rules live in hotline.workorder.checks)."""

from hotline.inspect import Evidence
from hotline.model import Call, WorkOrder


def always_missing(call: Call, order: WorkOrder) -> list[Evidence]:
    return [] if order.phone else [Evidence(None, None, "工单电话为空", "工单缺少联系电话")]
