"""Bulk writing: COPY on PostgreSQL (psycopg 3), batched executemany elsewhere (SQLite); emptying the app's
tables; sequences; the `bench_dataset` manifest table (outside the app's models, written last)."""

from __future__ import annotations

import hashlib
import json
import pickle
import time
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa

BATCH = 5_000
MANIFEST_TABLE = "bench_dataset"
# The catalog (installed by migration 0002), the migration marker and the one-row data-version counters (0014,
# 0015: they only ever move forward, so a cache keyed on them never meets an old key again) survive a forced
# regeneration.
KEPT = {"alembic_version", "indicator_group", "indicator", "catalog_version", "indicator_rule", MANIFEST_TABLE,
        "score_data_version", "dossier_data_version"}
BIG = {"dossier", "score_record"}  # secondary indexes dropped during the COPY and rebuilt after it (PostgreSQL)


class Writer:
    """Writes rows of one table at a time inside one transaction; keeps a SHA-256 of every row written."""

    def __init__(self, conn: sa.Connection, metadata: sa.MetaData, progress: Callable[[str], None]):
        self.conn, self.metadata, self.progress = conn, metadata, progress
        self.postgres = conn.dialect.name == "postgresql"
        self.digest = hashlib.sha256()
        self.counts: dict[str, int] = {}
        self.timings: dict[str, float] = {}

    def write(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple], *, secret: str | None = None,
              ) -> int:
        """Insert `rows` (tuples in `columns` order); `secret` names a column left out of the digest (a salted
        password hash)."""
        started = time.perf_counter()
        hidden = columns.index(secret) if secret else None
        dropped = self._drop_indexes(table) if self.postgres and table in BIG else []
        n = self._copy(table, columns, rows, hidden) if self.postgres else self._insert(table, columns, rows, hidden)
        copied = time.perf_counter()
        for statement in dropped:
            self.conn.exec_driver_sql(statement)
        if dropped:
            self.progress(f"  {table}: {len(dropped)} indexes and constraints rebuilt and checked in "
                          f"{time.perf_counter() - copied:.1f} s")
        seconds = time.perf_counter() - started
        self.counts[table], self.timings[table] = n, seconds
        rate = n / seconds if seconds else 0.0
        self.progress(f"  {table:<22} {n:>10,} rows {seconds:8.1f} s {rate:>12,.0f} rows/s")
        return n

    def _hash(self, batch: list[tuple], hidden: int | None) -> None:
        if hidden is not None:
            batch = [row[:hidden] + row[hidden + 1:] for row in batch]
        self.digest.update(pickle.dumps(batch, protocol=4))  # C speed; stable for the same values

    def _copy(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple], hidden: int | None) -> int:
        cursor = self.conn.connection.driver_connection.cursor()
        names = ", ".join(f'"{c}"' for c in columns)
        n, batch = 0, []
        # Binary COPY (no text parsing of timestamps and numbers on the server: about 5x faster than text here).
        # FREEZE (rows written as already visible: no hint-bit rewrite, index-only scans at once) is allowed on a
        # plain table emptied in this transaction, which generate() always does on PostgreSQL.
        kind = self.conn.execute(sa.text("SELECT relkind FROM pg_class WHERE oid = CAST(:t AS regclass)"),
                                 {"t": f'"{table}"'}).scalar()
        oids = dict(self.conn.execute(sa.text(
            "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = CAST(:t AS regclass) AND attnum > 0 "
            "AND NOT attisdropped"), {"t": f'"{table}"'}).all())
        options = "FORMAT BINARY, FREEZE" if kind == "r" else "FORMAT BINARY"
        with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN ({options})') as copy:
            copy.set_types([oids[c] for c in columns])
            for row in rows:
                batch.append(row)
                if len(batch) >= BATCH:
                    n += self._flush_copy(copy, batch, hidden)
                    batch = []
            n += self._flush_copy(copy, batch, hidden)
        return n

    def _flush_copy(self, copy, batch: list[tuple], hidden: int | None) -> int:
        write_row = copy.write_row
        for row in batch:
            write_row(row)
        self._hash(batch, hidden)
        return len(batch)

    def _insert(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple], hidden: int | None) -> int:
        names = ", ".join(f'"{c}"' for c in columns)
        statement = (f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'
                     if self.conn.dialect.name == "sqlite" else table)
        n, batch = 0, []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                n += self._flush_insert(statement, columns, batch, hidden)
                batch = []
        return n + self._flush_insert(statement, columns, batch, hidden)

    def _flush_insert(self, statement, columns, batch: list[tuple], hidden: int | None) -> int:
        if not batch:
            return 0
        if self.conn.dialect.name == "sqlite":  # straight to the driver, values as SQLAlchemy would store them
            self.conn.exec_driver_sql(statement, [tuple(map(_sqlite, row)) for row in batch])
        else:
            self.conn.execute(sa.insert(self.metadata.tables[statement]),
                              [dict(zip(columns, row, strict=True)) for row in batch])
        self._hash(batch, hidden)
        return len(batch)

    def _drop_indexes(self, table: str) -> list[str]:
        """Drop the table's secondary indexes and its unique and foreign-key constraints (the primary key and CHECK
        constraints stay); return the statements that put them back after the COPY: one index build and one
        validating join per foreign key beat updating and checking them row by row. Re-adding a foreign key checks
        every row, so nothing is loaded unchecked."""
        regclass = {"table": f'"{table}"'}
        constraints = self.conn.execute(sa.text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = CAST(:table AS regclass) "
            "AND contype IN ('u', 'f') ORDER BY contype DESC, conname"), regclass).all()
        indexes = self.conn.execute(sa.text(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "WHERE t.oid = CAST(:table AS regclass) AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"), regclass).all()
        for name, _ in constraints:
            self.conn.exec_driver_sql(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            self.conn.exec_driver_sql(f'DROP INDEX "{name}"')
        return ([definition for _, definition in indexes]
                + [f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}' for name, definition in constraints])


def _sqlite(value):
    """A value as SQLAlchemy stores it in SQLite: instants as naive UTC text, Decimal as float."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def app_tables(metadata: sa.MetaData) -> list[sa.Table]:
    return [t for t in reversed(metadata.sorted_tables) if t.name not in KEPT]


def is_empty(conn: sa.Connection, metadata: sa.MetaData) -> bool:
    """True when no app table other than the catalog holds a row."""
    return all(conn.execute(sa.select(sa.literal(1)).select_from(t).limit(1)).first() is None
               for t in app_tables(metadata))


def empty(conn: sa.Connection, metadata: sa.MetaData) -> None:
    """Remove every row of the app's tables but the catalog (TRUNCATE on PostgreSQL, DELETE on SQLite); the
    audit trail's guard triggers are switched off for it and back on, in this transaction."""
    tables = app_tables(metadata)
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ALTER TABLE audit_entry DISABLE TRIGGER USER")
        conn.exec_driver_sql(f"TRUNCATE {', '.join(chr(34) + t.name + chr(34) for t in tables)} RESTART IDENTITY")
        conn.exec_driver_sql("ALTER TABLE audit_entry ENABLE TRIGGER USER")
        return
    triggers = conn.execute(sa.text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_entry'")).all()
    for name, _ in triggers:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    for t in tables:
        conn.execute(t.delete())
    for _, sql in triggers:
        conn.exec_driver_sql(sql)


def set_sequences(conn: sa.Connection, tables: Iterable[str]) -> None:
    """After rows with explicit ids: each serial sequence continues after the largest id (PostgreSQL)."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        if "id" not in {c["name"] for c in sa.inspect(conn).get_columns(table)}:
            continue
        conn.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence(:t, 'id'), COALESCE((SELECT max(id) FROM \"{table}\"), 0) + 1, "
            "false)"), {"t": f'"{table}"'})


def create_manifest_table(conn: sa.Connection) -> None:
    conn.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {MANIFEST_TABLE} (id INTEGER PRIMARY KEY, "
                         "written_at VARCHAR(40) NOT NULL, manifest TEXT NOT NULL)")


def clear_manifest(conn: sa.Connection) -> None:
    create_manifest_table(conn)
    conn.exec_driver_sql(f"DELETE FROM {MANIFEST_TABLE}")


def write_manifest(conn: sa.Connection, manifest: dict, written_at: str) -> None:
    create_manifest_table(conn)
    conn.exec_driver_sql(f"DELETE FROM {MANIFEST_TABLE}")
    conn.execute(sa.text(f"INSERT INTO {MANIFEST_TABLE} (id, written_at, manifest) VALUES (1, :at, :m)"),
                 {"at": written_at, "m": json.dumps(manifest, ensure_ascii=False, sort_keys=True)})


def read_manifest(conn: sa.Connection) -> dict | None:
    if MANIFEST_TABLE not in sa.inspect(conn).get_table_names():
        return None
    text = conn.execute(sa.text(f"SELECT manifest FROM {MANIFEST_TABLE} ORDER BY id DESC")).scalar()
    return json.loads(text) if text else None
