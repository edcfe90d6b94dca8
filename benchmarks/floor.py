"""The floor of a read over HTTP from Python on this machine: uvicorn, with the loop and HTTP
parser our server runs on (uvloop, httptools), answering each POST with one of db_limit.py's
statements on one asyncpg connection, and nothing else: no authentication, no GraphQL, no
middleware, no pool.

Its latency alone is measured beside our server's and the statement's (run.py): the statement
is timed in a loop inside one process, so the ratio of a server's latency to it also holds the
HTTP request, its parsing and the wake-ups of three processes (client, server, PostgreSQL) that
no server avoids. The floor's own ratio to the statement says how much of that is this machine's.

The request body is `{"statement": name}`; the statements' arguments were worked out from the
dataset by the harness and pickled to $FLOOR_ARGUMENTS. Started by run.py as
`python -m uvicorn benchmarks.floor:app --loop uvloop --http httptools`.
"""

from __future__ import annotations

import asyncio
import json
import os
import pickle

import asyncpg

from .db_limit import STATEMENTS

_state: dict = {}


async def _start() -> None:
    connection = await asyncpg.connect(
        host=os.environ["FLOOR_PGHOST"],
        port=int(os.environ["FLOOR_PGPORT"]),
        user=os.environ["FLOOR_PGUSER"],
        database=os.environ["FLOOR_PGDATABASE"],
    )
    # The answer as the bytes PostgreSQL sent, as our server takes it (kvalitet.db.reader).
    await connection.set_type_codec("text", schema="pg_catalog", format="binary", decoder=bytes, encoder=str.encode)
    with open(os.environ["FLOOR_ARGUMENTS"], "rb") as given:
        arguments = pickle.load(given)
    _state.update(connection=connection, arguments=arguments, lock=asyncio.Lock())


async def app(scope, receive, send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await _start()
                await send({"type": "lifespan.startup.complete"})
            else:
                await _state["connection"].close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    name = json.loads(body)["statement"]
    async with _state["lock"]:  # one connection: one statement at a time
        data = await _state["connection"].fetchval(STATEMENTS[name], *_state["arguments"][name])
    answer = b'{"data":' + data + b"}"
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(answer)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": answer})
