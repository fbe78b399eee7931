"""Drill load, run by hand: simulated trainees drilling at once against the web app on 127.0.0.1.

    python benchmarks/bench_web_drills.py [--trainees 200] [--drills 2] [--think 5] [--database-url postgresql://…]

Starts ``hotline web serve`` on a free port over a fresh database (a SQLite file in a temporary
folder unless --database-url is given), creates the trainee accounts, then every trainee logs in
and runs --drills drills (start, up to eight turns through the chat form, 工单, debrief), waiting
--think seconds on average between requests the way a person types. Every trainee says different
lines (each step of the call worded several ways, with lead-ins and details that make every line new:
``benchmarks/fresh.py``), and passwords are hashed as in production. The run is bounded and stops by
itself; it prints the median, 95th percentile (nearest rank) and maximum milliseconds per request
type, and the server's CPU seconds beside the wall seconds."""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from fresh import AGENT_LEADS, AGENT_TAILS, FreshWords, percentile  # noqa: E402

# the steps of a call a trainee takes, each worded several ways
STEPS = [
    ["您好，12345政务服务便民热线，{n}号为您服务，请问有什么可以帮您？", "您好，这里是12345热线，工号{n}，请讲。",
     "您好，市民热线{n}号坐席为您服务，请问您要反映什么问题？"],
    ["不好意思，请问您贵姓？", "请问怎么称呼您？", "方便告诉我您的姓氏吗？", "请问您贵姓？"],
    ["麻烦您留一个联系电话好吗？", "方便留个联系电话吗？", "请问您的联系电话是多少？", "留一个能联系到您的电话可以吗？"],
    ["请问具体地址是哪里？", "麻烦说一下具体在哪个小区、哪条路？", "请问发生在什么位置？", "具体是哪个街道的？"],
    ["麻烦您具体说一下是什么情况？", "您能详细讲讲发生了什么吗？", "请问这个情况持续多久了？", "您慢慢说，具体是怎么回事？"],
    ["我跟您确认一下，您反映的问题我们会为您登记并转交{dept}，{days}个工作日内会有工作人员联系您。",
     "我复述一下您的诉求，我这边登记后转给{dept}，{days}个工作日内给您回复，可以吗？",
     "好的，我已经为您登记，转交{dept}处理，{days}个工作日内答复您。"],
    ["请问还有其他可以帮您的吗？", "还有什么需要帮助的吗？", "您还有别的问题吗？"],
    ["感谢您的来电，再见！", "不客气，祝您生活愉快，再见。", "感谢您的反映，再见！"],
]


def drill_lines(words: FreshWords) -> list[str]:
    """One call's worth of trainee lines, none said before in this run."""
    r = words.rng
    lines = []
    for k, step in enumerate(STEPS):
        lead = "" if k == 0 else words.fill(r.choice(AGENT_LEADS))
        lines.append(words.unique(lead + words.fill(r.choice(step)) + r.choice(AGENT_TAILS), ["{name}先生。", "稍等。"]))
    return lines

SCENARIOS = ["noise-square-dance", "stray-dogs", "road-pothole", "water-outage", "property-leak"]
ORDER = {"request_type": "投诉", "category": "环境保护 > 噪声污染 > 商业经营噪声", "department": "市生态环境局", "urgency": "一般"}
PASSWORD = "bench-pass-123"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(url: str, trainees: int) -> None:
    from hotline.store.accounts import create_user
    from hotline.store.db import make_engine, migrate, session_factory

    engine = make_engine(url)
    migrate(engine)
    with session_factory(engine)() as db:
        for i in range(trainees + 1):
            create_user(db, f"t{i:03d}", PASSWORD, "trainee", display_name=f"学员{i:03d}", agent_code=f"9{i:03d}")
        db.commit()
    engine.dispose()


def start_server(url: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    code = "from hotline.cli import main; main()"
    args = [sys.executable, "-c", code, "web", "serve", "--database-url", url, "--port", str(port)]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("服务没有在 60 秒内启动")


class Trainee:
    def __init__(self, client, name: str, times: dict[str, list[float]], think: float, rng: random.Random,  # noqa: ANN001
                 words: FreshWords):
        self.client, self.name, self.times, self.think, self.rng = client, name, times, think, rng
        self.words = words
        self.csrf = ""
        self.errors = 0
        self.failures: list[str] = []

    async def request(self, kind: str, method: str, path: str, **kw: object):  # noqa: ANN201
        """The response, or None after a failure (counted, and the trainee's drill stops)."""
        import httpx

        await asyncio.sleep(self.rng.uniform(0, 2 * self.think))
        start = time.perf_counter()
        try:
            resp = await self.client.request(method, path, **kw)
        except httpx.HTTPError as exc:
            self.errors += 1
            self.failures.append(f"{kind}: {type(exc).__name__}")
            return None
        self.times[kind].append((time.perf_counter() - start) * 1000)
        if resp.status_code >= 400:
            self.errors += 1
            self.failures.append(f"{kind}: HTTP {resp.status_code}")
            return None
        return resp

    async def login(self) -> bool:
        page = await self.request("登录页 GET /login", "GET", "/login")
        if page is None:
            return False
        data = {"username": self.name, "password": PASSWORD, "csrf_token": TOKEN.search(page.text).group(1)}
        await self.request("登录 POST /login", "POST", "/login", data=data)
        page = await self.request("演练列表 GET /drills", "GET", "/drills")
        match = TOKEN.search(page.text) if page is not None else None
        self.csrf = match.group(1) if match else ""
        return bool(self.csrf)

    async def drill(self) -> None:
        form = {"csrf_token": self.csrf}
        resp = await self.request("开始演练 POST /drills", "POST", "/drills", data={**form, "scenario_id": self.rng.choice(SCENARIOS), "hints": "1"})
        if resp is None:
            return
        path = resp.url.path
        for text in drill_lines(self.words):
            part = await self.request("发言 POST /drills/{id}/say", "POST", f"{path}/say", data={**form, "text": text}, headers={"hx-request": "true"})
            if part is not None and 'id="reply-form"' in part.text:  # live hints: the page asks for the citizen's answer
                part = await self.request("市民回答 POST /drills/{id}/reply", "POST", f"{path}/reply", data=form, headers={"hx-request": "true"})
            if part is None or 'id="call-ended"' in part.text:
                break
        await self.request("刷新 GET /drills/{id}", "GET", path)
        await self.request("提交工单 POST /drills/{id}/order", "POST", f"{path}/order", data={**form, **ORDER})
        await self.request("讲评 GET /drills/{id}/debrief", "GET", f"{path}/debrief")


async def run(base: str, trainees: int, drills: int, think: float) -> tuple[dict[str, list[float]], int, float]:
    import httpx

    times: dict[str, list[float]] = defaultdict(list)
    limits = httpx.Limits(max_connections=trainees + 10)

    failures: list[str] = []
    words = FreshWords(17)  # one generator: no two trainees say the same line

    async def one(i: int, pause: float = think) -> int:
        async with httpx.AsyncClient(base_url=base, follow_redirects=True, timeout=60, limits=limits) as client:
            t = Trainee(client, f"t{i:03d}", times, pause, random.Random(i), words)
            if await t.login():
                for _ in range(drills):
                    await t.drill()
            failures.extend(t.failures)
            return t.errors

    await one(trainees, 0.0)  # warm-up account: first imports and compiled rulebooks, not measured
    times.clear()
    start = time.perf_counter()
    errors = await asyncio.gather(*(one(i) for i in range(trainees)))
    for text, n in Counter(failures).most_common():
        print(f"失败 {n} 次：{text}")
    return times, sum(errors), time.perf_counter() - start


def report(times: dict[str, list[float]], errors: int, elapsed: float, target: float) -> None:
    total = sum(len(v) for v in times.values())
    print(f"请求 {total} 次，用时 {elapsed:.1f} 秒（{total / elapsed:.0f} 次/秒），错误 {errors} 次")
    print(f"{'请求类型':<34}{'次数':>6}{'中位数 ms':>12}{'p95 ms':>10}{'最大 ms':>10}")
    for kind, values in times.items():
        values = sorted(values)
        p95 = percentile(values, 0.95)
        flag = "" if p95 < target else "  ← 超过目标"
        print(f"{kind:<34}{len(values):>6}{statistics.median(values):>12.1f}{p95:>10.1f}{values[-1]:>10.1f}{flag}")


def main() -> None:
    parser = argparse.ArgumentParser(description="并发演练压测（本机 127.0.0.1）")
    parser.add_argument("--trainees", type=int, default=200)
    parser.add_argument("--drills", type=int, default=2, help="每名学员的演练次数")
    parser.add_argument("--think", type=float, default=5.0, help="两次请求之间的平均等待秒数（学员读回复、打一句话的时间）")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--target-ms", type=float, default=200.0)
    args = parser.parse_args()
    env = dict(os.environ)
    print(hashing_note())
    with tempfile.TemporaryDirectory(prefix="bench-drills-") as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        env["HOTLINE_DATA_DIR"] = folder
        prepare(url, args.trainees)
        port = free_port()
        before = os.times()
        server = start_server(url, port, env)
        try:
            times, errors, elapsed = asyncio.run(run(f"http://127.0.0.1:{port}", args.trainees, args.drills, args.think))
            print(f"学员 {args.trainees} 名，每人演练 {args.drills} 次，平均思考 {args.think} 秒；数据库 {url.split(':')[0]}")
            report(times, errors, elapsed, args.target_ms)
        finally:
            stop(server)
        print(server_cpu(before, elapsed))


def hashing_note() -> str:
    """The password hashing in force: production's, unless HOTLINE_ARGON2_* in the environment lowers it."""
    from hotline.store.accounts import _hasher

    lowered = any(os.environ.get(k) for k in ("HOTLINE_ARGON2_TIME_COST", "HOTLINE_ARGON2_MEMORY_KIB"))
    return (f"密码哈希 argon2id：time_cost {_hasher.time_cost}，memory {_hasher.memory_cost} KiB"
            f"（{'环境变量改过，不是生产设置' if lowered else '生产设置'}）")


def server_cpu(before: os.times_result, elapsed: float) -> str:
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return f"服务进程 CPU 时间 {cpu:.1f} 秒（含启动与预热），墙钟 {elapsed:.1f} 秒"


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:  # open keep-alive connections can hold a graceful shutdown
        server.kill()
        server.wait()


if __name__ == "__main__":
    main()
