"""Exports for people outside the chain (a researcher, an outside auditor): households and members with
names, ID numbers, phones, addresses, household numbers and free text left out, each person and household
named by a stable pseudonym instead.

A pseudonym is HMAC-SHA256 under the ledger's own pseudonym secret (kept with its keys, never exported) of
the person's ID number (else the member's record id) or the household's 户编号 (else its record id): the
same person gets the same pseudonym on every export from this ledger, nobody without the secret can
compute or reverse it, and two ledgers' exports cannot be joined person by person. Birth dates are cut to
the year.
"""

from __future__ import annotations

import hashlib
import hmac

from grid_cli.exports.table import Book, Sheet, Table

HOUSEHOLD_COLUMNS = [("户代号", None), ("网格", "grid"), ("自然村", "village"), ("户类型", "hh_type"),
                     ("监测对象类别", "category"), ("标识", "flags"), ("状态", "status"), ("家庭人口数", None)]
MEMBER_COLUMNS = [("人员代号", None), ("户代号", None), ("性别", "sex"), ("出生年份", None), ("与户主关系", "relation"),
                  ("民族", "ethnicity"), ("文化程度", "education"), ("在校生状况", "school_status"), ("健康状况", "health"),
                  ("残疾等级", "disability_grade"), ("劳动技能", "labour_skill"), ("务工状况", "work_status"),
                  ("务工时间（月）", "work_months"), ("城乡居民基本医疗保险", "medical_insurance"),
                  ("大病保险", "serious_illness_insurance"), ("城乡居民基本养老保险", "pension_insurance"),
                  ("低保", "dibao"), ("特困供养", "tekun"), ("状态", "status")]


class Pseudonyms:
    def __init__(self, secret: bytes):
        self.secret = secret

    def __call__(self, kind: str, value: str) -> str:
        mac = hmac.new(self.secret, f"{kind}:{value}".encode("utf-8"), hashlib.sha256).hexdigest()
        return f"{'P' if kind == 'person' else 'H'}-{mac[:12].upper()}"


def redacted_book(ledger, keys) -> Book:
    import json

    name = Pseudonyms(keys.pseudonym_secret)
    households = ledger.query("SELECT * FROM households ORDER BY grid, hh_no, id")
    members = ledger.query("SELECT * FROM members ORDER BY household_id, id")
    hh_alias = {h["id"]: name("household", h["hh_no"] or h["id"]) for h in households}
    size: dict[str, int] = {}
    for m in members:
        if m["status"] == "正常":
            size[m["household_id"]] = size.get(m["household_id"], 0) + 1
    hrows = []
    for h in households:
        flags = json.loads(h["flags"]) if h["flags"] else []
        row = [hh_alias[h["id"]]] + [h[c] for _, c in HOUSEHOLD_COLUMNS[1:-1]] + [size.get(h["id"], 0)]
        row[HOUSEHOLD_COLUMNS.index(("标识", "flags"))] = "、".join(flags)
        hrows.append(row)
    mrows = []
    for m in members:
        person = name("person", m["id_number"] or m["id"])
        household = hh_alias.get(m["household_id"]) or (name("household", m["household_id"]) if m["household_id"] else None)
        year = int(m["birth_date"][:4]) if m["birth_date"] and m["birth_date"][:4].isdigit() else None
        mrows.append([person, household, m["sex"], year] + [m[c] for _, c in MEMBER_COLUMNS[4:]])
    tables = [Table("households", "农户（去标识）", [c for c, _ in HOUSEHOLD_COLUMNS], hrows),
              Table("members", "家庭成员（去标识）", [c for c, _ in MEMBER_COLUMNS], mrows)]
    note = "姓名、证件号码、电话、地址、户编号已去除；代号在本账本的每次导出中保持不变"
    return Book([Sheet("农户", [tables[0]]), Sheet("家庭成员", [tables[1]])], page_header="去标识数据 · " + note,
                title="去标识导出")
