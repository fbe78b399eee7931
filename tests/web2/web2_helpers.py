"""Part-2 web test helpers: part 1's seeded database and login (tests/web/web_helpers.py), plus
the answers of a paper and a drill played to its end."""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "web"))

from web_helpers import PASSWORD, ROLE_USERS, Seed, csrf_of, login, seed_database, settings_for  # noqa: E402

__all__ = ["PASSWORD", "ROLE_USERS", "Seed", "csrf_of", "login", "seed_database", "settings_for"]

GOOD_TURNS = [
    "您好，12345政务服务便民热线，1号为您服务，请问有什么可以帮您？",
    "不好意思，请问您贵姓？",
    "麻烦您留一个联系电话好吗？",
    "请问具体地址是哪里？",
    "麻烦您具体说一下是什么情况？",
    "我跟您确认一下，您反映的是小区广场舞噪音扰民，对吗？我们会为您登记并转交生态环境部门，3个工作日内会有工作人员联系您。",
    "请问还有其他可以帮您的吗？",
    "感谢您的来电，再见！",
]
SCENARIO = "noise-square-dance"
ORDER = {"request_type": "投诉", "category": "公安政法 > 噪声扰民 > 广场舞噪声", "department": "高新区公安分局", "urgency": "一般",
         "caller_name": "孙文博", "phone": "13700552481", "address": "高新区科学大道翰林苑小区中心广场",
         "event_time": "每晚19:30到21:30", "deadline": "7 个工作日内", "summary": "小区中心广场每晚广场舞音响音量过大，要求限定音量和时段"}


def two_teams(db) -> dict[str, int]:  # noqa: ANN001
    """一组: trainee and trainer; 二组: trainee2 (exam team scope). Returns the team ids by name."""
    from hotline.store.models import Team, User

    one, two = Team(name="一组"), Team(name="二组")
    db.add_all([one, two])
    db.flush()
    for name, team in (("trainee", one), ("trainer", one), ("trainee2", two)):
        db.query(User).filter_by(username=name).one().team_id = team.id
    db.commit()
    return {"一组": one.id, "二组": two.id}


def paper_answers(items: list, skip_rewrite: bool = True) -> dict[str, list[str]]:
    """Correct answers for a paper's (question, …) items, as the form sends them."""
    out: dict[str, list[str]] = {}
    for q, *_ in items:
        if q.type == "rewrite":
            if not skip_rewrite:
                out[f"q-{q.id}"] = [q.references[0]]
        elif q.type == "true_false":
            out[f"q-{q.id}"] = ["对" if q.answer else "错"]
        else:
            out[f"q-{q.id}"] = q.correct_letters()
    return out


def id_from(url: object) -> int:
    match = re.search(r"/(\d+)(?:/[a-z]+)?(?:[#?].*)?$", str(url))
    assert match, f"no id in {url}"
    return int(match.group(1))
