"""Web settings, read once from the environment (``HOTLINE_*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from hotline.store.db import data_dir


def default_assets_dir() -> Path:
    """``node_modules`` at the source checkout's root (filled by ``npm ci``), else under the cwd."""
    repo = Path(__file__).resolve().parents[3] / "node_modules"
    return repo if repo.is_dir() else Path("node_modules").resolve()


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTLINE_", extra="ignore")

    database_url: str | None = None
    data_dir: Path | None = None
    assets_dir: Path | None = None
    session_hours: int = 12
    idle_minutes: int = 30  # 等保: a session unused this long ends (0: never)
    secure_cookies: bool = False
    max_upload_mb: int = 50
    warm_engine: bool = True

    def resolved_data_dir(self) -> Path:
        return (self.data_dir or data_dir()).resolve()

    def resolved_assets_dir(self) -> Path:
        return (self.assets_dir or default_assets_dir()).resolve()
