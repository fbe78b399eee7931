"""Inputs for the benchmarks whose texts do not repeat, and the measures they report (CPU time
beside wall time; a percentile that never rounds its index down).

A benchmark fed the same few sentences over and over measures its caches, not the work: every turn
made here is assembled from clause pools (agent: greeting, asking, listening, soothing, answering,
deflecting, rushing, closing; citizen: the matter, details, emotion, agreement) with slot fillers,
and a turn text already used gets a new detail until it is new. ``distinct_share`` says how far
that held."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from typing import Any

GREETINGS = ["您好，12345政务服务便民热线，{n}号为您服务，请问有什么可以帮您？",
             "您好，这里是12345热线，工号{n}，请讲。", "你好，12345，{n}号话务员，您请说。",
             "您好，市民热线{n}号坐席为您服务。", "喂，12345，请问有什么事？"]
AGENT = {
    "ask": ["请问您贵姓？", "方便留一个联系电话吗？", "请问具体是在{place}哪个位置？", "您说的是几栋几单元？",
            "这个情况持续多久了？", "请问您要反映的是哪个部门的事情？", "具体是哪一天发生的？",
            "您是业主还是租户？", "那边有没有门牌号可以参考？", "您之前有没有找过{dept}？"],
    "listen": ["嗯，明白。", "好的，您接着说。", "嗯嗯，我在听。", "哦，是这样。", "好，我记下了。", "对，您说。"],
    "soothe": ["我非常理解您的心情，您先别着急。", "给您添麻烦了，实在不好意思。", "这确实挺让人着急的，我帮您想办法。",
               "您别急，我们一起把事情说清楚。", "辛苦您了，这么多天一直在等。", "理解您，换了谁都会生气。"],
    "confirm": ["我跟您确认一下：您反映的是{place}{issue}，对吗？", "我复述一下，{place}那边{issue}，是这样吧？",
                "也就是说{issue}已经{days}天了，没错吧？", "您的意思是希望{dept}尽快处理{issue}，对吧？"],
    "answer": ["我已为您登记，转交{dept}处理，{days}个工作日内给您回复。", "这个问题我帮您转给{dept}，请保持电话畅通。",
               "按规定{dept}会在{days}个工作日内联系您。", "您可以带上身份证到{place}附近的便民服务中心办理。",
               "工单编号我稍后短信发给您，您可以凭编号查询进度。", "这类事情一般由{dept}负责，我现在就给您派单。"],
    "deflect": ["这个不归我们管，你去找别的部门吧。", "这事我们管不了。", "你自己去{dept}问吧。", "这个我不知道。",
                "我们这边也没办法，你等通知吧。", "研究研究再说吧。"],
    "rush": ["你快点说，说重点。", "行了行了，我知道了。", "你别啰嗦了。", "还有别的吗，没有我挂了。"],
    "close": ["请问还有其他可以帮您的吗？", "感谢您的来电，再见！", "好的，那先这样，祝您生活愉快。",
              "还有什么需要帮助的吗？没有的话我先挂了。", "不客气，再见。"],
}
CITIZEN = {
    "matter": ["我要反映一下，{place}{issue}，已经{days}天了。", "{place}这边{issue}，你们管不管？",
               "我想问一下{topic}怎么办理。", "我是{place}的住户，{issue}一直没人处理。",
               "麻烦问下，{topic}需要带什么材料？", "我们那儿{issue}，老人孩子都受不了。"],
    "detail": ["我姓{name}，电话是1{d3}{d4}{d4}。", "就在{place}，{n}号楼门口。", "从上个月{days}号开始的。",
               "晚上{h}点以后最严重。", "物业说不归他们管。", "我已经打过{k}次电话了。", "具体在{road}和{road2}交叉口。"],
    "emotion": ["你们到底管不管？我都气死了！", "急死了，孩子明天就要上学了，怎么办啊？", "我真的受够了。",
                "打了好几次电话了，一直没人管！", "你这什么态度？", "这都拖了多久了，有没有人负责啊？"],
    "agree": ["对，就是这样。", "嗯，好的。", "行，那我等消息。", "没有了，谢谢。", "好，麻烦你了。", "是的，没错。"],
}
PLACES = ["阳光花园", "幸福里小区", "东湖路", "锦绣华庭二期", "和平里", "滨江新城", "北关街道", "红星村", "高新区",
          "老城区菜市场", "第三中学", "人民公园", "火车站南广场", "翠湖苑", "工业园三路"]
ISSUES = ["夜间施工噪音扰民", "路灯不亮", "垃圾没人清运", "下水道堵塞", "占道经营", "拖欠工资", "电梯经常坏",
          "楼上漏水", "广场舞音响太吵", "流浪狗伤人", "停水没有通知", "油烟直排", "井盖缺失", "违建搭棚"]
TOPICS = ["社保卡补办", "公积金提取", "居住证", "孩子入学登记", "医保异地备案", "营业执照变更", "老年优待证"]
DEPTS = ["区城管局", "住建局", "街道办", "市场监管局", "生态环境局", "水务集团", "人社局", "公安分局"]
ROADS = ["建设大道", "解放路", "中山路", "黄河路", "长江路", "朝阳街", "青年路", "复兴路"]
NAMES = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙"]
AGENT_LEADS = ["", "", "", "嗯，", "好的，", "那个，", "{name}先生，", "{name}女士，", "阿姨，", "这样啊，", "您好，", "是，"]
CITIZEN_LEADS = ["", "", "", "喂，", "那个，", "我跟你说，", "同志，", "哎，", "是这样的，", "你听我说，", "嗯，"]
AGENT_TAILS = ["", "", "", "您看可以吗？", "您放心。", "好吧？", "稍等一下。", "我这边记一下。", "这个您了解一下。"]
CITIZEN_TAILS = ["", "", "", "真的。", "你们快点吧。", "就这个事。", "麻烦了。", "我等着呢。", "听清楚没有？"]
# a turn already said gets one of these until it is new
AGENT_DETAILS = ["{name}先生。", "{name}女士。", "工单号{d4}。", "{days}号前回复。", "分机{n}。"]
CITIZEN_DETAILS = ["我住{n}号。", "{h}点那会儿。", "尾号{d4}。", "第{k}次了。", "{road}那边。"]
AGENT_FLOW = ["ask", "listen", "soothe", "confirm", "answer", "deflect", "rush", "ask", "answer", "listen"]
CITIZEN_FLOW = ["matter", "detail", "emotion", "detail", "agree", "matter", "detail"]


class FreshWords:
    """Turn texts that are new each time (within one generator)."""

    def __init__(self, seed: int = 7):
        self.rng = random.Random(seed)
        self.seen: set[str] = set()
        self.made = 0
        self.extended = 0

    def fill(self, template: str) -> str:
        r = self.rng
        return template.format(
            n=r.randint(1000, 9999), place=r.choice(PLACES), issue=r.choice(ISSUES), topic=r.choice(TOPICS),
            dept=r.choice(DEPTS), days=r.randint(2, 30), name=r.choice(NAMES), d3=r.randint(30, 99),
            d4=r.randint(1000, 9999), h=r.randint(8, 11), k=r.randint(2, 9), road=r.choice(ROADS),
            road2=r.choice(ROADS))

    def unique(self, text: str, pool: list[str]) -> str:
        while text in self.seen:
            self.extended += 1
            text = text + self.fill(self.rng.choice(pool))
        self.seen.add(text)
        self.made += 1
        return text

    def agent(self, k: int, last: bool) -> str:
        r = self.rng
        if k == 0:
            return self.unique(self.fill(r.choice(GREETINGS)), AGENT_DETAILS)
        if last:
            kinds = ["close"] if r.random() < 0.7 else ["answer", "close"]
        else:
            kinds = [r.choice(AGENT_FLOW) for _ in range(r.choice((1, 1, 2, 2, 3)))]
        text = "".join(self.fill(r.choice(AGENT[kind])) for kind in kinds)
        text = self.fill(r.choice(AGENT_LEADS)) + text + r.choice(AGENT_TAILS)
        return self.unique(text, AGENT_DETAILS)

    def citizen(self, k: int) -> str:
        r = self.rng
        kinds = ["matter"] if k == 1 else [r.choice(CITIZEN_FLOW) for _ in range(r.choice((1, 1, 2, 3)))]
        text = "".join(self.fill(r.choice(CITIZEN[kind])) for kind in kinds)
        text = r.choice(CITIZEN_LEADS) + text + r.choice(CITIZEN_TAILS)
        return self.unique(text, CITIZEN_DETAILS)

    def call(self, i: int, turns: int) -> dict:
        out = []
        clock = 0.0
        for k in range(turns):
            agent = k % 2 == 0
            text = self.agent(k, k >= turns - 2) if agent else self.citizen(k)
            length = max(1.0, len(text) / self.rng.uniform(3.5, 6.0))
            start = clock + self.rng.uniform(0.2, 1.5)
            out.append({"speaker": "agent" if agent else "citizen", "text": text,
                        "start": round(start, 2), "end": round(start + length, 2)})
            clock = start + length
        return {"id": f"bench-{i}", "turns": out, "meta": {"agent_id": str(1000 + i % 50)}}

    def line(self, pool: str = "agent") -> str:
        """One agent (or citizen) sentence as a trainee would type it in a drill."""
        return self.agent(self.rng.randint(1, 9), False) if pool == "agent" else self.citizen(2)

    def distinct_share(self) -> float:
        return len(self.seen) / self.made if self.made else 1.0


def make_calls(n: int, turns: int, seed: int = 7) -> tuple[list[dict], FreshWords]:
    words = FreshWords(seed)
    return [words.call(i, turns) for i in range(n)], words


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile: the smallest value with at least ``q`` of the values at or below it
    (the index is rounded up, never down: p95 of 20 values is the 19th, of 10 values the 10th)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = min(len(ordered), max(1, math.ceil(q * len(ordered) - 1e-9)))  # 0.95 × 20 is 19, not 19.000…1
    return ordered[rank - 1]


def cpu_and_wall(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """CPU seconds of this process (``time.process_time``), wall seconds, and what ``fn`` returned."""
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn()
    return time.process_time() - cpu, time.perf_counter() - wall, out
