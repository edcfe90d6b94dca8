"""Settings, read from `KVALITET_*` environment variables and an optional `.env` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KVALITET_", env_file=".env", extra="ignore")

    database_url: SecretStr | None = Field(
        default=None,
        description="PostgreSQL URL (postgresql+asyncpg://…). Unset: an embedded server in data_dir.",
    )
    data_dir: Path = Field(default=Path("kvalitet-data"), description="Embedded database and local keys.")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_json: bool = Field(default=False, description="JSON log lines (production) instead of console lines.")
    auto_migrate: bool = Field(default=True, description="`serve` applies pending migrations at start.")
    graphiql: bool = True
    max_page_size: int = Field(default=100, ge=1, le=10_000)
    default_page_size: int = Field(default=50, ge=1, le=10_000)
    profile_dirs: list[Path] = Field(
        default_factory=list,
        description="Directories of data-only profiles to load besides the installed ones (JSON list).",
    )
    db_pool_size: int = Field(default=10, ge=1, le=200)

    def redacted(self) -> dict[str, object]:
        """The resolved settings, fit for a log line: the database password is hidden."""
        values = self.model_dump()
        values["data_dir"] = str(self.data_dir)
        if self.database_url is not None:
            url = make_url(self.database_url.get_secret_value())
            values["database_url"] = url.render_as_string(hide_password=True)
        else:
            values["database_url"] = None
        return values


@lru_cache
def get_settings() -> Settings:
    return Settings()
