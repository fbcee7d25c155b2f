"""A visit's verdict on what a department list says: `grid dept confirm|dismiss HH REF`.

The verdict is an append-only `dept_review` event on the household, dated by the visit it was made at and
naming that visit (the link is kept, and travels with the household like any event). A later verdict on
the same row replaces an earlier one.
"""

from __future__ import annotations

from grid_cli.dept import REVIEW
from grid_cli.dept.facts import DeptFact, load
from grid_cli.errors import UsageError
from grid_cli.households import find_household
from grid_cli.ledger import Ledger
from grid_cli.parse import parse_date

VERDICTS = ("confirmed", "dismissed")


def find_fact(ledger: Ledger, household_id: str, ref: str) -> DeptFact:
    from grid_cli.clock import today

    facts = load(ledger, on=today(), household_ids=[household_id]).get(household_id, ())
    ref = ref.strip().lower()
    hits = [f for f in facts if f.ref.startswith(ref)] if len(ref) >= 4 else []
    if len(hits) != 1:
        known = "、".join(f.short for f in facts) or "无"
        raise UsageError(f"该户没有编号为“{ref}”的部门名单记录（有：{known}）",
                         f"this household has no department row '{ref}' (it has: {known})",
                         hint_zh="编号见 grid dept findings", hint_en="the references are shown by `grid dept findings`")
    return hits[0]


def review(ledger: Ledger, household_key: str, ref: str, verdict: str, *, visit_date: str | None = None,
           note: str = "") -> dict:
    """Record a verdict at the household's visit (the one on `visit_date`, else its latest). The visit must
    not be older than the list: it has to have seen what the list says."""
    if verdict not in VERDICTS:
        raise ValueError(verdict)
    household = find_household(ledger, household_key)
    fact = find_fact(ledger, household["id"], ref)
    params: list = [household["id"]]
    where = ""
    if visit_date:
        where = " AND date = ?"
        params.append(parse_date(visit_date).isoformat())
    visit = ledger.conn.execute(f"SELECT id, date FROM events WHERE household_id = ? AND kind = 'visit'{where}"
                                " ORDER BY date DESC, hlc DESC LIMIT 1", params).fetchone()
    if visit is None or visit[1] < f"{fact.month}-01":
        raise UsageError(f"该户没有{fact.month}名单之后的走访记录{f'（{visit_date}）' if visit_date else ''}，"
                         "须走访核实后再确认或排除",
                         f"no visit to this household since the list of {fact.month}"
                         f"{f' on {visit_date}' if visit_date else ''}: a visit must check it first",
                         hint_zh="先用 grid visit 记录走访", hint_en="record the visit with `grid visit` first")
    with ledger.write() as w:
        w.event(REVIEW, household["id"], {"ref": fact.ref, "verdict": verdict, "visit": visit[0], "note": note},
                date=visit[1])
        w.audit(f"dept-{verdict[:-2] if verdict.endswith('ed') else verdict}", f"{household['hh_no']} {fact.kind} {fact.month}")
    return {"hh_no": household["hh_no"], "ref": fact.short, "kind": fact.kind, "month": fact.month,
            "verdict": verdict, "visit_date": visit[1]}
