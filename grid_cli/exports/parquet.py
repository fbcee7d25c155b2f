"""`grid export --parquet DIR`: a ledger's households, members, visits (one row each, the money flattened
into columns), current findings and lifecycle steps as Parquet, for a province or city that analyses many
county ledgers with an engine built for it (DuckDB) rather than a bigger SQLite file.

Each table is a folder of hive partitions, DIR/<table>/county=<county>/township=<township>/<county>.parquet,
so every county exports into the same DIR (its own file in each partition) and a query reads them all (`read_parquet('DIR/visits/**/*.parquet',
hive_partitioning = true)`; the README has the province's monthly counts). Rows are written a batch of
households at a time. Names, ID numbers, phones and addresses are left out: an analysis counts people, it
does not need to know who they are (the household and member ids still join the tables).

pyarrow is an optional extra (`pip install 'grid-cli[analytics]'`, with DuckDB to query the result).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterator

from grid_cli.errors import DataError
from grid_cli.findings import BATCH, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS, current
from grid_cli.ledger import Ledger
from grid_cli.standing import KINDS

LEFT_OUT = {"name", "id_number", "phone", "address"}
HOUSEHOLD_FIELDS = [c for c in HOUSEHOLD_COLUMNS if c not in LEFT_OUT]
MEMBER_FIELDS = [c for c in MEMBER_COLUMNS if c not in LEFT_OUT]
VISIT_FIELDS = [("wages", ("income", "wages")), ("business", ("income", "business")), ("property", ("income", "property")),
                ("transfer", ("income", "transfer")), ("production_costs", ("income", "production_costs")),
                ("medical", ("spending", "medical")), ("other_rigid", ("spending", "other_rigid"))]
PARTITION = ["county", "township"]


def _need_pyarrow():
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise DataError("写 Parquet 需要 pyarrow", "writing Parquet needs pyarrow",
                        hint_zh="安装：pip install 'grid-cli[analytics]'", hint_en="install it: pip install 'grid-cli[analytics]'") from None


def _township_sql(ledger: Ledger) -> tuple[str, list]:
    """SQL for a household's township (its grid's parent at a county, else this ledger's township)."""
    return ("coalesce((SELECT s.parent FROM scope s WHERE s.code = h.grid AND s.level = 'grid'), ?)",
            [ledger.meta("township") or ""])


def _stream(ledger: Ledger, sql: str, params: list, shape) -> Iterator[list[dict]]:
    cursor = ledger.conn.cursor()
    cursor.row_factory = None
    cursor.execute(sql, params)
    while True:
        rows = cursor.fetchmany(BATCH * 4)
        if not rows:
            return
        yield [shape(r) for r in rows]


def _tables(ledger: Ledger) -> dict[str, tuple[str, list, object]]:
    """Each table: (SQL whose first two columns are county and township, its parameters, row -> dict)."""
    from grid_cli.fastjson import loads

    county = ledger.meta("county") or ""
    township, tparams = _township_sql(ledger)
    head = f"SELECT ?, {township}"
    base = [county, *tparams]
    active = "h.status = '正常'"

    def households(r):
        row = dict(zip(PARTITION + HOUSEHOLD_FIELDS + ["status"], r))
        row["flags"] = json.loads(row["flags"]) if row["flags"] else []
        return row

    def members(r):
        return dict(zip(PARTITION + MEMBER_FIELDS, r))

    def visits(r):
        county_, township_, event_id, household_id, date, body = r
        data = loads(body)["data"]
        out = {"county": county_, "township": township_, "id": event_id, "household_id": household_id, "date": date,
               "month": (date or "")[:7], "residents": len(data.get("residents") or ()),
               "house_grade": data.get("house_grade"), "events": len(data.get("events") or ())}
        for name, (part, key) in VISIT_FIELDS:
            out[name] = int((data.get(part) or {}).get(key) or 0)
        out["net"] = out["wages"] + out["business"] + out["property"] + out["transfer"] - out["production_costs"]
        return out

    def steps(r):
        county_, township_, event_id, household_id, kind, date, body = r
        data = loads(body)["data"]
        return {"county": county_, "township": township_, "id": event_id, "household_id": household_id, "kind": kind,
                "date": date, "category": data.get("category"), "risks": list(data.get("risks") or ()),
                "method": data.get("method"), "month": data.get("month"), "data": json.dumps(data, ensure_ascii=False)}

    def findings(r):
        return dict(zip(PARTITION + ["household_id", "grade", "rule", "severity", "message", "facts", "as_of"], r))

    kinds = ",".join(f"'{k}'" for k in KINDS)
    events = ("FROM event_index e JOIN changes c ON c.seq = e.change_seq JOIN households h ON h.id = e.household_id"
              f" WHERE {active}")
    return {
        "households": (f"{head}, {', '.join('h.' + c for c in HOUSEHOLD_FIELDS)}, h.status FROM households h"
                       f" WHERE {active}", base, households),
        "members": (f"{head}, {', '.join('m.' + c for c in MEMBER_FIELDS)} FROM members m JOIN households h"
                    f" ON h.id = m.household_id WHERE {active} AND m.status = '正常'", base, members),
        "visits": (f"{head}, e.id, e.household_id, e.date, c.body {events} AND e.kind = 'visit'", base, visits),
        "steps": (f"{head}, e.id, e.household_id, e.kind, e.date, c.body {events} AND e.kind IN ({kinds})", base, steps),
        # a household with no finding is a row too (rule NULL): the grades count every household
        "findings": (f"{head}, a.household_id, a.grade, f.rule, f.severity, f.zh, f.facts, b.on_day FROM assessed a"
                     " JOIN households h ON h.id = a.household_id LEFT JOIN findings f ON f.household_id = a.household_id"
                     f" CROSS JOIN findings_basis b WHERE {active}", base, findings),
    }


BOOLS = {"chronic_card", "medical_insurance", "serious_illness_insurance", "pension_insurance", "dibao", "tekun",
         "employee_medical_insurance", "employee_pension_insurance"}
INTS = {"work_months", "residents", "events", "net", *(name for name, _ in VISIT_FIELDS)}
LISTS = {"flags", "risks"}
COLUMNS = {
    "households": PARTITION + HOUSEHOLD_FIELDS + ["status"],
    "members": PARTITION + MEMBER_FIELDS,
    "visits": PARTITION + ["id", "household_id", "date", "month", "residents", "house_grade", "events",
                           *(name for name, _ in VISIT_FIELDS), "net"],
    "steps": PARTITION + ["id", "household_id", "kind", "date", "category", "risks", "method", "month", "data"],
    "findings": PARTITION + ["household_id", "grade", "rule", "severity", "message", "facts", "as_of"],
}


def _schema(name: str):
    """Text unless the column is known to be a number, a yes/no or a list: a column added to the ledger's
    household or member columns is written as text without an edit here. The partition columns live in
    the folder names, not in the files."""
    import pyarrow as pa

    def kind(column: str):
        return (pa.bool_() if column in BOOLS else pa.int64() if column in INTS
                else pa.list_(pa.string()) if column in LISTS else pa.string())

    return pa.schema([(column, kind(column)) for column in COLUMNS[name] if column not in PARTITION])


def _clean(row: dict) -> dict:
    for k in INTS & row.keys():
        if row[k] is not None and not isinstance(row[k], int):
            try:
                row[k] = int(row[k])
            except (TypeError, ValueError):
                row[k] = None
    for k in BOOLS & row.keys():
        row[k] = None if row[k] is None else bool(row[k])
    for k, v in row.items():  # any other column is text
        if v is not None and k not in INTS and k not in BOOLS and k not in LISTS and not isinstance(v, str):
            row[k] = str(v)
    return row


def write_parquet(ledger: Ledger, folder: Path, *, progress=None) -> dict[str, int]:
    """Write every table under `folder`, a file per table and partition, a batch at a time; returns the
    rows written per table. A county's files are replaced when it exports again; other counties' stay."""
    _need_pyarrow()
    current(ledger, progress=progress)  # the findings as of today
    county = ledger.meta("county") or "county"
    counts = {}
    pending: list[tuple[Path, Path]] = []  # (temporary, target): every file is renamed into place at the end
    try:
        _write_tables(ledger, Path(folder), county, counts, pending)
        for tmp, target in pending:
            os.replace(tmp, target)
    except OSError as error:
        from grid_cli.errors import disk_error

        raise disk_error(error, Path(folder)) from None
    finally:
        for tmp, _target in pending:
            tmp.unlink(missing_ok=True)
    return counts


def _write_tables(ledger: Ledger, folder: Path, county: str, counts: dict, pending: list) -> None:
    """Each table a batch at a time, into temporary files beside their targets (added to `pending`)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from grid_cli.exports.files import check_target, temporary

    for name, (sql, params, shape) in _tables(ledger).items():
        schema = _schema(name)
        counts[name] = 0
        writers: dict[tuple[str, str], object] = {}
        try:
            for rows in _stream(ledger, sql, params, lambda r: _clean(shape(r))):
                parts: dict[tuple[str, str], list[dict]] = {}
                for row in rows:
                    parts.setdefault((row.pop("county") or "", row.pop("township") or ""), []).append(row)
                for key, part in parts.items():
                    if key not in writers:
                        where = folder / name / f"county={_safe(key[0])}" / f"township={_safe(key[1])}"
                        where.mkdir(parents=True, exist_ok=True)
                        target = check_target(where / f"{_safe(county)}.parquet")  # a regular file, or refused
                        fd, tmp = temporary(target)
                        os.close(fd)
                        pending.append((tmp, target))
                        writers[key] = pq.ParquetWriter(tmp, schema)
                    writers[key].write_batch(pa.RecordBatch.from_pylist(part, schema=schema))
                counts[name] += len(rows)
        finally:
            for writer in writers.values():
                writer.close()


def _safe(text: str) -> str:
    """A place name as a folder name (what a path cannot hold becomes _)."""
    return "".join("_" if ch in '/\\:*?"<>|=' or ord(ch) < 32 else ch for ch in text) or "_"
