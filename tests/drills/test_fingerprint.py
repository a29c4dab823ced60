"""Fingerprints on the real server: equal for equal content, different for any change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from bulkhead.drills.conninfo import PgTarget
from bulkhead.drills.fingerprint import (
    TableSum,
    compare_schema,
    compare_tables,
    fingerprint,
    sequences_behind,
)
from tests.drills.conftest import drop, make_source


@pytest.fixture
def database(tmp_path: Path) -> Iterator[PgTarget]:
    made = make_source(tmp_path, scale=200, attachments=3)
    try:
        yield made.target
    finally:
        drop(made.name)


def _print(target: PgTarget, method: str = "columns") -> dict[str, TableSum]:
    with target.connect("test") as connection:
        printed = fingerprint(connection, method=method)
        connection.rollback()
    return {t.qualified: t for t in printed.tables}


@pytest.mark.parametrize("method", ["columns", "text", "md5"])
def test_stable_and_sensitive_to_one_value(database: PgTarget, method: str) -> None:
    before = _print(database, method)
    assert before == _print(database, method)
    assert before["public.sale_order"].rows == 200
    with psycopg.connect(database.conninfo(), autocommit=True) as connection:
        connection.execute("UPDATE sale_order SET amount_tax = amount_tax + 0.001 WHERE id = 17")
    after = _print(database, method)
    assert after["public.sale_order"].checksum != before["public.sale_order"].checksum
    assert after["public.sale_order"].rows == before["public.sale_order"].rows
    assert {k: v for k, v in after.items() if k != "public.sale_order"} == {
        k: v for k, v in before.items() if k != "public.sale_order"
    }


def test_unhashable_column_types_fall_back_to_text(database: PgTarget) -> None:
    with psycopg.connect(database.conninfo(), autocommit=True) as connection:
        connection.execute("CREATE TABLE ir_ui_view (id serial PRIMARY KEY, arch json)")
        connection.execute("""INSERT INTO ir_ui_view (arch) VALUES ('{"a": 1}'), ('[]')""")
        connection.execute("CREATE TABLE ir_ui_menu (id serial PRIMARY KEY, parts json[])")
        connection.execute("""INSERT INTO ir_ui_menu (parts) VALUES (ARRAY['{"a": 1}'::json])""")
    tables = _print(database)
    assert tables["public.ir_ui_view"].method == "columns"  # json: hashed as text, per column
    assert tables["public.ir_ui_menu"].method == "text"  # json[]: the array hash fails
    assert tables["public.sale_order"].method == "columns"
    with psycopg.connect(database.conninfo(), autocommit=True) as connection:
        connection.execute(
            """UPDATE ir_ui_view SET arch = '{"a": 2}' WHERE arch::text = '{"a": 1}'"""
        )
        connection.execute("""UPDATE ir_ui_menu SET parts = ARRAY['{"b": 1}'::json]""")
    after = _print(database)
    for table in ("public.ir_ui_view", "public.ir_ui_menu"):
        assert after[table].checksum != tables[table].checksum


def test_schema_lines_see_columns_constraints_and_indexes(database: PgTarget) -> None:
    with database.connect("test") as connection:
        before = fingerprint(connection).schema
        connection.rollback()
    assert any(line.startswith("index CREATE UNIQUE INDEX sale_order_name_key") for line in before)
    assert any("column public.sale_order #2 name character varying not null" in x for x in before)
    with psycopg.connect(database.conninfo(), autocommit=True) as connection:
        connection.execute("ALTER TABLE sale_order ALTER COLUMN note SET DEFAULT 'n/a'")
        connection.execute("DROP INDEX stock_move_picking_idx")
    with database.connect("test") as connection:
        after = fingerprint(connection).schema
        connection.rollback()
    diff = compare_schema(before, after)
    assert any(line.startswith("- index CREATE INDEX stock_move_picking_idx") for line in diff)
    assert any(line.startswith("+ column public.sale_order #8 note text default") for line in diff)


def test_compare_tables_names_every_problem() -> None:
    source = [
        TableSum("public", "a", 3, "10", "columns"),
        TableSum("public", "b", 2, "5", "columns"),
    ]
    restored = [
        TableSum("public", "a", 3, "11", "columns"),
        TableSum("public", "c", 1, "1", "text"),
    ]
    verdicts = {v["table"]: v for v in compare_tables(source, restored)}
    assert verdicts["public.a"]["problem"] == "content checksum differs"
    assert verdicts["public.b"]["problem"] == "missing"
    assert verdicts["public.c"]["problem"] == "extra"
    short = compare_tables(source[:1], [TableSum("public", "a", 2, "10", "columns")])
    assert short[0]["problem"] == "2 rows, the source had 3"


def test_sequences_behind_their_column(database: PgTarget) -> None:
    with database.connect("test") as connection:
        assert sequences_behind(connection) == []
        connection.rollback()
    with psycopg.connect(database.conninfo(), autocommit=True) as connection:
        connection.execute("SELECT setval('sale_order_id_seq', 5)")
    with database.connect("test") as connection:
        problems = sequences_behind(connection)
        connection.rollback()
    assert problems == [
        "public.sale_order_id_seq would next give 6, but public.sale_order.id already reaches 200"
    ]
