"""The staging table of a dossier import: a temporary table, private to the session's connection, holding one
file's validated rows (row number, then services.FIELDS), written a batch at a time straight through the driver.

PostgreSQL gets a binary COPY with the column types fixed once (psycopg then encodes each value without looking
its type up, and the server decodes no text); SQLite an executemany, with times as the text SQLAlchemy stores
(so that staged and stored values compare equal in SQL). `method="insert"` forces the executemany on PostgreSQL
too: the tests compare both paths on tricky values.
"""

from __future__ import annotations

from datetime import UTC

import sqlalchemy as sa

from app.dossiers.models import Dossier
from app.extensions import db

STAGE_NAME = "dossier_stage"


def stage_table(dialect: str, fields: tuple[str, ...]) -> sa.Table:
    """The staging table's definition: `row_no`, then `fields` typed as the dossier's columns."""
    dossier = Dossier.__table__
    columns = [sa.Column("row_no", sa.Integer, nullable=False)]
    columns += [sa.Column(name, dossier.c[name].type) for name in fields]
    options = {"postgresql_on_commit": "DROP"} if dialect == "postgresql" else {}
    schema = {"sqlite": "temp", "postgresql": "pg_temp"}.get(dialect)
    return sa.Table(STAGE_NAME, sa.MetaData(), *columns, schema=schema, prefixes=["TEMPORARY"], **options)


def copy_types(stage: sa.Table) -> list[str]:
    """PostgreSQL type names of the staging columns, for psycopg's binary COPY (`Copy.set_types`)."""
    out = []
    for column in stage.columns:
        kind = column.type.impl if isinstance(column.type, sa.TypeDecorator) else column.type
        if isinstance(kind, sa.DateTime):
            out.append("timestamptz" if kind.timezone else "timestamp")
        elif isinstance(kind, sa.SmallInteger):
            out.append("int2")
        elif isinstance(kind, sa.BigInteger):
            out.append("int8")
        elif isinstance(kind, sa.Integer):
            out.append("int4")
        elif isinstance(kind, sa.Boolean):
            out.append("bool")
        elif isinstance(kind, sa.String):
            out.append("text")  # varchar(n) has text's binary form; the server still checks the length
        else:
            raise TypeError(f"no binary COPY type for {column.name}: {column.type!r}")
    return out


def stage_rows(stage: sa.Table, dialect: str, batch: list[tuple], *, method: str | None = None) -> None:
    """Write staged rows (tuples in the table's column order): binary COPY on PostgreSQL, executemany otherwise."""
    columns = ", ".join(c.name for c in stage.columns)
    connection = db.session.connection()
    if dialect == "postgresql" and method != "insert":
        driver = connection.connection.driver_connection
        with (driver.cursor() as cursor,
              cursor.copy(f"COPY {stage.fullname} ({columns}) FROM STDIN (FORMAT BINARY)") as copy):
            copy.set_types(copy_types(stage))
            for values in batch:
                copy.write_row(values)
        return
    if dialect == "sqlite":
        positions = [i for i, c in enumerate(stage.columns) if isinstance(c.type, sa.TypeDecorator)
                     and isinstance(c.type.impl, sa.DateTime)]
        batch = [_sqlite_times(values, positions) for values in batch]
    marks = ", ".join(["?" if connection.dialect.paramstyle == "qmark" else "%s"] * len(stage.columns))
    connection.exec_driver_sql(f"INSERT INTO {stage.fullname} ({columns}) VALUES ({marks})", batch)


def _sqlite_times(values: tuple, positions: list[int]) -> tuple:
    out = list(values)
    for i in positions:
        moment = out[i]
        if moment is not None:
            if moment.tzinfo is not UTC:
                moment = moment.astimezone(UTC)
            out[i] = "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (  # noqa: UP031  (the fastest spelling, 1M times)
                moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second, moment.microsecond)
    return tuple(out)
