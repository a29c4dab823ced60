"""What a database holds, reduced to a comparable fingerprint: its schema and every table's
row count and content checksum.

Schema. One text line per object, sorted: schemas, extensions (names), relations (kind,
persistence, partition bounds, row security), columns (position among live columns, name,
type, not null, default, identity, generated, collation), constraints
(`pg_get_constraintdef`), indexes (`pg_get_indexdef`), views (definition digest), triggers,
functions (identity arguments, kind, source digest), sequences (type and parameters), enums,
domains and row-security policies. Owners and grants are left out (the drill restores with
`--no-owner --no-privileges`), so are extension members (the scratch server's extension
version may differ) and comments. Two schemas are equal when their lines are.

Content. For each ordinary table (partitions included, `FROM ONLY`): `count(*)` and the sum,
as an exact numeric, of a 64-bit hash of every row. A sum is order-independent, so no sort
and no ORDER BY: the server streams the table once, in parallel where it can. The row hash is

- `columns` (default): every column hashed by the extended hash function of its type's
  default hash operator class (the one hash indexes and hash partitioning use), seeded with
  the column's position, NULL as -position, and the columns XORed. No row text is built and no
  composite value either: about twice as fast as hashing the row's text, four times as fast as
  `md5`. Types without a usable hash function (json, xml, geometric types) are hashed as text,
  booleans as integers, bytea through md5; a table whose hashing still fails (an array of
  json) falls back to `text` on its own, in a savepoint.
- `text`: `hashtextextended(row::text, 0)`.
- `md5` (`--checksum portable`): the first 64 bits of `md5(row::text)`, identical on every
  architecture and version; the two above are PostgreSQL's internal hashes, equal between
  servers of the same major version and byte order (every mainstream server: little-endian).

Row text depends on session settings, so every connection of the drill sets the same
(`TimeZone=UTC`, `DateStyle=ISO,YMD`, `extra_float_digits=1`, `bytea_output=hex`...). Values
PostgreSQL holds equal hash equal (1.0 and 1.00 in an unconstrained numeric; -0 and +0).

Not covered: large objects, materialized view contents (pg_restore refreshes them from the
restored tables), unlogged-table data skipped with pg_dump options the drill does not use.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

METHODS = ("columns", "text", "md5")
_ROW_HASH: Mapping[str, sql.Composable] = {
    "text": sql.SQL("hashtextextended(t::text, 0)"),
    "md5": sql.SQL("('x' || left(md5(t::text), 16))::bit(64)::bigint"),
}

# Per live column, in order: its name and how to hash it. The function is the extended hash
# support function (number 2) of the default hash operator class of the column's type (a
# domain's base type; for arrays, enums, ranges and composites the polymorphic one).
COLUMNS_QUERY = """
SELECT a.attname, bt.oid = 'bool'::regtype, bt.oid = 'bytea'::regtype,
       h.function_schema, h.function_name, h.cast_schema, h.cast_name
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
LEFT JOIN LATERAL (
    SELECT fn.nspname AS function_schema, pr.proname AS function_name,
           CASE WHEN it.typtype = 'p' THEN NULL ELSE itn.nspname END AS cast_schema,
           CASE WHEN it.typtype = 'p' THEN NULL ELSE it.typname END AS cast_name
    FROM pg_opclass oc
    JOIN pg_am am ON am.oid = oc.opcmethod AND am.amname = 'hash'
    JOIN pg_amproc ap ON ap.amprocfamily = oc.opcfamily AND ap.amprocnum = 2
         AND ap.amproclefttype = oc.opcintype AND ap.amprocrighttype = oc.opcintype
    JOIN pg_proc pr ON pr.oid = ap.amproc
    JOIN pg_namespace fn ON fn.oid = pr.pronamespace
    JOIN pg_type it ON it.oid = oc.opcintype
    JOIN pg_namespace itn ON itn.oid = it.typnamespace
    WHERE oc.opcdefault
      AND pr.proargtypes[0] = oc.opcintype
      AND (oc.opcintype = bt.oid
           OR (oc.opcintype = 'anyarray'::regtype AND bt.typcategory = 'A')
           OR (oc.opcintype = 'anyenum'::regtype AND bt.typtype = 'e')
           OR (oc.opcintype = 'anyrange'::regtype AND bt.typtype = 'r')
           OR (oc.opcintype = 'anymultirange'::regtype AND bt.typtype = 'm')
           OR (oc.opcintype = 'record'::regtype AND bt.typtype = 'c'))
    LIMIT 1
) h ON true
WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""

# User schemas: not the catalogs, not TOAST or temporary schemas. Extension members (objects
# a CREATE EXTENSION made) are left out everywhere.
SCHEMA_QUERY = """
WITH ns AS (
    SELECT oid, nspname FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema')
      AND nspname !~ '^pg_(toast|temp_|toast_temp_)'
),
ext AS (SELECT classid, objid FROM pg_depend WHERE deptype = 'e'),
rel AS (
    SELECT c.*, n.nspname FROM pg_class c JOIN ns n ON n.oid = c.relnamespace
    WHERE c.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_class'::regclass)
)
SELECT format('schema %I', nspname) FROM ns
UNION ALL
SELECT format('extension %I', extname) FROM pg_extension
UNION ALL
SELECT format('relation %I.%I kind=%s persistence=%s rls=%s%s', nspname, relname, relkind,
              relpersistence, relrowsecurity,
              coalesce(' partition ' || pg_get_expr(relpartbound, oid), ''))
FROM rel WHERE relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
UNION ALL
SELECT format('column %I.%I #%s %I %s%s%s%s%s%s', r.nspname, r.relname,
              row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum), a.attname,
              format_type(a.atttypid, a.atttypmod),
              CASE WHEN a.attnotnull THEN ' not null' ELSE '' END,
              coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), ''),
              CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END,
              CASE WHEN a.attgenerated <> '' THEN ' generated' ELSE '' END,
              CASE WHEN a.attcollation <> 0 AND a.attcollation <> ty.typcollation
                   THEN ' collate ' || quote_ident(co.collname) ELSE '' END)
FROM pg_attribute a
JOIN rel r ON r.oid = a.attrelid
JOIN pg_type ty ON ty.oid = a.atttypid
LEFT JOIN pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped AND r.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
UNION ALL
SELECT format('constraint %I.%I %I %s', r.nspname, r.relname, con.conname,
              pg_get_constraintdef(con.oid))
FROM pg_constraint con JOIN rel r ON r.oid = con.conrelid
UNION ALL
SELECT format('index %s', pg_get_indexdef(i.indexrelid))
FROM pg_index i JOIN rel r ON r.oid = i.indrelid
UNION ALL
SELECT format('view %I.%I %s', nspname, relname, md5(pg_get_viewdef(oid)))
FROM rel WHERE relkind IN ('v', 'm')
UNION ALL
SELECT format('trigger %I.%I %s', r.nspname, r.relname, pg_get_triggerdef(t.oid))
FROM pg_trigger t JOIN rel r ON r.oid = t.tgrelid WHERE NOT t.tgisinternal
UNION ALL
SELECT format('function %I.%I(%s) kind=%s %s', n.nspname, p.proname,
              pg_get_function_identity_arguments(p.oid), p.prokind, md5(coalesce(p.prosrc, '')))
FROM pg_proc p JOIN ns n ON n.oid = p.pronamespace
WHERE p.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_proc'::regclass)
UNION ALL
SELECT format('sequence %I.%I %s start=%s increment=%s min=%s max=%s cycle=%s', r.nspname,
              r.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin,
              s.seqmax, s.seqcycle)
FROM pg_sequence s JOIN rel r ON r.oid = s.seqrelid
UNION ALL
SELECT format('enum %I.%I %s', n.nspname, t.typname,
              (SELECT string_agg(quote_literal(e.enumlabel), ',' ORDER BY e.enumsortorder)
               FROM pg_enum e WHERE e.enumtypid = t.oid))
FROM pg_type t JOIN ns n ON n.oid = t.typnamespace
WHERE t.typtype = 'e'
  AND t.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_type'::regclass)
UNION ALL
SELECT format('domain %I.%I %s%s', n.nspname, t.typname, format_type(t.typbasetype, t.typtypmod),
              CASE WHEN t.typnotnull THEN ' not null' ELSE '' END)
FROM pg_type t JOIN ns n ON n.oid = t.typnamespace
WHERE t.typtype = 'd'
  AND t.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_type'::regclass)
UNION ALL
SELECT format('domain-constraint %I.%I %I %s', n.nspname, t.typname, con.conname,
              pg_get_constraintdef(con.oid))
FROM pg_constraint con JOIN pg_type t ON t.oid = con.contypid
JOIN ns n ON n.oid = t.typnamespace
UNION ALL
SELECT format('policy %I.%I %I cmd=%s permissive=%s using=%s check=%s', r.nspname, r.relname,
              pol.polname, pol.polcmd, pol.polpermissive,
              coalesce(pg_get_expr(pol.polqual, pol.polrelid), '-'),
              coalesce(pg_get_expr(pol.polwithcheck, pol.polrelid), '-'))
FROM pg_policy pol JOIN rel r ON r.oid = pol.polrelid
"""

TABLES_QUERY = """
WITH ns AS (
    SELECT oid, nspname FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema')
      AND nspname !~ '^pg_(toast|temp_|toast_temp_)'
),
ext AS (SELECT classid, objid FROM pg_depend WHERE deptype = 'e')
SELECT n.nspname, c.relname, c.oid,
       array(SELECT a.attname::text FROM pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
               AND a.attname IN ('write_date', 'create_date')
               AND a.atttypid IN ('timestamp'::regtype, 'timestamptz'::regtype))
FROM pg_class c JOIN ns n ON n.oid = c.relnamespace
WHERE c.relkind = 'r'
  AND c.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_class'::regclass)
ORDER BY c.relpages DESC, n.nspname, c.relname
"""


@dataclass(frozen=True, slots=True)
class TableSum:
    schema: str
    name: str
    rows: int
    checksum: str
    """The exact sum of the row hashes, as decimal text (it exceeds 64 bits)."""
    method: str

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "name": self.name,
            "rows": self.rows,
            "checksum": self.checksum,
            "method": self.method,
        }


@dataclass(frozen=True, slots=True)
class Fingerprint:
    schema: tuple[str, ...]
    tables: tuple[TableSum, ...]
    latest_write_at: str | None = None
    """The newest Odoo `write_date`/`create_date` seen (UTC, ISO), as evidence of recency."""

    @property
    def schema_sha256(self) -> str:
        return hashlib.sha256("\n".join(self.schema).encode()).hexdigest()

    @property
    def total_rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema_sha256": self.schema_sha256,
            "schema": list(self.schema),
            "tables": [t.as_dict() for t in self.tables],
            "latest_write_at": self.latest_write_at,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Fingerprint:
        return cls(
            tuple(str(item) for item in data["schema"]),
            tuple(
                TableSum(
                    str(t["schema"]),
                    str(t["name"]),
                    int(t["rows"]),
                    str(t["checksum"]),
                    str(t["method"]),
                )
                for t in data["tables"]
            ),
            data.get("latest_write_at"),
        )


def schema_lines(connection: psycopg.Connection) -> tuple[str, ...]:
    rows = connection.execute(SCHEMA_QUERY).fetchall()
    return tuple(sorted(str(row[0]) for row in rows))


def table_names(connection: psycopg.Connection) -> list[tuple[str, str, int, list[str]]]:
    """(schema, table, oid, time columns) of every ordinary table, largest first."""
    return [
        (str(s), str(n), int(oid), list(c))
        for s, n, oid, c in connection.execute(TABLES_QUERY).fetchall()
    ]


def _column_hash(
    position: int,
    name: str,
    is_bool: bool,
    is_bytea: bool,
    function: tuple[str, str] | None,
    cast: tuple[str, str] | None,
) -> sql.Composable:
    """The 64-bit hash of one column, seeded with its position; NULL hashes to -position."""
    column = sql.SQL("t.{}").format(sql.Identifier(name))
    seed = sql.Literal(position)
    if is_bool:
        value = sql.SQL("hashint4extended({}::int4, {}::int8)").format(column, seed)
    elif is_bytea:
        value = sql.SQL("hashtextextended(md5({}), {}::int8)").format(column, seed)
    elif function is None:
        value = sql.SQL("hashtextextended({}::text, {}::int8)").format(column, seed)
    else:
        argument: sql.Composable = column
        if cast is not None:
            argument = sql.SQL("{}::{}").format(column, sql.Identifier(*cast))
        value = sql.SQL("{}({}, {}::int8)").format(sql.Identifier(*function), argument, seed)
    return sql.SQL("coalesce({}, {}::int8)").format(value, sql.Literal(-position))


def row_hash(connection: psycopg.Connection, table_oid: int) -> sql.Composable:
    """The `columns` row hash of a table: the XOR of its columns' seeded hashes."""
    columns = connection.execute(COLUMNS_QUERY, (table_oid,)).fetchall()
    parts = [
        _column_hash(
            position,
            str(name),
            bool(is_bool),
            bool(is_bytea),
            (str(fschema), str(fname)) if fname else None,
            (str(cschema), str(cname)) if cname else None,
        )
        for position, (name, is_bool, is_bytea, fschema, fname, cschema, cname) in enumerate(
            columns, start=1
        )
    ]
    return sql.SQL(" # ").join(parts) if parts else sql.SQL("0::int8")


def _table_query(
    schema: str, name: str, hashed: sql.Composable, time_columns: Sequence[str]
) -> sql.Composed:
    parts: list[sql.Composable] = [
        sql.SQL("count(*)"),
        sql.SQL("coalesce(sum({}), 0)::text").format(hashed),
    ]
    parts += [
        sql.SQL("to_char(max(t.{}), 'YYYY-MM-DD\"T\"HH24:MI:SS.US')").format(sql.Identifier(c))
        for c in time_columns
    ]
    return sql.SQL("SELECT {} FROM ONLY {}.{} AS t").format(
        sql.SQL(", ").join(parts), sql.Identifier(schema), sql.Identifier(name)
    )


def table_sum(
    connection: psycopg.Connection,
    schema: str,
    name: str,
    method: str,
    time_columns: Sequence[str],
    table_oid: int,
) -> tuple[TableSum, list[str]]:
    """One table's count and checksum (and the max of its time columns), inside the
    connection's transaction. `columns` falls back to `text` when a column's hash function
    fails (an array of json...): the attempt runs in a savepoint, so the transaction and its
    snapshot survive."""
    row = None
    if method == "columns":
        try:
            with connection.transaction():
                hashed = row_hash(connection, table_oid)
                row = connection.execute(
                    _table_query(schema, name, hashed, time_columns)
                ).fetchone()
        except (
            psycopg.errors.UndefinedFunction,
            psycopg.errors.FeatureNotSupported,
            psycopg.DataError,
        ):
            method = "text"
    if row is None:
        row = connection.execute(
            _table_query(schema, name, _ROW_HASH[method], time_columns)
        ).fetchone()
    assert row is not None
    times = [str(value) for value in row[2:] if value is not None]
    return TableSum(schema, name, int(row[0]), str(row[1]), method), times


_TABLE_OID = """
SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND c.relname = %s AND c.relkind = 'r'
"""


def one_table_sum(
    connection: psycopg.Connection, schema: str, name: str, method: str
) -> TableSum | None:
    """One ordinary table's count and checksum by name (None if there is no such table),
    without the time columns: a restored copy's table, checked as soon as it is loaded."""
    row = connection.execute(_TABLE_OID, (schema, name)).fetchone()
    if row is None:
        return None
    return table_sum(connection, schema, name, method, (), int(row[0]))[0]


def fingerprint(
    connection: psycopg.Connection,
    *,
    method: str = "columns",
    methods: Mapping[str, str] | None = None,
    known: Mapping[str, TableSum] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Fingerprint:
    """The fingerprint of the database of `connection`, inside its current transaction.

    `methods` (qualified table -> method) makes a restored copy hash every table the way the
    source did; tables not in it use `method`. Tables in `known` (qualified name -> sum, taken
    earlier) are not read again."""
    schema = schema_lines(connection)
    tables: list[TableSum] = []
    latest: str | None = None
    for table_schema, name, oid, time_columns in table_names(connection):
        earlier = (known or {}).get(f"{table_schema}.{name}")
        if earlier is not None:
            tables.append(earlier)
            continue
        chosen = (methods or {}).get(f"{table_schema}.{name}", method)
        summed, times = table_sum(connection, table_schema, name, chosen, time_columns, oid)
        tables.append(summed)
        for value in times:
            latest = value if latest is None or value > latest else latest
        if progress is not None:
            progress(summed.qualified)
    tables.sort(key=lambda t: (t.schema, t.name))
    return Fingerprint(schema, tuple(tables), latest + "Z" if latest else None)


def compare_schema(source: Iterable[str], restored: Iterable[str], limit: int = 20) -> list[str]:
    """Schema lines missing from the restored copy (`-`) or only in it (`+`), first `limit`."""
    before, after = set(source), set(restored)
    lines = [f"- {item}" for item in sorted(before - after)]
    lines += [f"+ {item}" for item in sorted(after - before)]
    return lines[:limit]


def compare_tables(
    source: Sequence[TableSum], restored: Sequence[TableSum]
) -> list[dict[str, Any]]:
    """Per-table verdicts: rows and checksum equal, missing or extra tables."""
    by_name = {t.qualified: t for t in restored}
    seen: set[str] = set()
    result: list[dict[str, Any]] = []
    for table in source:
        copy = by_name.get(table.qualified)
        seen.add(table.qualified)
        if copy is None:
            result.append(
                {"table": table.qualified, "ok": False, "rows": table.rows, "problem": "missing"}
            )
            continue
        problems = []
        if copy.rows != table.rows:
            problems.append(f"{copy.rows} rows, the source had {table.rows}")
        elif copy.checksum != table.checksum:
            problems.append("content checksum differs")
        entry: dict[str, Any] = {"table": table.qualified, "ok": not problems, "rows": table.rows}
        if problems:
            entry["problem"] = "; ".join(problems)
        result.append(entry)
    for table in restored:
        if table.qualified not in seen:
            result.append(
                {"table": table.qualified, "ok": False, "rows": table.rows, "problem": "extra"}
            )
    return result


SEQUENCES_QUERY = """
SELECT sn.nspname, s.relname, tn.nspname, t.relname, a.attname
FROM pg_depend d
JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
JOIN pg_namespace sn ON sn.oid = s.relnamespace
JOIN pg_class t ON t.oid = d.refobjid AND t.relkind = 'r'
JOIN pg_namespace tn ON tn.oid = t.relnamespace
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
JOIN pg_sequence q ON q.seqrelid = s.oid AND q.seqincrement > 0
WHERE a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype)
  AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
  AND d.deptype IN ('a', 'i')
ORDER BY 1, 2
"""


def sequences_behind(connection: psycopg.Connection) -> list[str]:
    """Owned sequences whose next value is not above their column's maximum: after such a
    restore, the next insert fails on a duplicate key."""
    problems = []
    for seq_schema, seq_name, schema, table, column in connection.execute(
        SEQUENCES_QUERY
    ).fetchall():
        query = sql.SQL(
            "SELECT s.last_value, s.is_called, (SELECT max({col})::numeric FROM {schema}.{table})"
            " FROM {seq_schema}.{seq} AS s"
        ).format(
            col=sql.Identifier(column),
            schema=sql.Identifier(schema),
            table=sql.Identifier(table),
            seq_schema=sql.Identifier(seq_schema),
            seq=sql.Identifier(seq_name),
        )
        row = connection.execute(query).fetchone()
        if row is None or row[2] is None:
            continue
        last_value, is_called, maximum = int(row[0]), bool(row[1]), int(row[2])
        following = last_value + 1 if is_called else last_value
        if following <= maximum:
            problems.append(
                f"{seq_schema}.{seq_name} would next give {following}, but "
                f"{schema}.{table}.{column} already reaches {maximum}"
            )
    return problems
