"""`grid export --parquet`: two county ledgers into one folder, and the README's DuckDB query over them gives
each county's monthly counts as its own ledger has them. Skipped where the analytics extra is not installed."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import Run


pyarrow = pytest.importorskip("pyarrow")
duckdb = pytest.importorskip("duckdb")

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_query(name: str) -> str:
    block = re.search(rf"<!-- duckdb:{name} -->\s*```sql\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert block, f"README has no duckdb:{name} query"
    return block.group(1)


def county_ledger(master: Path, folder: Path, county: str) -> Path:
    path = folder / f"{county}.db"
    shutil.copy(master, path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'county'", (f'"{county}"',))
    return path


def monthly_from_sqlite(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return [r for r in conn.execute(
            "SELECT substr(e.date, 1, 7), count(*), count(DISTINCT e.household_id) FROM events e"
            " JOIN households h ON h.id = e.household_id WHERE e.kind = 'visit' AND h.status = '正常'"
            " GROUP BY 1 ORDER BY 1")]


def test_the_readme_query_counts_two_counties_as_their_ledgers_do(_demo_master, tmp_path):  # noqa: F811
    out = tmp_path / "省"
    ledgers = {county: county_ledger(_demo_master, tmp_path, county) for county in ("甲县", "乙县")}
    for county, path in ledgers.items():
        result = Run(path)("export", "--parquet", out)
        assert result.exit_code == 0, result.output
    again = Run(ledgers["甲县"])("export", "--parquet", out)  # a county exporting again replaces its own files
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in (out / "visits").iterdir()) == ["county=乙县", "county=甲县"]

    rows = duckdb.sql(readme_query("monthly").replace("'省/", f"'{out.as_posix()}/")).fetchall()
    for county, path in ledgers.items():
        mine = [(month, visits, visited) for c, month, visits, visited, _mean in rows if c == county]
        assert mine == monthly_from_sqlite(path) and mine, county


def test_no_names_ids_or_phones_leave_in_the_parquet(_demo_master, tmp_path):  # noqa: F811
    path = county_ledger(_demo_master, tmp_path, "甲县")
    out = tmp_path / "out"
    assert Run(path)("export", "--parquet", out).exit_code == 0
    for table in ("households", "members", "visits", "steps", "findings"):
        columns = {r[0] for r in duckdb.sql(
            f"DESCRIBE SELECT * FROM read_parquet('{out.as_posix()}/{table}/**/*.parquet', hive_partitioning = true)"
        ).fetchall()}
        assert not columns & {"name", "id_number", "phone", "address"}, table
        assert {"county", "township"} <= columns
    with sqlite3.connect(path) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM members WHERE status = '正常'")]
    members = duckdb.sql(f"SELECT * FROM read_parquet('{out.as_posix()}/members/**/*.parquet')").fetchall()
    assert len(members) == len(names) and not any(n in str(members) for n in names)


def test_grades_in_the_findings_table_count_every_household(_demo_master, tmp_path):  # noqa: F811
    path = county_ledger(_demo_master, tmp_path, "甲县")
    out = tmp_path / "out"
    assert Run(path)("export", "--parquet", out).exit_code == 0
    graded = duckdb.sql(f"SELECT count(DISTINCT household_id) FROM read_parquet('{out.as_posix()}/findings/**/*.parquet')"
                        ).fetchall()[0][0]
    with sqlite3.connect(path) as conn:
        assert graded == conn.execute("SELECT count(*) FROM households WHERE status = '正常'").fetchone()[0]
