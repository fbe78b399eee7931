"""Uploads: the size limit while the body streams in, every failure recorded on the batch (never
left running), restart recovery, uploaded copies removed, the batch history, recordings."""

from __future__ import annotations

import io
import json
import re

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from web_helpers import login, settings_for

from hotline.store.models import Call, ImportBatch
from hotline.web.app import create_app

GOOD = "坐席：您好，12345热线，请问有什么可以帮您？\n市民：路灯坏了。\n坐席：好的，感谢您的来电，再见。"


def _batches(client) -> list[ImportBatch]:
    with client.app.state.factory() as db:
        return list(db.scalars(select(ImportBatch).order_by(ImportBatch.id)))


def _leftovers(client) -> list:
    uploads = client.app.state.settings.resolved_data_dir() / "uploads"
    return [p for p in uploads.rglob("*") if p.is_file()] if uploads.exists() else []


@pytest.fixture
def small(web_engine, tmp_path):
    settings = settings_for(tmp_path)
    settings.max_upload_mb = 1
    with TestClient(create_app(settings, engine=web_engine)) as c:
        yield c


def test_an_oversized_upload_is_refused_before_it_is_read_and_leaves_nothing(small):
    csrf = login(small, "lead")
    before = len(_batches(small))
    files = [("files", ("a.txt", io.BytesIO(GOOD.encode()), "text/plain")),
             ("files", ("big.txt", io.BytesIO(b"x" * (3 * 1024 * 1024)), "text/plain"))]
    resp = small.post("/upload", data={"csrf_token": csrf}, files=files)
    assert resp.status_code == 413 and "上限" in resp.text
    assert len(_batches(small)) == before and _leftovers(small) == []


def test_a_streamed_upload_without_length_is_cut_off_at_the_limit(web_engine, tmp_path):
    """Through a real server (the test client reads bodies whole): chunked, no Content-Length."""
    import http.client
    import select

    from web_fixtures import running

    settings = settings_for(tmp_path)
    settings.max_upload_mb = 1
    app = create_app(settings, engine=web_engine)
    with TestClient(app) as c:
        csrf = login(c, "lead")
        cookie = c.cookies.get("hotline_session")
    boundary, sent = "xyz123", 0
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.txt\"\r\n"
            "Content-Type: text/plain\r\n\r\n").encode()
    with running(app) as url:
        conn = http.client.HTTPConnection(url.removeprefix("http://"), timeout=30)
        conn.putrequest("POST", "/upload")
        conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        conn.putheader("Transfer-Encoding", "chunked")
        conn.putheader("Cookie", f"hotline_session={cookie}")
        conn.endheaders()
        try:
            for chunk in [head] + [b"y" * (256 * 1024)] * 160:  # 40 MB offered
                if select.select([conn.sock], [], [], 0)[0]:
                    break  # the server has answered already: stop sending
                conn.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
            else:
                conn.send(b"0\r\n\r\n")
        except OSError:
            pass  # the server closed the connection: what a refused upload should do
        resp = conn.getresponse()
        body = resp.read().decode("utf-8", "replace")
        conn.close()
    assert resp.status == 413 and "上限" in body
    assert sent < 20 * (1 << 20), f"{sent} bytes were taken before the refusal"
    uploads = settings.resolved_data_dir() / "uploads"
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))


def test_a_file_over_the_limit_within_the_body_limit_keeps_no_batch(small):
    csrf = login(small, "lead")
    files = [("files", ("big.txt", io.BytesIO(b"z" * (1024 * 1024 + 10)), "text/plain"))]
    before = len(_batches(small))
    resp = small.post("/upload", data={"csrf_token": csrf}, files=files)
    assert resp.status_code == 413 and len(_batches(small)) == before


def test_nested_json_is_a_recorded_failure_not_a_stuck_batch(client):
    csrf = login(client, "lead")
    nested = "[" * 100_000 + "]" * 100_000
    files = [("files", ("deep.json", io.BytesIO(nested.encode()), "application/json")),
             ("files", ("ok.txt", io.BytesIO(GOOD.encode()), "text/plain"))]
    resp = client.post("/upload", data={"csrf_token": csrf}, files=files, follow_redirects=False)
    page = client.get(resp.headers["location"]).text
    assert 'data-status="done"' in page and re.search(r'id="calls-ok">1<', page)
    assert "deep.json" in page and "嵌套" in page
    assert _leftovers(client) == []


def test_a_parquet_upload_imports_its_calls_and_lists_its_bad_rows(client):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [{"id": "pq-1", "turns": [{"speaker": "agent", "text": "您好，12345热线，请问有什么可以帮您？"},
                                     {"speaker": "citizen", "text": "路灯坏了。"}]},
            {"id": "pq-2", "turns": []}]
    body = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), body)
    csrf = login(client, "lead")
    resp = client.post("/upload", data={"csrf_token": csrf}, follow_redirects=False,
                       files=[("files", ("calls.parquet", io.BytesIO(body.getvalue()), "application/octet-stream"))])
    page = client.get(resp.headers["location"]).text
    assert 'data-status="done"' in page and re.search(r'id="calls-ok">1<', page)
    assert "calls.parquet" in page and "第 2 行" in page and "没有任何话轮" in page
    assert _leftovers(client) == []


def test_an_inspector_failure_fails_the_call_not_the_batch(app, client):
    def broken(call):
        raise RuntimeError("boom")

    app.state.inspector = broken
    csrf = login(client, "lead")
    resp = client.post("/upload", data={"csrf_token": csrf}, files=[("files", ("a.txt", io.BytesIO(GOOD.encode()), "text/plain"))],
                       follow_redirects=False)
    page = client.get(resp.headers["location"]).text
    assert 'data-status="done"' in page and "质检失败" in page and "boom" not in page


def test_batches_left_running_by_a_restart_are_failed_at_start_up(web_engine, tmp_path):
    settings = settings_for(tmp_path)
    folder = settings.resolved_data_dir() / "uploads" / "77"
    folder.mkdir(parents=True)
    (folder / "000_calls.jsonl").write_text("{}", encoding="utf-8")
    from hotline.store.db import session_factory

    with session_factory(web_engine)() as db:
        running = ImportBatch(filenames=["calls.jsonl"], files_total=1, status="running")
        queued = ImportBatch(filenames=["b.jsonl"], files_total=1, status="queued")
        db.add_all([running, queued])
        db.commit()
        ids = [running.id, queued.id]
    with TestClient(create_app(settings, engine=web_engine)) as c:
        login(c, "lead")
        for batch_id in ids:
            page = c.get(f"/batches/{batch_id}").text
            assert 'data-status="failed"' in page and "重启" in page and "hx-trigger" not in page
        listing = c.get("/batches").text
        assert all(f'data-batch="{i}" data-status="failed"' in listing for i in ids)
    assert not folder.exists()


def test_the_batch_history_lists_counts_and_links_to_rejected_records(client):
    csrf = login(client, "lead")
    body = f"{GOOD}\n"
    bad = '{"id": "x", "turns": "not a list"}\n'
    client.post("/upload", data={"csrf_token": csrf}, files=[("files", ("good.txt", io.BytesIO(body.encode()), "text/plain")),
                                                           ("files", ("bad.jsonl", io.BytesIO(bad.encode()), "application/json"))])
    page = client.get("/batches").text
    row = re.search(r'<tr data-batch="(\d+)" data-status="done">(.*?)</tr>', page, re.S)
    assert row and "good.txt" in row.group(2) and "#errors" in row.group(2)
    detail = client.get(f"/batches/{row.group(1)}").text
    assert "bad.jsonl" in detail and "未导入的记录" in detail


def test_a_recording_uploaded_with_its_transcript_plays_beside_the_turns(client):
    csrf = login(client, "lead")
    timed = json.dumps({"id": "rec-1", "meta": {"agent_id": "3145"}, "turns": [
        {"speaker": "agent", "text": "您好，12345热线，请问有什么可以帮您？", "start": 0.0, "end": 2.5},
        {"speaker": "citizen", "text": "路灯坏了。", "start": 3.0, "end": 4.0}]}, ensure_ascii=False)
    wav = b"RIFF\x24\x00\x00\x00WAVEfmt "
    files = [("files", ("rec-1.json", io.BytesIO(timed.encode()), "application/json")),
             ("files", ("rec-1.wav", io.BytesIO(wav), "audio/wav"))]
    client.post("/upload", data={"csrf_token": csrf}, files=files)
    with client.app.state.factory() as db:
        call = db.scalar(select(Call).where(Call.external_id == "rec-1"))
        assert call.recording
    page = client.get(f"/calls/{call.id}").text
    assert f'src="/calls/{call.id}/recording"' in page and 'data-start="3.0"' in page
    audio = client.get(f"/calls/{call.id}/recording")
    assert audio.status_code == 200 and audio.content == wav and audio.headers["content-type"] == "audio/wav"
    assert _leftovers(client) == []
    client.cookies.clear()
    login(client, "trainee2")  # not their call
    assert client.get(f"/calls/{call.id}/recording").status_code == 403


NAMES = st.sampled_from(["a.jsonl", "b.json", "c.csv", "d.txt", "e.dialog", "f.wav", "名单.txt", "x.exe", "...json", "a b.jsonl"])
CONTENT = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=300).map(str.encode),
    st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10)),
                 lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=6), kids, max_size=4)),
                 max_leaves=20).map(lambda v: json.dumps(v).encode()),
    st.just(("[" * 5000 + "]" * 5000).encode()),
    st.just('{"turns": [{"speaker": "agent", "text": "你好"}]}\n{"turns": 5}\n'.encode()),
    st.just("坐席,市民\n".encode("gbk") + b"\xff\xfe\x00"),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(uploads=st.lists(st.tuples(NAMES, CONTENT), min_size=1, max_size=4))
def test_upload_fuzz_never_leaves_a_batch_running(client, uploads):
    csrf = login(client, "lead") if "hotline_session" not in client.cookies else _csrf(client)
    files = [("files", (name, io.BytesIO(data), "application/octet-stream")) for name, data in uploads]
    resp = client.post("/upload", data={"csrf_token": csrf}, files=files, follow_redirects=False)
    assert resp.status_code in (303, 400, 413), resp.text[:300]
    assert all(b.status in ("done", "failed") for b in _batches(client))
    assert _leftovers(client) == []
    with client.app.state.factory() as db:
        assert db.scalar(select(func.count(ImportBatch.id))) is not None


def _csrf(client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/upload").text).group(1)
