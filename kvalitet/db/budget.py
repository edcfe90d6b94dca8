"""The connection budget: what the service's processes may open at most, against what the
PostgreSQL server accepts. Checked by `kvalitet serve` before any worker starts, so a
configuration that would run out of connections under load (and answer 503s then) is found at
start-up instead."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from kvalitet.db.engine import Database, pool_sizes


@dataclass(frozen=True)
class Budget:
    """How many connections `processes` processes may open, and how many the server has for them."""

    processes: int
    per_process: int
    available: int

    @property
    def needed(self) -> int:
        return self.processes * self.per_process

    @property
    def fits(self) -> bool:
        return self.needed <= self.available

    def explain(self) -> str:
        return (
            f"{self.processes} process(es) × {self.per_process} connections each = {self.needed}, but the database "
            f"server accepts {self.available} besides its reserved ones (max_connections). Lower "
            "KVALITET_DB_POOL_SIZE or the number of workers, raise max_connections, or put a connection pooler "
            "in front and set KVALITET_DB_CONNECTION_CHECK=warn."
        )


async def budget(database: Database, processes: int, pool_size: int, *, reads_elsewhere: bool = False) -> Budget:
    """The budget of `processes` processes with pools of `pool_size`, against what the server of
    `database` accepts: its `max_connections` less the connections it reserves for superusers
    and for roles with `pg_use_reserved_connections`. `reads_elsewhere`: the compiled reads go to
    another server (`KVALITET_READ_DATABASE_URL`), so their pool is not this server's."""
    async with database.engine.connect() as connection:
        row = (
            await connection.execute(
                text(
                    "SELECT current_setting('max_connections')::int"
                    " - current_setting('superuser_reserved_connections')::int"
                    " - coalesce(current_setting('reserved_connections', true)::int, 0)"
                )
            )
        ).scalar_one()
    sizes = pool_sizes(pool_size)
    if reads_elsewhere:
        del sizes["reader"]  # the compiled reads' connections are the replica's
    return Budget(processes=processes, per_process=sum(sizes.values()), available=int(row))
