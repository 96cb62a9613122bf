"""Test shim: fakesnow's HTTP server, made to answer the Node.js snowflake-sdk as Snowflake does.

Ferry's Snowflake destination talks to this server through the unmodified snowflake-sdk. fakesnow
(an emulator built for the Python connector) differs from Snowflake in ways that SDK cannot read,
so this shim wraps fakesnow's server app and fixes only the wire format and session handling:

- Results: fakesnow answers queries with Arrow (`rowsetBase64`), which the Node.js SDK does not
  read (error 401002). Snowflake sends that SDK JSON rowsets of strings, so each Arrow result is
  re-encoded as Snowflake's JSON result format (numbers as decimal text at their scale, booleans
  1/0, dates as days since the epoch, times and timestamps as seconds since midnight / the epoch
  with 9 fraction digits, TIMESTAMP_TZ with its offset in minutes + 1440), with `returned`,
  `total` and result `version` 1, which the SDK needs to complete a statement.
- Sessions: `ALTER SESSION SET name = value` is kept per session and echoed in every response's
  `parameters`, as Snowflake does (the SDK formats times with TIME_OUTPUT_FORMAT from there);
  fakesnow itself does not run ALTER SESSION.
- Logins: fakesnow admits any user with any password into any database (creating it). Snowflake
  refuses a wrong password (error 390100) and does not create databases, so this shim checks the
  one user and password it is started with, and databases exist only when created with
  `--database` or CREATE DATABASE.
- Renames: fakesnow keeps VARCHAR lengths beside DuckDB's tables, keyed by table name, and loses
  them when a table is renamed (VARCHAR(16) turns VARCHAR(16777216)); the shim moves them along.
- Swaps: fakesnow does not run ALTER TABLE a SWAP WITH b, Snowflake's atomic exchange of two
  tables; the shim runs it as three renames in one DuckDB transaction.
- Primary keys: Snowflake records PRIMARY KEY constraints without enforcing them, so it changes a
  key column's type (NUMBER(10,0) -> NUMBER(19,0)) or drops its NOT NULL like any column's. DuckDB
  enforces them and refuses both, so the shim leaves the key out of the DuckDB table.
- DDL in transactions: Snowflake commits the open transaction before a DDL statement and runs the
  statement in a transaction of its own; fakesnow runs DDL inside the open transaction (where
  DuckDB even refuses it, fakesnow writing its metadata to a second database). The shim commits
  first, as Snowflake does. fakesnow also records an empty table comment for every table it
  creates, the temporary tables its MERGE makes inside the transaction too; the shim records
  only comments that were given.
- Missing databases: fakesnow reports a statement on a database that does not exist with DuckDB's
  catalog errors; the shim answers Snowflake's "Database '<name>' does not exist or not
  authorized." (002003) instead.
- Failures: fakesnow answers an exception it does not handle with HTTP 500, which the SDK retries
  for minutes as it would a Snowflake outage; the shim answers it as the failed statement it is.
- Loads: Snowflake reads a quoted empty CSV field ("") as the empty string when
  FIELD_OPTIONALLY_ENCLOSED_BY is set, whereas fakesnow's DuckDB reader turns it into NULL like an
  empty unquoted field; the reader is told to keep quoted fields (allow_quoted_nulls = false).
  fakesnow names the file's columns column0, column1... where DuckDB names them column00,
  column01... from 11 columns on; the reader is given fakesnow's names.

Usage: python fakesnow_json_rowsets_shim.py [--port N] --user U --password P [--database D ...]
Prints `listening on <port>` once it accepts connections.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import decimal
import gzip
import json
import re
import sys
from typing import Any

import pyarrow as pa
import uvicorn
from sqlglot import exp
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import request_response

import fakesnow.copy_into as copy_into
import fakesnow.cursor as cursor
import fakesnow.server as server
import fakesnow.transforms as transforms
from fakesnow.expr import normalise_ident
from fakesnow.instance import FakeSnow

EPOCH = datetime.date(1970, 1, 1)
SESSION_PARAMETER = re.compile(r"(\w+)\s*=\s*('(?:[^']|'')*'|[^\s,]+)")
ALTER_SESSION = re.compile(r"^\s*ALTER\s+SESSION\s+SET\s+(.+?);?\s*$", re.IGNORECASE | re.DOTALL)
SWAP = re.compile(r"^\s*ALTER\s+TABLE\s+(.+?)\s+SWAP\s+WITH\s+(.+?)\s*;?\s*$", re.IGNORECASE | re.DOTALL)
RENAME = re.compile(r"^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(.+?)\s+RENAME\s+TO\s+(.+?)\s*;?\s*$", re.IGNORECASE | re.DOTALL)
NAME_PART = re.compile(r'"(?:[^"]|"")*"|[^."\s]+')
BEGIN = re.compile(r"^\s*(BEGIN|START\s+TRANSACTION)\b", re.IGNORECASE)
END = re.compile(r"^\s*(COMMIT|ROLLBACK)\b", re.IGNORECASE)
DDL = re.compile(r"^\s*(CREATE|ALTER|DROP|UNDROP|COMMENT|GRANT|REVOKE)\b", re.IGNORECASE)
# DuckDB's words for a database that is not attached.
DUCKDB_MISSING_CATALOG = re.compile(r'schema "([^".]+)\._FS_INFORMATION_SCHEMA" does not exist|"([^".]+)" is not a catalog')
# The last part of a qualified name: "quoted" or bare.
LAST_PART = re.compile(r'("(?:[^"]|"")*"|[^."]+)$')

# Parameters Snowflake sends with every result, before the session changes any of them.
DEFAULT_PARAMETERS = {
    "TIMEZONE": "Etc/UTC",
    "TIME_OUTPUT_FORMAT": "HH24:MI:SS",
    "DATE_OUTPUT_FORMAT": "YYYY-MM-DD",
    "TIMESTAMP_OUTPUT_FORMAT": "YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM",
    "TIMESTAMP_NTZ_OUTPUT_FORMAT": "",
    "TIMESTAMP_LTZ_OUTPUT_FORMAT": "",
    "TIMESTAMP_TZ_OUTPUT_FORMAT": "",
}

credentials: dict[str, str] = {}
session_parameters: dict[str, dict[str, str]] = {}
# Sessions inside an explicit transaction (BEGIN ... COMMIT), which fakesnow tracks only without autocommit.
open_transactions: set[str] = set()


def error(code: str, message: str, sql_state: str, status: int = 200) -> JSONResponse:
    return JSONResponse(
        {"data": {"errorCode": code, "sqlState": sql_state}, "code": code, "message": message, "success": False},
        status_code=status,
    )


async def body_json(request: Request) -> dict[str, Any]:
    body = await request.body()
    if request.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return json.loads(body)


async def login_request(request: Request) -> Response:
    data = (await body_json(request))["data"]
    if data.get("LOGIN_NAME", "").upper() != credentials["user"].upper() or data.get("PASSWORD") != credentials["password"]:
        # What Snowflake answers a wrong user or password.
        return error("390100", "Incorrect username or password was specified.", "08004")
    response = await server.login_request(request)
    token = json.loads(bytes(response.body))["data"]["token"]
    session_parameters[token] = dict(DEFAULT_PARAMETERS)
    return response


def with_parameters(token: str, data: dict[str, Any]) -> None:
    parameters = session_parameters.get(token, DEFAULT_PARAMETERS)
    data["parameters"] = [{"name": name, "value": value} for name, value in parameters.items()]


def status_response(token: str, statement_type: int) -> JSONResponse:
    """What Snowflake answers a statement that returns only its status."""
    data: dict[str, Any] = {
        "rowtype": [{"name": "status", "type": "text", "nullable": True, "scale": None, "precision": None, "length": 16777216}],
        "rowset": [["Statement executed successfully."]],
        "total": 1,
        "returned": 1,
        "statementTypeId": statement_type,
        "queryResultFormat": "json",
        "version": 1,
    }
    with_parameters(token, data)
    return JSONResponse({"data": data, "success": True})


async def query_request(request: Request) -> Response:
    token = server.to_token(request) if request.headers.get("Authorization") else ""
    sql = (await body_json(request)).get("sqlText", "")
    if (alter := ALTER_SESSION.match(sql)) and token in session_parameters:
        for name, value in SESSION_PARAMETER.findall(alter[1]):
            session_parameters[token][name.upper()] = value[1:-1].replace("''", "'") if value.startswith("'") else value
        return status_response(token, statement_type=0x4000)

    if DDL.match(sql) and token in open_transactions:
        server.to_conn(token).cursor().execute("COMMIT")
        open_transactions.discard(token)
    if (swap := SWAP.match(sql)) and token in session_parameters:
        return swap_tables(token, swap[1], swap[2])

    response = await server.query_request(request)
    body = json.loads(bytes(response.body))
    if response.status_code == 500:
        return error(body.get("code") or "261000", body.get("message") or "fakesnow failed", "XX000")
    if not body.get("success") and (missing := DUCKDB_MISSING_CATALOG.search(body.get("message") or "")):
        database = missing[1] or missing[2]
        attached = server.to_conn(token)._duck_conn.execute("SELECT 1 FROM duckdb_databases() WHERE database_name = ?", [database]).fetchall()
        if not attached:
            return error("002003", f"SQL compilation error:\nDatabase '{database}' does not exist or not authorized.", "02000")
    if body.get("success") and BEGIN.match(sql):
        open_transactions.add(token)
    elif END.match(sql):
        open_transactions.discard(token)
    if (rename := RENAME.match(sql)) and body.get("success"):
        move_text_lengths(server.to_conn(token), rename[1], rename[2])
    data = body.get("data")
    if body.get("success") and isinstance(data, dict) and "rowtype" in data:
        if "rowsetBase64" in data:
            encoded = data.pop("rowsetBase64")
            data["rowset"] = json_rowset(encoded, data["rowtype"]) if encoded else []
        data["queryResultFormat"] = "json"
        data["returned"] = len(data.get("rowset", []))
        data["total"] = data["returned"]
        data["version"] = 1
        with_parameters(token, data)
    elif body.get("success") and isinstance(data, dict) and "stageInfo" in data:
        # The SDK's GCS client reads the region; an empty one is what Snowflake sends for a presigned URL.
        data["stageInfo"].setdefault("region", "")
    return JSONResponse(body, status_code=response.status_code)


def table_parts(conn: Any, qualified: str) -> list[str]:
    """Catalog, schema and table of a possibly qualified name, as fakesnow stores them."""
    parts = [normalise_ident(part).replace('""', '"') for part in NAME_PART.findall(qualified)]
    return [conn.database, conn.schema, *parts][-3:] if len(parts) == 1 else [conn.database, *parts][-3:]


def move_text_lengths(conn: Any, old: str, new: str) -> None:
    columns = "ext_table_catalog = ? AND ext_table_schema = ? AND ext_table_name = ?"
    table = "_fs_global._fs_information_schema._fs_columns_ext"
    target, source = table_parts(conn, new), table_parts(conn, old)
    # A dropped table's lengths stay behind under its name; the renamed table's replace them.
    conn._duck_conn.execute(f"DELETE FROM {table} WHERE {columns}", target)
    conn._duck_conn.execute(f"UPDATE {table} SET {columns.replace(' AND', ',')} WHERE {columns}", [*target, *source])


def swap_tables(token: str, first: str, second: str) -> Response:
    conn = server.to_conn(token)
    spare = LAST_PART.sub('"_fakesnow_swap"', first)
    name = lambda qualified: LAST_PART.search(qualified)[0]  # noqa: E731
    cur = conn.cursor()
    try:
        cur.execute("BEGIN")
        renames = ((first, spare), (second, LAST_PART.sub(name(first), second)), (spare, LAST_PART.sub(name(second), first)))
        for old, new in renames:
            cur.execute(f"ALTER TABLE {old} RENAME TO {new}")
        cur.execute("COMMIT")
        # After the commit: DuckDB writes one attached database per transaction.
        for old, new in renames:
            move_text_lengths(conn, old, new)
    except Exception as e:  # noqa: BLE001
        cur.execute("ROLLBACK")
        code = f"{getattr(e, 'errno', 2003):06d}"
        return error(code, getattr(e, "msg", str(e)), getattr(e, "sqlstate", None) or "42000")
    return status_response(token, statement_type=0x6000)


def json_rowset(encoded: str, rowtype: list[dict[str, Any]]) -> list[list[str | None]]:
    table = pa.ipc.open_stream(base64.b64decode(encoded)).read_all()
    columns = [[json_value(value, column) for value in array.to_pylist()] for array, column in zip(table.columns, rowtype)]
    return [list(row) for row in zip(*columns)]


def seconds_text(nanoseconds: int) -> str:
    """Seconds with 9 fraction digits, exact for negative values too (-0.000001000)."""
    sign = "-" if nanoseconds < 0 else ""
    whole, fraction = divmod(abs(nanoseconds), 1_000_000_000)
    return f"{sign}{whole}.{fraction:09d}"


def json_value(value: Any, column: dict[str, Any]) -> str | None:
    """One value as Snowflake's JSON result format spells it for the column's type."""
    if value is None:
        return None
    kind = column["type"]
    if kind == "fixed":
        return format(value, "f") if isinstance(value, decimal.Decimal) else str(value)
    if kind == "real":
        return "NaN" if value != value else "inf" if value == float("inf") else "-inf" if value == float("-inf") else repr(value)
    if kind == "boolean":
        return "1" if value else "0"
    if kind == "date":
        return str((value - EPOCH).days)
    if kind == "time":
        return seconds_text(value)
    if kind in ("timestamp_ntz", "timestamp_ltz", "timestamp_tz"):
        # fakesnow's timestamp structs carry no nulls of their own: a NULL has null fields.
        if value["epoch"] is None:
            return None
        text = seconds_text(value["epoch"] * 1_000_000_000 + value["fraction"])
        return f"{text} {value['timezone']}" if kind == "timestamp_tz" else text
    if kind == "binary":
        return bytes(value).hex().upper()
    return str(value)


async def bucket_probe(_: Request) -> Response:
    # The SDK's GCS client asks whether a file exists before uploading it; none do until uploaded.
    return Response(status_code=404)


def csv_reader_as_snowflake() -> None:
    read_expression = copy_into.ReadCSV.read_expression
    inserts = copy_into._inserts

    def read_csv(self: copy_into.ReadCSV, url: str) -> Any:
        expression = read_expression(self, url)
        if self.quote:
            expression.append("expressions", self.make_eq("allow_quoted_nulls", False))
        if width := getattr(self, "width", 0):
            expression.append("expressions", self.make_eq("names", [f"column{i}" for i in range(width)]))
        return expression

    def inserts_by_position(expr: Any, params: Any, *args: Any) -> Any:
        # The target's column list, when given, is as wide as the file.
        params.file_format.width = len(getattr(expr.this, "expressions", []))
        return inserts(expr, params, *args)

    copy_into.ReadCSV.read_expression = read_csv  # type: ignore[method-assign]
    copy_into._inserts = inserts_by_position


def comments_only_when_given() -> None:
    extract = transforms.extract_comment_on_table

    def extract_given(expression: Any) -> Any:
        result = extract(expression)
        if (comment := result.args.get("table_comment")) and comment[1] is None:
            del result.args["table_comment"]
        return result

    transforms.extract_comment_on_table = extract_given


def informational_primary_keys() -> None:
    transform = cursor.FakeSnowflakeCursor._transform

    def without_primary_keys(self: cursor.FakeSnowflakeCursor, expression: Any, params: Any) -> Any:
        if isinstance(expression, exp.Create) and expression.args.get("kind") == "TABLE":
            for key in list(expression.find_all(exp.PrimaryKey, exp.PrimaryKeyColumnConstraint)):
                # An inline key is one constraint of its column: drop that constraint.
                (key.parent if isinstance(key, exp.PrimaryKeyColumnConstraint) else key).pop()
        return transform(self, expression, params)

    cursor.FakeSnowflakeCursor._transform = without_primary_keys  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--database", action="append", default=[])
    args = parser.parse_args()
    credentials.update(user=args.user, password=args.password)

    server.shared_fs = FakeSnow(create_database_on_connect=False, create_schema_on_connect=False)
    for database in args.database:
        server.shared_fs.connect().cursor().execute(f"CREATE DATABASE IF NOT EXISTS {database}")
    csv_reader_as_snowflake()
    informational_primary_keys()
    comments_only_when_given()
    for route in server.app.router.routes:
        if getattr(route, "path", None) == "/session/v1/login-request":
            route.app = request_response(login_request)  # type: ignore[attr-defined]
        elif getattr(route, "path", None) == "/queries/v1/query-request":
            route.app = request_response(query_request)  # type: ignore[attr-defined]

    server.app.add_route("/fs_bucket/{path:path}", bucket_probe, methods=["GET", "HEAD"])

    config = uvicorn.Config(server.app, host=args.host, port=args.port, log_level="warning")
    instance = uvicorn.Server(config)
    original_startup = instance.startup

    async def startup(*a: Any, **k: Any) -> None:
        await original_startup(*a, **k)
        port = instance.servers[0].sockets[0].getsockname()[1]
        print(f"listening on {port}", flush=True)

    instance.startup = startup  # type: ignore[method-assign]
    instance.run()
    sys.exit(0)


if __name__ == "__main__":
    main()
