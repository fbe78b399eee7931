"""The optional LLM responder: rewords the offline line, sees only revealed facts, falls back on any failure."""

from __future__ import annotations

import json

import httpx
import pytest
from drill_helpers import play

from hotline.simulate.llm import LLMResponder


def transport(reply: str | None = None, status: int = 200, seen: list | None = None) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if seen is not None:
            seen.append((str(request.url), request.headers.get("authorization"), body))
        if reply is None:
            raise httpx.ConnectError("offline", request=request)
        return httpx.Response(status, json={"choices": [{"message": {"content": reply}}]})

    return httpx.MockTransport(handler)


def test_llm_rewords_and_sees_only_revealed_facts(library):
    seen: list = []
    llm = LLMResponder("http://llm.local/v1/", "qwen", api_key="k", transport=transport("俺叫王建国，你记好。", seen=seen))
    s = play("wage-construction", ["您好，12345热线", "请问您贵姓？"], library=library, responder=llm)
    assert s.turns[-1].text == "俺叫王建国，你记好。"
    url, auth, body = seen[-1]
    assert url == "http://llm.local/v1/chat/completions" and auth == "Bearer k" and body["model"] == "qwen"
    prompt = body["messages"][0]["content"] + body["messages"][1]["content"]
    assert "王建国" in prompt and "13903716688" not in prompt and "两万三千元" not in prompt


@pytest.mark.parametrize(("reply", "status"), [(None, 200), ("服务器错误", 500), ("", 200), ("太长" * 200, 200)])
def test_llm_failure_falls_back_to_the_offline_line(library, reply, status):
    llm = LLMResponder("http://llm.local/v1", transport=transport(reply, status))
    offline = play("wage-construction", ["您好，12345热线", "请问您贵姓？"], library=library)
    s = play("wage-construction", ["您好，12345热线", "请问您贵姓？"], library=library, responder=llm)
    assert [t.text for t in s.turns] == [t.text for t in offline.turns]
    if reply is None or status != 200:
        assert llm.last_error


def test_llm_from_env(monkeypatch):
    monkeypatch.delenv("HOTLINE_LLM_URL", raising=False)
    assert LLMResponder.from_env() is None
    monkeypatch.setenv("HOTLINE_LLM_URL", "http://x/v1")
    monkeypatch.setenv("HOTLINE_LLM_MODEL", "m")
    llm = LLMResponder.from_env()
    assert llm is not None and llm.base_url == "http://x/v1" and llm.model == "m"
