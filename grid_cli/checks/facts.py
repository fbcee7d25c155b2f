"""The fact tables every check reads, built once per run in SQL in a private temporary database (`ck`), and the
fused pass that runs the checks over them.

`ck_m0`, one row per active member (with its household's number, place, type and category), adds what the
checks compare: the ID number's form, check character, birth date and sex (read from the number in SQL),
the age on the day, and what the 在校生状况 value says (stage, in school, compulsory, out of school, from the
catalogue). `ck_head`, the head's name, sex and age per household (a member row reads them beside it as
head_sex and head_age). `ck_l`, the lifecycle standing per household (folded by lifecycle.standing, household
by household). `ck_h`, one row per active household: counts over its members (heads, spouses, working-age
able, labour, disabled, ill, 低保, uninsured, children out of school), its standing, and its latest visit's
income, residents and house grade.

A check (LEVEL member or household) gives a SQL condition over its level's row (`where`) and the words for
a row that fails it (`message`). `run_all` reads each level's rows once, every check's condition beside
them as one bit of a mask, and keeps only the rows with a bit set: memory stays flat however big the area,
and the cost is one pass per level, not one per check. Each condition is a CASE WHEN, as in a WHERE clause:
SQLite then stops at the first false term of an AND (as a value, `a AND b` computes both), which made the
pass three times cheaper.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Iterator

from grid_cli import catalog
from grid_cli.ledger import Ledger
from grid_cli.standing import KINDS, standing
from grid_cli.checks.base import Problem, problem

BATCH = 5000
_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# The GB 11643 check character of upper(id_number), in SQL (no Python call per member).
# (Read from the column itself: a computed alias would be computed again for each of its 17 uses.)
CHECK_CHAR = "substr('10X98765432', ((" + " + ".join(
    f"CAST(substr(m.id_number, {i + 1}, 1) AS INTEGER) * {w}" for i, w in enumerate(_W)) + ") % 11) + 1, 1)"
DIGITS17 = "[0-9]" * 17
BIRTH = "(substr(m.id_number, 7, 4) || '-' || substr(m.id_number, 11, 2) || '-' || substr(m.id_number, 13, 2))"
# Whether the number's YYYYMMDD is a day of the calendar (its digits checked first). Not date(x) = x: SQLite
# 3.40 gives back 2024-02-30 unchanged, newer ones move it to March, and the arithmetic is three times cheaper.
_YEAR = "CAST(substr(m.id_number, 7, 4) AS INTEGER)"
REAL_DAY = (f"substr(m.id_number, 11, 2) BETWEEN '01' AND '12' AND substr(m.id_number, 13, 2) BETWEEN '01' AND"
            f" CASE substr(m.id_number, 11, 2) WHEN '02' THEN CASE WHEN {_YEAR} % 4 = 0 AND ({_YEAR} % 100 != 0"
            f" OR {_YEAR} % 400 = 0) THEN '29' ELSE '28' END WHEN '04' THEN '30' WHEN '06' THEN '30' WHEN '09' THEN '30'"
            f" WHEN '11' THEN '30' ELSE '31' END")


def age_sql(birth: str, on: str = ":on") -> str:
    """Whole years from an ISO birth date to an ISO day."""
    return (f"(CAST(substr({on}, 1, 4) AS INTEGER) - CAST(substr({birth}, 1, 4) AS INTEGER)"
            f" - (substr({on}, 6, 5) < substr({birth}, 6, 5)))")


MEMBERS = f"""
SELECT m.id AS member_id, m.household_id, h.hh_no, h.village, h.grid, h.hh_type, h.category, m.name,
       m.id_number, upper(coalesce(m.id_number, '')) AS n, length(m.id_number) AS id_len,
       (coalesce(m.id_number, '') != '' AND m.id_number NOT GLOB '999999*') AS id_real,
       CASE WHEN length(m.id_number) IN (18, 20, 22) AND substr(m.id_number, 1, 17) GLOB '{DIGITS17}'
        AND upper(substr(m.id_number, 18, 1)) GLOB '[0-9X]'
        AND (length(m.id_number) = 18 OR substr(m.id_number, 19, 2) GLOB '[1-7][1-4]')
        AND {REAL_DAY} THEN 1 ELSE 0 END AS id_form_ok,
       CASE WHEN substr(m.id_number, 1, 17) GLOB '{DIGITS17}' THEN {CHECK_CHAR} END AS id_check,
       CASE WHEN substr(m.id_number, 7, 8) GLOB '{'[0-9]' * 8}' THEN {BIRTH} END AS id_birth,
       CASE WHEN substr(m.id_number, 17, 1) GLOB '[0-9]' THEN
            CASE CAST(substr(m.id_number, 17, 1) AS INTEGER) % 2 WHEN 1 THEN '男' ELSE '女' END END AS id_sex,
       m.sex, m.birth_date, {age_sql(f"coalesce(m.birth_date, {BIRTH})")} AS age,
       m.relation, m.education, m.school_status, s.stage, coalesce(s.in_school, 0) AS in_school,
       coalesce(s.compulsory, 0) AS compulsory, coalesce(s.out_of_school, 0) AS out_of_school, s.grade AS school_grade,
       m.dropout_reason, m.health, m.disability_grade, m.id_type, m.labour_skill, m.work_status, m.work_months,
       m.medical_insurance, m.employee_medical_insurance, m.serious_illness_insurance, m.pension_insurance,
       m.employee_pension_insurance, m.dibao, m.tekun, m.phone
FROM members m
JOIN households h ON h.id = m.household_id AND h.status = '正常'
LEFT JOIN ck.ck_school s ON s.value = m.school_status
WHERE m.status = '正常'"""
# The head's name, sex and age per household (the largest where a household has several heads): a narrow table
# the household facts join and the member pass reads beside each member (head_sex, head_age).
HEADS = """
CREATE TABLE ck.ck_head (household_id TEXT PRIMARY KEY, head_name TEXT, head_sex TEXT, head_age INTEGER) WITHOUT ROWID;
INSERT INTO ck.ck_head SELECT household_id, max(name), max(sex), max(age) FROM ck.ck_m0 WHERE relation = '户主'
GROUP BY household_id"""
MEMBER_ROWS = ("(SELECT m.*, hd.head_sex, hd.head_age FROM ck.ck_m0 m"
               " LEFT JOIN ck.ck_head hd ON hd.household_id = m.household_id)")

HOUSEHOLDS = """
CREATE TABLE ck.ck_h AS
SELECT h.id AS household_id, h.hh_no, h.village, h.grid, h.hh_type, h.category, h.flags, h.phone,
       hd.head_name AS name, hd.head_sex, hd.head_age,
       coalesce(a.members, 0) AS members, coalesce(a.full_labour, 0) AS full_labour, coalesce(a.heads, 0) AS heads, coalesce(a.spouses, 0) AS spouses,
       coalesce(a.able, 0) AS able, coalesce(a.labour, 0) AS labour, coalesce(a.no_labour, 0) AS no_labour,
       coalesce(a.disabled, 0) AS disabled, coalesce(a.severe, 0) AS severe, coalesce(a.ill, 0) AS ill,
       coalesce(a.dibao, 0) AS dibao, coalesce(a.tekun, 0) AS tekun, coalesce(a.uninsured, 0) AS uninsured,
       coalesce(a.child_out, 0) AS child_out, coalesce(a.working, 0) AS working,
       coalesce(l.monitored, 0) AS monitored, l.identified, coalesce(l.eliminated, 0) AS eliminated, l.elim_month,
       l.elim_method, coalesce(l.risks, '[]') AS risks, coalesce(l.measures, 0) AS measures,
       coalesce(l.measure_kinds, '[]') AS measure_kinds, coalesce(l.measures_ever, 0) AS measures_ever,
       coalesce(l.helpers, 0) AS helpers,
       lv.date AS visit_date, v.residents, v.wages, v.business, v.property, v.transfer, v.costs, v.per_capita,
       v.house_grade, :threshold AS threshold
FROM households h
LEFT JOIN (
  SELECT household_id, count(*) AS members, sum(relation = '户主') AS heads,
         sum(labour_skill IN ('普通劳动力', '技能劳动力')) AS full_labour, sum(relation = '配偶') AS spouses,
         sum(age BETWEEN :labour_min AND :labour_max  -- who counts as labour: the rules' `labour` policy
             AND labour_skill IN (SELECT value FROM json_each(:labour_skills))) AS able,
         sum(labour_skill IN ('普通劳动力', '技能劳动力', '弱劳动力或半劳动力')) AS labour,
         sum(coalesce(labour_skill, '') IN ('无劳动力', '丧失劳动力')) AS no_labour,
         sum(health = '残疾') AS disabled, sum(health = '残疾' AND disability_grade IN ('一级', '二级')) AS severe,
         sum(health IN ('长期慢性病', '患有大病')) AS ill, sum(dibao = 1) AS dibao, sum(tekun = 1) AS tekun,
         sum(medical_insurance = 0 AND coalesce(employee_medical_insurance, 0) = 0) AS uninsured,
         sum(out_of_school = 1 AND age BETWEEN :min_age AND :max_age) AS child_out,
         sum(coalesce(work_status, '未务工') != '未务工') AS working
  FROM ck.ck_m0 GROUP BY household_id) a ON a.household_id = h.id
LEFT JOIN ck.ck_head hd ON hd.household_id = h.id
LEFT JOIN ck.ck_l l ON l.household_id = h.id
LEFT JOIN event_index lv ON lv.id = (  -- the latest visit (of one day's visits, the smallest id), sought per household
  SELECT e.id FROM event_index e WHERE e.household_id = h.id AND e.kind = 'visit' AND e.date <= :on
  ORDER BY e.date DESC, e.id LIMIT 1)
LEFT JOIN (
  SELECT seq, json_array_length(json_extract(body, '$.data.residents')) AS residents,
         json_extract(body, '$.data.income.wages') AS wages, json_extract(body, '$.data.income.business') AS business,
         json_extract(body, '$.data.income.property') AS property, json_extract(body, '$.data.income.transfer') AS transfer,
         json_extract(body, '$.data.income.production_costs') AS costs,
         json_extract(body, '$.data.per_capita') AS per_capita, json_extract(body, '$.data.house_grade') AS house_grade
  FROM changes) v ON v.seq = lv.change_seq
WHERE h.status = '正常'"""


class Facts:
    """The fact tables of one run, as of a day. `run(check, config)` runs one check; `run_all` runs many in one
    fused pass per level (each row read once, every check's predicate evaluated on it)."""

    def __init__(self, ledger: Ledger, *, on: dt.date, threshold: int | None, compulsory: tuple[int, int] = (6, 15)):
        self.ledger, self.conn, self.on, self.threshold = ledger, ledger.conn, on, threshold
        from grid_cli.rules.config import configs_in_force

        labour = configs_in_force(ledger, on)["labour"]
        self.params = {"on": on.isoformat(), "min_age": compulsory[0], "max_age": compulsory[1], "threshold": threshold,
                       "labour_min": labour.min_age, "labour_max": labour.max_age,
                       "labour_skills": json.dumps(labour.skills, ensure_ascii=False)}
        self.close()
        conn = self.conn
        conn.execute("ATTACH DATABASE '' AS ck")  # the fact tables: a private temporary database of their own
        conn.execute("CREATE TABLE ck.ck_school (value TEXT PRIMARY KEY, stage TEXT, grade INTEGER, in_school INTEGER,"
                     " compulsory INTEGER, out_of_school INTEGER)")
        conn.executemany("INSERT INTO ck.ck_school VALUES (?, ?, ?, ?, ?, ?)",
                         [(e["zh"], f.get("stage"), f.get("grade"), f.get("in_school"), f.get("compulsory"),
                           f.get("out_of_school")) for e in catalog.entries("school_status") for f in [e.get("facts", {})]])
        # stored once: the fused pass reads plain columns (a view would compute every fact once per predicate)
        conn.execute("CREATE TABLE ck.ck_m0 AS " + MEMBERS, self.params)
        conn.execute("CREATE INDEX ck.ck_m0_household ON ck_m0(household_id)")
        for statement in HEADS.split(";"):
            conn.execute(statement)
        self._lifecycle()
        conn.execute(HOUSEHOLDS, self.params)
        conn.execute("CREATE UNIQUE INDEX ck.ck_h_id ON ck_h(household_id)")

    def _lifecycle(self) -> None:
        """Each household's standing (lifecycle.standing over its steps), folded batch by batch."""
        conn = self.conn
        conn.execute("CREATE TABLE ck.ck_l (household_id TEXT PRIMARY KEY, monitored INTEGER, identified TEXT,"
                     " eliminated INTEGER, elim_month TEXT, elim_method TEXT, risks TEXT, measures INTEGER,"
                     " measure_kinds TEXT, measures_ever INTEGER, helpers INTEGER)")
        kinds = ",".join(f"'{k}'" for k in KINDS)
        cursor = conn.cursor()
        cursor.row_factory = None
        # (the steps picked from event_index first, then joined to their changes: through the `events` view,
        # SQLite looked up every visit's change before testing its kind, 0.3 s against 0.13 for 20k households)
        cursor.execute("SELECT e.household_id, e.id, e.kind, e.date, json_extract(c.body, '$.data'), c.hlc FROM"
                       f" (SELECT household_id, id, kind, date, change_seq FROM event_index WHERE kind IN ({kinds})"
                       " AND (date IS NULL OR date <= ?) LIMIT -1) e JOIN changes c ON c.seq = e.change_seq"
                       " ORDER BY e.household_id, e.date, c.hlc, e.id", (self.on.isoformat(),))
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
                    conn.executemany("INSERT INTO ck.ck_l VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
                    rows.clear()
            steps.append({"id": event_id, "kind": kind, "date": date, "data": json.loads(data), "hlc": hlc})
        flush()
        conn.executemany("INSERT INTO ck.ck_l VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)

    def run(self, module, config) -> Iterator[Problem]:
        """One check's problems (what `check()` of a module returns)."""
        for _check, found in self.run_all([(module, config)]):
            yield found

    def run_all(self, checks: list) -> Iterator[tuple[str, Problem]]:
        """(check id, problem) for every (module, config) given, level by level: one pass over the members
        and one over the households, each row read once with every check's predicate beside it."""
        for module, config, row in self.failing(checks):
            for zh, en, facts in _messages(module.message(row, config)):
                yield module.ID, problem(module.ID, row, zh, en, **facts)

    def counts(self, checks: list) -> Iterator[tuple[str, str, int]]:
        """(check id, household id, problems) for every failing row: what run_all finds, counted without
        making the problems (a county's quarterly report counts hundreds of thousands)."""
        for module, config, row in self.failing(checks, ordered=False):
            yield module.ID, row["household_id"], len(_messages(module.message(row, config)))

    def failing(self, checks: list, ordered: bool = True) -> Iterator[tuple[Any, Any, Any]]:
        """(module, config, fact row) for each check a row fails, the rows by 户编号 when `ordered`."""
        import re
        import sqlite3

        for level, source in (("member", MEMBER_ROWS), ("household", "ck.ck_h")):
            mine = [(m, c) for m, c in checks if m.LEVEL == level]
            if not mine:
                continue
            params, columns = dict(self.params), []
            for i, (module, config) in enumerate(mine):
                own = module.params(config) if hasattr(module, "params") else {}
                where = re.sub(r":(\w+)", lambda x: f":c{i}_{x.group(1)}" if x.group(1) in own else x.group(0),
                               module.where(config, self) if module.where.__code__.co_argcount > 1 else module.where(config))
                params.update({f"c{i}_{k}": v for k, v in own.items()})
                columns.append(where)
            for start in range(0, len(columns), 62):  # a 63-bit mask per row says which checks it fails
                part = columns[start:start + 62]
                mask = " + ".join(f"CASE WHEN ({c}) THEN {1 << i} ELSE 0 END" for i, c in enumerate(part))
                cursor = self.conn.cursor()
                cursor.row_factory = sqlite3.Row
                # LIMIT -1 keeps SQLite from flattening the subquery, which would compute the mask twice a row
                cursor.execute(f"SELECT * FROM (SELECT *, {mask} AS ck_mask FROM {source} LIMIT -1) WHERE ck_mask != 0"
                               + (" ORDER BY hh_no, household_id" if ordered else ""), params)
                for row in cursor:
                    bits = row["ck_mask"]
                    while bits:
                        low = bits & -bits
                        yield (*mine[start + low.bit_length() - 1], row)
                        bits ^= low

    def close(self) -> None:
        """Detaching deletes the private database's file: dropping its tables one by one took 0.1-0.2 s."""
        if any(row[1] == "ck" for row in self.conn.execute("PRAGMA database_list")):
            self.conn.execute("DETACH DATABASE ck")


def _messages(found) -> list[tuple[str, str, dict]]:
    """A check's message(s) for one row: (zh, en), (zh, en, facts), or a list of them."""
    items = [found] if isinstance(found, tuple) else list(found or ())
    return [(m[0], m[1], m[2] if len(m) > 2 else {}) for m in items]
