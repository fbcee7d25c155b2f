"""Building real ledgers for the check tests: households written through the ledger's own write path
(`Writer.put` / `Writer.event`, as an import or a merge would leave them, odd values included), then one
check run over them."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

from conftest import make_id
from grid_cli.clock import new_id
from grid_cli.ledger import Ledger

TODAY = dt.date(2026, 11, 22)
_seq = itertools.count(11)


def ledger(tmp_path: Path, threshold: int = 7600) -> Ledger:
    path = tmp_path / f"checks-{next(_seq)}.db"
    led = Ledger.create(path, {"level": "grid", "grid_code": "G1", "village": "青石村", "year": 2026})
    with led.write() as w:
        w.set_config(2026, {"threshold": threshold})
    return led


def person(name: str = "张三", age: int = 40, relation: str = "户主", sex: str | None = None, **fields) -> dict:
    """A complete, clean member (every field a check reads filled), aged `age` on TODAY; override any field."""
    birth = f"{TODAY.year - age}0301" if age is not None else "19800301"
    seq = next(_seq) * 2 + (1 if (sex or ("男" if relation in ("户主", "之子", "之父") else "女")) == "男" else 0)
    number = make_id(birth, seq % 1000)
    base = {"name": name, "id_number": number, "relation": relation, "sex": "男" if seq % 2 else "女",
            "birth_date": f"{birth[:4]}-{birth[4:6]}-{birth[6:]}", "education": "初中" if age >= 16 else None,
            "school_status": "非在校生" if age >= 16 else ("七年级" if age >= 12 else "小学" if age >= 6 else "学龄前儿童"),
            "health": "健康", "labour_skill": "普通劳动力" if 16 <= age < 60 else "无劳动力", "work_status": "未务工",
            "medical_insurance": 1, "serious_illness_insurance": 1, "pension_insurance": 1, "dibao": 0, "tekun": 0}
    return {**base, **fields}


def household(led: Ledger, hh_no: str, members: list[dict] | None = None, *, visit: dict | None = None,
              steps: list[tuple[str, str, dict]] = (), **fields) -> str:
    """One household with its members (default: a clean couple), an optional visit and lifecycle steps
    (kind, date, data). Returns its id."""
    hid = new_id()
    members = members if members is not None else [person(f"{hh_no}户主", 45), person(f"{hh_no}配偶", 43, "配偶")]
    with led.write() as w:
        w.put("household", hid, {"hh_no": hh_no, "grid": "G1", "village": "上寨", "hh_type": "一般农户",
                                 "phone": "13908761234", "status": "正常", **fields})
        for m in members:
            w.put("member", new_id(), {**m, "household_id": hid, "status": "正常"})
        if visit is not None:
            v = {"date": "2026-11-01", "income": {"wages": 30000, "business": 0, "property": 0, "transfer": 0,
                                                  "production_costs": 0}, "residents": ["a", "b"], "per_capita": 15000,
                 "house_grade": "A", **visit}
            w.event("visit", hid, v, date=v["date"])
        for kind, date, data in steps:
            if kind in ("include", "eliminate"):  # as an import leaves them: the national system's approved record
                data = {"source": "导入", **data}
            w.event(kind, hid, data, date=date)
    return hid


def included(identified: str = "2026-03-01", risks=("因病",), category: str = "边缘易致贫户") -> tuple:
    return ("include", identified, {"category": category, "risks": list(risks), "identified": identified})


def measure(kind: str, start: str = "2026-03-10", detail: str = "") -> tuple:
    return ("measure", start, {"kind": kind, "start": start, "detail": detail})


def flagged(led: Ledger, check: str, **settings) -> list[str]:
    """The 户编号 of the households (one per problem) the check flags."""
    from grid_cli.checks.runner import run

    if settings:
        with led.write() as w:
            w.set_config(2026, {f"checks.{check}.{k}": v for k, v in settings.items()})
    report = run(led, on=TODAY, only=[check], collect=True)
    return sorted(p.hh_no for p in report.results[0].problems)
