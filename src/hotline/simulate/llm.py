"""Optional responder: an LLM behind an OpenAI-compatible URL rewords the offline reply in the caller's voice.

The offline responder still decides what the citizen says (facts, mood, endings); the LLM only
rephrases, and sees only the facts already revealed. Any failure falls back to the offline line."""

from __future__ import annotations

import os

from hotline.simulate.responder import OfflineResponder, ReplyContext

ENV_URL = "HOTLINE_LLM_URL"
ENV_MODEL = "HOTLINE_LLM_MODEL"
ENV_KEY = "HOTLINE_LLM_API_KEY"


class LLMResponder:
    def __init__(self, base_url: str, model: str = "default", api_key: str | None = None, timeout: float = 8.0,
                 transport: object | None = None):
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout = timeout
        self.transport = transport
        self.offline = OfflineResponder()
        self.last_error: str | None = None

    @classmethod
    def from_env(cls) -> LLMResponder | None:
        url = os.environ.get(ENV_URL)
        return cls(url, os.environ.get(ENV_MODEL, "default"), os.environ.get(ENV_KEY)) if url else None

    def reply(self, ctx: ReplyContext) -> str:
        draft = self.offline.reply(ctx)
        if not draft:
            return draft
        try:
            text = self._complete(self.messages(ctx, draft))
        except Exception as exc:  # noqa: BLE001 - any network or format failure falls back to the authored line
            self.last_error = f"{type(exc).__name__}: {exc}"
            return draft
        return text if _plausible(text, draft) else draft

    def messages(self, ctx: ReplyContext, draft: str) -> list[dict[str, str]]:
        sc, p = ctx.scenario, ctx.scenario.persona
        facts = "；".join(f"{sc.slots[k].label}：{sc.slots[k].value}" for k in ctx.state.revealed) or "（暂无）"
        system = (
            f"你在扮演拨打12345政务服务便民热线的市民{p.name}，{p.age}岁，性格：{p.colour}色，说话风格：{p.style}"
            f"{'，' + p.dialect if p.dialect else ''}。事情：{sc.summary}。已经说出的事实：{facts}。"
            f"当前情绪：愤怒{ctx.state.anger:.1f}，焦虑{ctx.state.anxiety:.1f}，耐心{ctx.state.patience:.1f}，"
            f"信任{ctx.state.trust:.1f}（0~1）。把给定的市民台词用这个人的口吻改写成一句口语，意思和事实完全不变，"
            "不添加任何新信息，不超过80字，只输出台词本身。"
        )
        user = f"坐席刚才说：{ctx.trainee_text or '（沉默）'}\n市民台词：{draft}"
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    def _complete(self, messages: list[dict[str, str]]) -> str:
        import httpx

        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        kwargs = {"transport": self.transport} if self.transport is not None else {}
        with httpx.Client(timeout=self.timeout, **kwargs) as client:  # type: ignore[arg-type]
            resp = client.post(f"{self.base_url}/chat/completions", headers=headers,
                               json={"model": self.model, "messages": messages, "temperature": 0.7})
            resp.raise_for_status()
            return str(resp.json()["choices"][0]["message"]["content"]).strip()


def _plausible(text: str, draft: str) -> bool:
    return bool(text) and len(text) <= 2 * len(draft) + 40
