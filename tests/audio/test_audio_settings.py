import pytest

from hotline.audio import AudioSettingsError, load_settings
from hotline.audio.settings import AudioSettings, default_settings_path


def test_defaults_file_matches_the_schema_defaults():
    assert load_settings() == AudioSettings()
    assert default_settings_path().is_file()


def test_partial_city_file_overrides_only_its_keys(tmp_path):
    path = tmp_path / "hefei.yaml"
    path.write_text("channels:\n  agent: right\nmetrics:\n  dead_air: 8\n", encoding="utf-8")
    cfg = load_settings(path)
    assert cfg.channels.agent == "right" and cfg.metrics.dead_air == 8
    assert cfg.vad.threshold == 0.5 and cfg.stt.backend == "none"


def test_keyword_overrides_win_over_the_file(tmp_path):
    path = tmp_path / "city.yaml"
    path.write_text("channels: {agent: right}\n", encoding="utf-8")
    assert load_settings(path, channels={"agent": "left"}).channels.agent == "left"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("channels:\n  agnet: left\n", "channels.agnet：不认识的字段"),
        ("channels:\n  agent: middle\n", "channels.agent"),
        ("vad:\n  threshold: 2\n", "vad.threshold"),
        ("stt:\n  backend: cloud\n", "stt.backend"),
        ("vad:\n  threshold: 0.3\n", "neg_threshold"),
        ("- a\n- b\n", "顶层应为键值对"),
        ("vad: [\n", "YAML 语法错误"),
    ],
)
def test_bad_settings_name_the_file_and_the_key(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AudioSettingsError, match=message) as err:
        load_settings(path)
    assert str(path) in str(err.value) and err.value.code == "E701"


def test_missing_settings_file(tmp_path):
    with pytest.raises(AudioSettingsError, match="文件不存在"):
        load_settings(tmp_path / "nope.yaml")
