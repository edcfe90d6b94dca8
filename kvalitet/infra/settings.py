"""Settings, read from `KVALITET_*` environment variables and an optional `.env` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url


class RefreshJob(BaseModel):
    """One table of Udir's export API and the filter it is fetched with, as
    `kvalitet indicators import TABLE --filter FILTER` would; checked when the settings are read."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    table: str
    filter: str

    @field_validator("table")
    @classmethod
    def _known_export_table(cls, table: str) -> str:
        from kvalitet.indicators import catalogue

        if not table.startswith("eksport:") or table not in catalogue.tables():
            known = ", ".join(name for name in catalogue.tables() if name.startswith("eksport:"))
            raise ValueError(f"«{table}» is not an export-API table of the catalogue (known: {known})")
        return table

    @field_validator("filter")
    @classmethod
    def _given(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the export API needs a filter, e.g. TidID(202412)")
        return value.strip()

    @property
    def scope(self) -> str:
        """The batches' scope: an import of the same table and filter from the CLI is the same."""
        from kvalitet.indicators.imports import scope_of

        return scope_of(self.table, self.filter)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KVALITET_", env_file=".env", extra="ignore")

    database_url: SecretStr | None = Field(
        default=None,
        description="PostgreSQL URL (postgresql+asyncpg://…). Unset: an embedded server in data_dir.",
    )
    read_database_url: SecretStr | None = Field(
        default=None,
        description="A read replica (or its pooler) of the same database, for the compiled reads: one read-only "
        "statement a query. Unset: they read from `database_url`. Writes, mutations' answers and every other read "
        "stay on `database_url`.",
    )
    data_dir: Path = Field(default=Path("kvalitet-data"), description="Embedded database and local keys.")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_json: bool = Field(
        default=False, description="JSON log lines (production) instead of console lines, uvicorn's included."
    )
    metrics_token: SecretStr | None = Field(
        default=None, description="Bearer token for `/metrics`; unset: `/metrics` answers loopback callers only."
    )
    worker_metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="`kvalitet worker` serves its metrics (webhook deliveries, its pools) at this port on `host`.",
    )
    auto_migrate: bool = Field(default=True, description="`serve` applies pending migrations at start.")
    graphiql: bool = True
    max_page_size: int = Field(default=100, ge=1, le=10_000)
    default_page_size: int = Field(default=50, ge=1, le=10_000)
    profile_dirs: list[Path] = Field(
        default_factory=list,
        description="Directories of data-only profiles to load besides the installed ones (JSON list).",
    )
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_connection_check: Literal["refuse", "warn", "off"] = Field(
        default="refuse",
        description="What `serve` does when its workers' pools could open more connections than the server's "
        "max_connections allows: refuse to start, warn, or not check (behind a connection pooler).",
    )
    shutdown_drain_seconds: int = Field(
        default=20,
        ge=1,
        le=600,
        description="On SIGTERM, how long `serve` lets requests in flight finish before it closes them.",
    )
    compiled_queries: bool = Field(
        default=True,
        description="Answer a query whose fields the compiler knows with one SQL statement (false: always "
        "graphql-core's default execution).",
    )
    statement_timeout_ms: int = Field(default=15_000, ge=100, description="Longest a database statement may run.")
    idle_in_transaction_timeout_ms: int = Field(
        default=60_000, ge=100, description="Longest a database session may sit idle inside a transaction."
    )

    # Authentication.
    local_tokens: bool = Field(default=True, description="Accept `kvalitet token create` tokens (development).")
    oidc_issuer: str | None = Field(default=None, description="The OIDC provider's issuer (`iss`).")
    oidc_jwks_url: str | None = Field(default=None, description="Where the provider publishes its signing keys.")
    oidc_audience: str | None = Field(default=None, description="The `aud` tokens must carry, if any.")
    oidc_subject_claim: str = Field(default="sub", description="Claim (dotted path) naming the person.")
    oidc_roles_claim: str = Field(default="kvalitet_roles", description="Claim (dotted path) holding the roles.")
    oidc_algorithms: list[str] = Field(default_factory=lambda: ["RS256", "ES256"])
    oidc_jwks_ttl: int = Field(default=3600, ge=10)
    oidc_jwks_cooldown: float = Field(
        default=60, ge=0, description="Least time between two JWKS fetches (an unknown key id fetches early)."
    )

    # Webhooks.
    webhook_worker: bool = Field(default=True, description="`serve` runs the delivery worker in each process.")
    webhook_max_attempts: int = Field(default=8, ge=1, le=50, description="Tries before a delivery is dead.")
    webhook_backoff_seconds: float = Field(default=30, gt=0, description="Wait after the first failure; doubles.")
    webhook_timeout_seconds: float = Field(default=10, gt=0)
    webhook_poll_seconds: float = Field(default=2, gt=0)
    webhook_allow_http: bool = Field(default=True, description="Allow http:// receivers (set false in production).")
    webhook_allow_private_targets: bool = Field(
        default=False,
        description="Allow receivers on loopback, private, link-local or other non-public addresses (development).",
    )
    webhook_concurrency: int = Field(default=10, ge=1, le=500, description="Posts in flight at once per worker.")
    webhook_subscription_concurrency: int = Field(
        default=2, ge=1, le=100, description="Posts in flight at once to one subscription, over all workers."
    )

    # Indicators (Udir's statistics bank).
    udir_base_url: str = Field(
        default="https://api.statistikkbanken.udir.no/api/rest/v2/Eksport",
        description="The statistics bank's export API (`kvalitet indicators import`).",
    )
    udir_timeout_seconds: float = Field(default=60, gt=0, description="Longest wait for one page.")
    udir_attempts: int = Field(default=4, ge=1, le=20, description="Tries of a request before the import stops.")
    indicator_refresh: list[RefreshJob] = Field(
        default_factory=list,
        description="Export-API tables the worker imports again on a schedule (JSON list of "
        '`{"table": "eksport:150", "filter": "TidID(202412)_EnhetNivaa(3)"}`).',
    )
    indicator_refresh_hours: float = Field(
        default=24, gt=0, description="How often each table of `indicator_refresh` is fetched again."
    )
    indicator_refresh_check_seconds: float = Field(
        default=300, gt=0, description="How often the worker looks for a table that is due."
    )

    # Fair limits (kvalitet.web.ratelimit), in query-cost units a minute; 0: none.
    rate_limit_cost_per_minute: int = Field(
        default=0, ge=0, description="What each caller may spend a minute (anonymous callers: each client address)."
    )
    rate_limit_tenant_cost_per_minute: int = Field(
        default=0, ge=0, description="What all the callers of one municipality may spend together a minute."
    )
    rate_limit_roles: dict[str, int] = Field(
        default_factory=dict,
        description='A caller\'s limit by role, instead of the default (JSON: `{"sector_admin": 20000}`); the most '
        "generous of the caller's roles applies.",
    )
    rate_limit_api_keys: dict[str, int] = Field(
        default_factory=dict,
        description="An API key's limit by its prefix, instead of its roles' or the default (JSON).",
    )

    # The national registers (kvalitet.registers.sync).
    nsr_base_url: str = Field(default="https://data-nsr.udir.no", description="NSR's open API (schools).")
    nbr_base_url: str = Field(default="https://data-nbr.udir.no", description="NBR's open API (kindergartens).")
    register_sync: list[str] = Field(
        default_factory=list,
        description='Municipalities (numbers, JSON list: `["5501"]`) whose units the worker syncs with the '
        "registers on a schedule.",
    )
    register_sync_hours: float = Field(default=24, gt=0, description="How often each municipality is synced.")
    register_sync_check_seconds: float = Field(
        default=300, gt=0, description="How often the worker looks for a municipality that is due."
    )

    # Persisted queries (kvalitet.web.persisted).
    persisted_queries: Literal["auto", "only", "off"] = Field(
        default="auto",
        description="auto: automatic persisted queries (a document sent once runs by its hash after); only: "
        "nothing runs but the operations of `persisted_query_file`; off: `extensions.persistedQuery` is ignored.",
    )
    persisted_query_file: Path | None = Field(
        default=None,
        description="The operations that may run with `persisted_queries=only`: Apollo's persisted query manifest, "
        "or a JSON object of SHA-256 → document.",
    )
    persisted_query_cache_size: int = Field(
        default=2_000, ge=1, description="Documents kept per process by their hash (automatic mode)."
    )

    @model_validator(mode="after")
    def _allow_list_has_its_file(self) -> Settings:
        if self.persisted_queries == "only" and self.persisted_query_file is None:
            raise ValueError("persisted_queries=only needs persisted_query_file: the operations that may run")
        return self

    # Limits against abuse.
    introspection: bool = Field(default=True, description="Answer introspection queries (off in production).")
    max_query_depth: int = Field(default=12, ge=2, le=50)
    max_query_tokens: int = Field(default=2_000, ge=50)
    max_query_aliases: int = Field(default=30, ge=1)
    max_query_cost: int = Field(default=50_000, ge=10, description="Most objects a query may ask for (estimated).")
    max_body_bytes: int = Field(default=1_000_000, ge=1_000)
    document_cache_size: int = Field(
        default=500, ge=0, description="Parsed and validated documents kept per process, by their text (0: none)."
    )
    max_header_bytes: int = Field(default=32_768, ge=1_024, description="Largest request line and headers.")
    http_head_timeout_seconds: float = Field(
        default=10, gt=0, description="Longest a request's line and headers may take to arrive."
    )
    http_body_timeout_seconds: float = Field(
        default=30, gt=0, description="Longest a request's body may take to arrive."
    )

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
