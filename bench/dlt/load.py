"""The benchmark's dlt contestant: analytics.messages, one tenant at a time, into a destination.

Run by bench/src/dlt.ts with .venv-bench's Python (scripts/setup-bench-venv.sh):

    load.py --source-url postgres://... --tenants tenant_001,tenant_002 \\
            --destination postgres --destination-url postgres://... \\
            --pipelines-dir bench/work/dlt-pipelines

    load.py ... --destination duckdb --duckdb-dir bench/work/duckdb      # <dir>/<tenant>.duckdb
    load.py ... --destination duckdb --duckdb-path bench/work/all.duckdb  # one file, every tenant

Each tenant gets a pipeline of its own, `bench_<tenant>`, the way a user of dlt would sync one
customer: dataset (schema) `t_<tenant>`, table `messages`, merged on `id`, read incrementally on
`updated_at`. The pipelines' state, the incremental cursor included, lives in --pipelines-dir and
in the destination, so a second run with the same directory loads only what changed since.

Any failure raises out of dlt and exits non-zero; dlt's own output is kept to warnings, and one
summary line per tenant goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

# Set before dlt is imported, which reads its runtime configuration from the environment.
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")  # no anonymous usage reports
os.environ.setdefault("RUNTIME__LOG_LEVEL", "WARNING")  # dlt's logger: warnings and errors only

import dlt  # noqa: E402
from dlt.sources.sql_database import sql_table  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402


def destination_url(url: str) -> str:
    """A `postgres://` URL of the benchmark as dlt's Postgres credentials take it: `postgresql://`,
    and a password always present, empty when the URL has none (trust auth). dlt's
    PostgresCredentials refuses to resolve without a password, but takes an explicit empty one."""
    parsed = make_url(url).set(drivername="postgresql")
    if parsed.username is not None and parsed.password is None:
        parsed = parsed.set(password="")
    return parsed.render_as_string(hide_password=False)


def source_url_for_sqlalchemy(url: str) -> str:
    """The source URL with the psycopg2 driver named: SQLAlchemy 2.1 takes a bare `postgresql://`
    to mean psycopg 3, which dlt[postgres] does not install, and knows no `postgres://`."""
    return make_url(url).set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)


def tenant_messages(source_url: str, tenant: str):
    """analytics.messages of one tenant, as dlt's sql_table resource reads it.

    - backend="pyarrow": rows are fetched through SQLAlchemy and batched into Arrow tables typed
      from the reflected columns (in dlt's words, it "creates stable destination schemas with
      correct data types").
    - incremental on updated_at: the first run reads everything; later runs read only rows with
      updated_at >= the largest value seen so far (the boundary rows are deduplicated by dlt).
    - write_disposition="merge" on primary key id: changed rows replace their older versions.
    - json_deserializer keeps `data` (json) as the text Postgres sends. By default psycopg2 parses
      it into dicts, and dlt 1.31's Arrow conversion then infers one struct type per batch and
      serializes it back, adding `"key": null` for every key another row of the batch has: the
      destination would not hold the source's JSON. dlt's own warning for this case advises
      casting JSON to text upstream; this is the same without a view. The column stays json in
      dlt's schema (jsonb in Postgres).
    """

    def only_tenant(query, table, incremental=None, engine=None):
        # dlt's query (SELECT ... [WHERE updated_at >= :last_value]) narrowed to one tenant: a
        # bound parameter, never text spliced into SQL.
        return query.where(table.c.tenant_id == tenant)

    return sql_table(
        credentials=source_url_for_sqlalchemy(source_url),
        schema="analytics",
        table="messages",
        backend="pyarrow",
        write_disposition="merge",
        primary_key="id",
        incremental=dlt.sources.incremental("updated_at"),
        query_adapter_callback=only_tenant,
        engine_kwargs={"json_deserializer": lambda text: text},
    )


def destination(args: argparse.Namespace, tenant: str):
    if args.destination == "postgres":
        return dlt.destinations.postgres(credentials=destination_url(args.destination_url))
    # A DuckDB file per tenant (as the benchmark gives Ferry), or one for all: either way each
    # pipeline writes its own schema t_<tenant>.
    path = os.path.join(args.duckdb_dir, f"{tenant}.duckdb") if args.duckdb_dir else args.duckdb_path
    return dlt.destinations.duckdb(credentials=path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-url", required=True, help="the source Postgres, postgres://...")
    parser.add_argument("--tenants", required=True, help="comma-separated tenant ids")
    parser.add_argument("--destination", required=True, choices=["postgres", "duckdb"])
    parser.add_argument("--destination-url", help="the destination Postgres (--destination postgres)")
    parser.add_argument("--duckdb-dir", help="--destination duckdb: a folder, one <tenant>.duckdb file per tenant")
    parser.add_argument("--duckdb-path", help="--destination duckdb: one DuckDB file for every tenant")
    parser.add_argument("--pipelines-dir", required=True, help="where the pipelines keep their state between runs")
    parser.add_argument(
        "--loader-file-format",
        choices=["insert_values", "csv"],
        help="--destination postgres only: how dlt ships rows, INSERT statements (dlt's default)"
        " or COPY of CSV files",
    )
    args = parser.parse_args()
    if args.destination == "postgres" and not args.destination_url:
        parser.error("--destination postgres needs --destination-url")
    if args.destination == "duckdb" and bool(args.duckdb_dir) == bool(args.duckdb_path):
        parser.error("--destination duckdb needs one of --duckdb-dir and --duckdb-path")
    if args.destination == "duckdb" and args.loader_file_format:
        parser.error("--loader-file-format is for --destination postgres (DuckDB gets Parquet)")
    tenants = [t for t in (t.strip() for t in args.tenants.split(",")) if t]
    if not tenants:
        parser.error("--tenants names no tenant")
    if args.duckdb_dir:
        os.makedirs(args.duckdb_dir, exist_ok=True)

    for tenant in tenants:
        started = time.monotonic()
        pipeline = dlt.pipeline(
            pipeline_name=f"bench_{tenant}",
            pipelines_dir=args.pipelines_dir,
            destination=destination(args, tenant),
            dataset_name=f"t_{tenant}",
        )
        # Raises PipelineStepFailed when any step (extract, normalize, load) fails; a failed
        # load job fails the run too (dlt's default: load.raise_on_failed_jobs is true).
        pipeline.run(
            tenant_messages(args.source_url, tenant),
            table_name="messages",
            loader_file_format=args.loader_file_format,
        )
        rows = pipeline.last_trace.last_normalize_info.row_counts.get("messages", 0)
        print(f"dlt: {tenant}: {rows} rows to t_{tenant}.messages in {time.monotonic() - started:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
