"""The fact tables every check reads: built once per run, in SQL, as temporary tables of the ledger.

`ck_m`, one row per active member (with its household's number, place, type and category), adds what the
checks compare: the ID number's form, check character, birth date and sex (read from the number in SQL),
the age on the day, and what the 在校生状况 value says (stage, in school, compulsory, out of school, from the
catalogue). `ck_l`, the lifecycle standing per household (folded by lifecycle.standing, in batches of
households). `ck_h`, one row per active household: counts over its members (heads, spouses, working-age
able, labour, disabled, ill, 低保, uninsured, children out of school), its standing, and its latest visit's
income, residents and house grade.

Checks query these with `members(where)` / `households(where)`, streamed: memory stays flat however big
the area. The tables are dropped by `close()`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Iterator

from grid_cli import catalog
from grid_cli.ledger import Ledger
from grid_cli.lifecycle import KINDS, standing
from grid_cli.rules.base import ABLE, WORKING_AGE

BATCH = 5000
_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# The GB 11643 check character of upper(id_number), in SQL (no Python call per member).
CHECK_CHAR = "substr('10X98765432', ((" + " + ".join(
    f"CAST(substr(n, {i + 1}, 1) AS INTEGER) * {w}" for i, w in enumerate(_W)) + ") % 11) + 1, 1)"
DIGITS17 = "[0-9]" * 17


def age_sql(birth: str, on: str = ":on") -> str:
    """Whole years from an ISO birth date to an ISO day."""
    return (f"(CAST(substr({on}, 1, 4) AS INTEGER) - CAST(substr({birth}, 1, 4) AS INTEGER)"
            f" - (substr({on}, 6, 5) < substr({birth}, 6, 5)))")


MEMBERS = f"""
CREATE TEMP TABLE ck_m AS
SELECT x.*, {age_sql("coalesce(x.birth_date, x.id_birth)")} AS age
FROM (
  SELECT m.id AS member_id, m.household_id, h.hh_no, h.village, h.grid, h.hh_type, h.category, m.name,
         m.id_number, n, length(n) AS id_len,
         (n != '' AND NOT n GLOB '999999*') AS id_real,
         (length(n) IN (18, 20, 22) AND substr(n, 1, 17) GLOB '{DIGITS17}' AND substr(n, 18, 1) GLOB '[0-9X]'
          AND (length(n) = 18 OR substr(n, 19, 2) GLOB '[1-7][1-4]')
          AND date(substr(n, 7, 4) || '-' || substr(n, 11, 2) || '-' || substr(n, 13, 2))
              = substr(n, 7, 4) || '-' || substr(n, 11, 2) || '-' || substr(n, 13, 2)) AS id_form_ok,
         CASE WHEN substr(n, 1, 17) GLOB '{DIGITS17}' THEN {CHECK_CHAR} END AS id_check,
         CASE WHEN substr(n, 7, 8) GLOB '{'[0-9]' * 8}' THEN substr(n, 7, 4) || '-' || substr(n, 11, 2) || '-' || substr(n, 13, 2) END AS id_birth,
         CASE WHEN substr(n, 17, 1) GLOB '[0-9]' THEN CASE CAST(substr(n, 17, 1) AS INTEGER) % 2 WHEN 1 THEN '男' ELSE '女' END END AS id_sex,
         m.sex, m.birth_date, m.relation, m.education, m.school_status, s.stage, coalesce(s.in_school, 0) AS in_school,
         coalesce(s.compulsory, 0) AS compulsory, coalesce(s.out_of_school, 0) AS out_of_school, s.grade AS school_grade,
         m.dropout_reason, m.health, m.disability_grade, m.id_type, m.labour_skill, m.work_status, m.work_months,
         m.medical_insurance, m.employee_medical_insurance, m.serious_illness_insurance, m.pension_insurance,
         m.employee_pension_insurance, m.dibao, m.tekun, m.phone
  FROM (SELECT *, upper(coalesce(id_number, '')) AS n FROM members WHERE status = '正常') m
  JOIN households h ON h.id = m.household_id AND h.status = '正常'
  LEFT JOIN temp.ck_school s ON s.value = m.school_status
) x"""

ABLE_SQL = "(" + ", ".join(f"'{v}'" for v in sorted(ABLE)) + ")"
HOUSEHOLDS = f"""
CREATE TEMP TABLE ck_h AS
SELECT h.id AS household_id, h.hh_no, h.village, h.grid, h.hh_type, h.category, h.flags, h.phone,
       (SELECT name FROM temp.ck_m WHERE household_id = h.id AND relation = '户主' LIMIT 1) AS name,
       coalesce(a.members, 0) AS members, coalesce(a.heads, 0) AS heads, coalesce(a.spouses, 0) AS spouses,
       coalesce(a.able, 0) AS able, coalesce(a.labour, 0) AS labour, coalesce(a.no_labour, 0) AS no_labour,
       coalesce(a.disabled, 0) AS disabled, coalesce(a.severe, 0) AS severe, coalesce(a.ill, 0) AS ill,
       coalesce(a.dibao, 0) AS dibao, coalesce(a.tekun, 0) AS tekun, coalesce(a.uninsured, 0) AS uninsured,
       coalesce(a.child_out, 0) AS child_out, coalesce(a.working, 0) AS working,
       coalesce(l.monitored, 0) AS monitored, l.identified, coalesce(l.eliminated, 0) AS eliminated, l.elim_month,
       l.elim_method, coalesce(l.risks, '[]') AS risks, coalesce(l.measures, 0) AS measures,
       coalesce(l.measure_kinds, '[]') AS measure_kinds, coalesce(l.measures_ever, 0) AS measures_ever,
       coalesce(l.helpers, 0) AS helpers,
       v.date AS visit_date, v.residents, v.wages, v.business, v.property, v.transfer, v.costs, v.per_capita,
       v.house_grade
FROM households h
LEFT JOIN (
  SELECT household_id, count(*) AS members, sum(relation = '户主') AS heads, sum(relation = '配偶') AS spouses,
         sum(age BETWEEN {WORKING_AGE[0]} AND {WORKING_AGE[1]} AND labour_skill IN {ABLE_SQL}) AS able,
         sum(labour_skill IN ('普通劳动力', '技能劳动力', '弱劳动力或半劳动力')) AS labour,
         sum(coalesce(labour_skill, '') IN ('无劳动力', '丧失劳动力')) AS no_labour,
         sum(health = '残疾') AS disabled, sum(health = '残疾' AND disability_grade IN ('一级', '二级')) AS severe,
         sum(health IN ('长期慢性病', '患有大病')) AS ill, sum(dibao = 1) AS dibao, sum(tekun = 1) AS tekun,
         sum(medical_insurance = 0 AND coalesce(employee_medical_insurance, 0) = 0) AS uninsured,
         sum(out_of_school = 1 AND age BETWEEN :min_age AND :max_age) AS child_out,
         sum(coalesce(work_status, '未务工') != '未务工') AS working
  FROM temp.ck_m GROUP BY household_id) a ON a.household_id = h.id
LEFT JOIN temp.ck_l l ON l.household_id = h.id
LEFT JOIN (
  SELECT e.household_id, e.date, json_array_length(json_extract(c.body, '$.data.residents')) AS residents,
         json_extract(c.body, '$.data.income.wages') AS wages, json_extract(c.body, '$.data.income.business') AS business,
         json_extract(c.body, '$.data.income.property') AS property, json_extract(c.body, '$.data.income.transfer') AS transfer,
         json_extract(c.body, '$.data.income.production_costs') AS costs,
         json_extract(c.body, '$.data.per_capita') AS per_capita, json_extract(c.body, '$.data.house_grade') AS house_grade
  FROM event_index e JOIN changes c ON c.seq = e.change_seq
  WHERE e.kind = 'visit' AND e.date <= :on AND e.date = (SELECT max(date) FROM event_index x
        WHERE x.household_id = e.household_id AND x.kind = 'visit' AND x.date <= :on)
  GROUP BY e.household_id) v ON v.household_id = h.id
WHERE h.status = '正常'"""


class Facts:
    """The fact tables of one run, as of a day; `members(where)` / `households(where)` stream rows."""

    def __init__(self, ledger: Ledger, *, on: dt.date, threshold: int | None, compulsory: tuple[int, int] = (6, 15)):
        self.ledger, self.conn, self.on, self.threshold = ledger, ledger.conn, on, threshold
        self.params = {"on": on.isoformat(), "min_age": compulsory[0], "max_age": compulsory[1]}
        self.close()
        conn = self.conn
        conn.execute("CREATE TEMP TABLE ck_school (value TEXT PRIMARY KEY, stage TEXT, grade INTEGER, in_school INTEGER,"
                     " compulsory INTEGER, out_of_school INTEGER)")
        conn.executemany("INSERT INTO temp.ck_school VALUES (?, ?, ?, ?, ?, ?)",
                         [(e["zh"], f.get("stage"), f.get("grade"), f.get("in_school"), f.get("compulsory"),
                           f.get("out_of_school")) for e in catalog.entries("school_status") for f in [e.get("facts", {})]])
        conn.execute(MEMBERS, self.params)
        conn.execute("CREATE INDEX temp.ck_m_household ON ck_m(household_id)")
        self._lifecycle()
        conn.execute(HOUSEHOLDS, self.params)

    def _lifecycle(self) -> None:
        """Each household's standing (lifecycle.standing over its steps), folded batch by batch."""
        conn = self.conn
        conn.execute("CREATE TEMP TABLE ck_l (household_id TEXT PRIMARY KEY, monitored INTEGER, identified TEXT,"
                     " eliminated INTEGER, elim_month TEXT, elim_method TEXT, risks TEXT, measures INTEGER,"
                     " measure_kinds TEXT, measures_ever INTEGER, helpers INTEGER)")
        kinds = ",".join(f"'{k}'" for k in KINDS)
        cursor = conn.cursor()
        cursor.row_factory = None
        cursor.execute(f"SELECT household_id, id, kind, date, data, hlc FROM events WHERE kind IN ({kinds})"
                       " AND (date IS NULL OR date <= ?) ORDER BY household_id, date, hlc", (self.on.isoformat(),))
        rows, current, steps = [], None, []

        def flush():
            if current is not None:
                s = standing(steps)
                rows.append((current, int(s.monitored), s.identified.isoformat() if s.identified else None,
                             int(s.eliminated), s.eliminated_month, s.elimination_method,
                             json.dumps(list(s.risks), ensure_ascii=False), len(s.measures),
                             json.dumps(sorted({f"{m.kind}:{m.detail}" for m in s.measures}), ensure_ascii=False),
                             s.measures_ever, len(s.helpers)))

        for household, event_id, kind, date, data, hlc in cursor:
            if household != current:
                flush()
                current, steps = household, []
                if len(rows) >= BATCH:
                    conn.executemany("INSERT INTO temp.ck_l VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
                    rows.clear()
            steps.append({"id": event_id, "kind": kind, "date": date, "data": json.loads(data), "hlc": hlc})
        flush()
        conn.executemany("INSERT INTO temp.ck_l VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)

    def members(self, where: str, params: dict | None = None) -> Iterator:
        return self._select("ck_m", where, params)

    def households(self, where: str, params: dict | None = None) -> Iterator:
        return self._select("ck_h", where, params)

    def _select(self, table: str, where: str, params: dict | None) -> Iterator:
        import sqlite3

        cursor = self.conn.cursor()
        cursor.row_factory = sqlite3.Row
        return cursor.execute(f"SELECT * FROM temp.{table} WHERE {where} ORDER BY hh_no, household_id",
                              {**self.params, "threshold": self.threshold, **(params or {})})

    def close(self) -> None:
        for table in ("ck_h", "ck_l", "ck_m", "ck_school"):
            self.conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
