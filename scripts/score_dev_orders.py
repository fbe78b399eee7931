"""Score 工单 extraction field by field on labelled calls (the development set's ``workorder`` labels):
request type, first-level category (also with old class names translated through legacy_teddy.yaml),
urgency (accuracy, macro-F1 over the three levels, how often each level is produced), caller name,
phone, address, department (same kind of body, product's own body table), whether an event time was
found where the label has one, summary length and forbidden words, and the time per call.

    .venv/bin/python scripts/score_dev_orders.py [--data ../shared/data/dev-calls/calls.jsonl] [--show] [--json out.json]

The calls are read in place and never copied into the project."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "dev-calls" / "calls.jsonl"
LEVELS = ["一般", "紧急", "非常紧急"]


def load_calls(path: Path) -> list[tuple[Any, dict[str, Any]]]:
    """(Call, workorder label) for every labelled line."""
    from hotline.model import Call, Speaker, Turn

    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        turns = [Turn(Speaker(t["speaker"]), t["text"], t.get("start"), t.get("end")) for t in row["turns"]]
        out.append((Call(str(row.get("id", n)), turns, {}), row["workorder"]))
    return out


def macro_f1(pairs: list[tuple[str, str]], labels: list[str]) -> float:
    scores = []
    for lab in labels:
        tp = sum(1 for t, p in pairs if t == lab and p == lab)
        fp = sum(1 for t, p in pairs if t != lab and p == lab)
        fn = sum(1 for t, p in pairs if t == lab and p != lab)
        if tp + fp + fn:
            scores.append(2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores) if scores else 0.0


def _address_ok(label: str, got: str) -> bool:
    return bool(got) and (got[-6:] in label or label[-6:] in got)


def compare(order: Any, label: dict[str, Any]) -> dict[str, bool | None]:
    """Per field: True/False, or None when the label does not ask for it."""
    from hotline.workorder.bodies import same_kind
    from hotline.workorder.legacy import is_legacy_label, to_current

    invalid = label["request_type"] == "无效"
    domain = label["domain"]
    current = to_current([domain])[0] if is_legacy_label(domain) else domain
    top = order.category[0] if order.category else ""
    dept = label.get("department")
    return {
        "request_type": order.request_type == label["request_type"],
        "category": None if invalid else top == domain,
        "category_mapped": None if invalid else top == current,
        "urgency": None if invalid else order.urgency == label["urgency"],
        "name": None if invalid or not label.get("caller_name") else order.caller_name == label["caller_name"],
        "phone": None if invalid or not label.get("phone") else bool(order.phone) == bool(label["phone"]),
        "address": None if invalid or not label.get("address") else _address_ok(label["address"], order.address.full()),
        "department": None if invalid or not dept or dept == "无" else same_kind(dept, order.department),
        "event_time": None if invalid or not label.get("event_time") else bool(order.event_time),
        "summary": len(order.summary) <= 140,
    }


def score(data: list[tuple[Any, dict[str, Any]]], show: bool = False) -> dict[str, Any]:
    from hotline.workorder.order import extract
    from hotline.workorder.schema import load_summary_lexicon

    extract(data[0][0])  # warm the caches: data files, engine, jionlp
    hits: dict[str, list[bool]] = {}
    urgency: list[tuple[str, str]] = []
    seconds: list[float] = []
    banned = load_summary_lexicon().always
    for call, label in data:
        start = time.perf_counter()
        order = extract(call).order
        seconds.append(time.perf_counter() - start)
        result = compare(order, label)
        result["summary"] = bool(result["summary"]) and not any(w in order.summary for w in banned)
        for name, ok in result.items():
            if ok is not None:
                hits.setdefault(name, []).append(bool(ok))
        if result["urgency"] is not None:
            urgency.append((label["urgency"], order.urgency))
        if show and not all(v is not False for v in result.values()):
            wrong = [k for k, v in result.items() if v is False]
            print(f"{call.id} {'/'.join(wrong)} | 类型 {label['request_type']}→{order.request_type} | "
                  f"分类 {label['domain']}→{'›'.join(order.category)} | 紧急 {label['urgency']}→{order.urgency} | "
                  f"姓名 {label.get('caller_name')}→{order.caller_name} | 地址 {label.get('address')}→{order.address.full()} | "
                  f"部门 {label.get('department')}→{order.department}")
    fields = {k: {"right": sum(v), "n": len(v), "share": round(sum(v) / len(v), 3)} for k, v in hits.items()}
    produced = Counter(p for _, p in urgency)
    seconds.sort()
    return {"n": len(data), "fields": fields,
            "urgency": {"macro_f1": round(macro_f1(urgency, LEVELS), 3), "produced": {lv: produced[lv] for lv in LEVELS}},
            "ms_per_call": {"median": round(1000 * seconds[len(seconds) // 2], 1), "max": round(1000 * seconds[-1], 1),
                            "mean": round(1000 * sum(seconds) / len(seconds), 1)}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--show", action="store_true", help="逐条列出有字段不一致的通话")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    if not args.data.is_file():
        print(f"找不到数据文件：{args.data}", file=sys.stderr)
        return 2
    report = score(load_calls(args.data), args.show)
    for name, f in report["fields"].items():
        print(f"{name:<16} {f['share']:.2f}  ({f['right']}/{f['n']})")
    u = report["urgency"]
    print(f"{'urgency macro-F1':<16} {u['macro_f1']:.2f}  产出：{u['produced']}")
    t = report["ms_per_call"]
    print(f"{'每通用时':<14} 中位 {t['median']} ms，平均 {t['mean']} ms，最长 {t['max']} ms（{report['n']} 通）")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
