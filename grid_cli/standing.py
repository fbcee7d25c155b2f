"""A household's standing in the monitoring lifecycle (纳入, 消除, the case between), folded from its
events: pure, so the same events give the same state on every replica. The steps that write those events
are lifecycle.py; the risk findings that read the standing are findings.py.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Iterable

from grid_cli.ledger import Ledger
from grid_cli.parse import stored_date
from grid_cli.model import (ELIMINATED, MONITORED, PENDING_APPROVAL, PENDING_REVIEW, PROPOSED_ELIMINATION, Case, Measure,
                            Monitoring)

CASE_STEPS = ("village_review", "notice", "township_review", "county_approval")
KINDS = ("include", "eliminate", *CASE_STEPS, "helper", "helper_end", "measure", "measure_end", "measure_extend")
IMPORTED = "导入"  # the source of a record taken from the national system's export
MAX_RISKS = 5  # risk types a household is monitored for (the national system's 致贫/返贫风险1-5)


def standing(events: Iterable[dict]) -> Monitoring:
    """The household's lifecycle state from its events, in (date, hlc, id) order. Pure and total: the same
    events give the same state on every replica; a step naming a case that is not open is ignored.
    `decisions` lists what took effect, each {"date", "stage" (include | eliminate), "decision" (approve |
    return), "level" (township | county | import), "category", "method", "month", "reinclusion"}: what the
    monthly ledger and the quarterly report count."""
    monitored = eliminated = False
    category = identified = month = method = eliminated_on = None
    risks: tuple[str, ...] = ()
    helpers: dict[str, dict] = {}
    measures: dict[str, Measure] = {}
    ever = 0
    case: Case | None = None
    imported_elimination: str | None = None  # an imported elimination the county may still return
    returned: dict | None = None
    decided: list[dict] = []

    def decide(stage: str, decision: str, level: str, day: str | None, data: dict) -> None:
        decided.append({"date": day, "stage": stage, "decision": decision, "level": level,
                        "category": data.get("category"), "method": data.get("method"), "month": data.get("month"),
                        "reinclusion": bool(data.get("reinclusion"))})

    for e in sorted(events, key=lambda e: (e.get("date") or "", e.get("hlc") or "", e.get("id") or "")):
        data, kind, day = e["data"] if isinstance(e["data"], dict) else {}, e["kind"], stored_date(e.get("date"))
        if kind == "include" and not monitored:
            new = Case(e["id"], "include", day, data, imported=data.get("source") == IMPORTED)
            case = None if new.imported else new
            if new.imported:
                monitored, eliminated, month, method, eliminated_on, imported_elimination = True, False, None, None, None, None
                category, risks, identified = data.get("category"), tuple(data.get("risks") or ()), stored_date(data.get("identified"))
                decide("include", "approve", "import", e.get("date"), data)
        elif kind == "eliminate" and (monitored or data.get("source") == IMPORTED):
            new = Case(e["id"], "eliminate", day, data, imported=data.get("source") == IMPORTED)
            case = None if new.imported else new
            if new.imported:
                monitored, eliminated, eliminated_on = False, True, stored_date(f"{data.get('month')}-01") or day
                month, method, imported_elimination = data.get("month"), data.get("method"), e["id"]
                decide("eliminate", "approve", "import", e.get("date"), {**data, "category": category})
        elif kind in CASE_STEPS:
            target = data.get("case")
            if kind == "county_approval" and case is None and target and target == imported_elimination:
                if data.get("decision") == "return":  # the county returns an imported elimination
                    monitored, eliminated, month, method, eliminated_on = True, False, None, None, None
                    returned = {"stage": "eliminate", "level": "county", "date": e.get("date"), "reason": data.get("reason")}
                    decide("eliminate", "return", "county", e.get("date"), {})
                imported_elimination = None
                continue
            if case is None or target != case.id:
                continue
            if kind == "village_review":
                case = dataclasses.replace(case, village_review=day)
            elif kind == "notice":
                days = data.get("days")
                case = dataclasses.replace(case, notice=day, notice_days=days if isinstance(days, int) else None)
            else:
                level = "township" if kind == "township_review" else "county"
                decision = {"date": e.get("date"), "decision": data.get("decision"), "reason": data.get("reason")}
                if data.get("decision") == "return":
                    returned = {"stage": case.stage, "level": level, "date": e.get("date"), "reason": data.get("reason")}
                    decide(case.stage, "return", level, e.get("date"), case.data)
                    case = None
                elif level == "township":
                    case = dataclasses.replace(case, township=decision)
                elif case.stage == "include":
                    monitored, eliminated, month, method, eliminated_on = True, False, None, None, None
                    category, risks = case.data.get("category"), tuple(case.data.get("risks") or ())
                    decide("include", "approve", "county", e.get("date"), case.data)
                    identified, case, imported_elimination = stored_date(case.data.get("identified")), None, None
                else:
                    monitored, eliminated, eliminated_on = False, True, day
                    decide("eliminate", "approve", "county", e.get("date"), {**case.data, "category": category})
                    month, method, case, imported_elimination = case.data.get("month"), case.data.get("method"), None, None
        elif kind == "helper":
            helpers[e["id"]] = data
        elif kind == "helper_end":
            helpers.pop(data.get("helper"), None)
        elif kind == "measure" and isinstance(data.get("kind"), str):
            ever += 1
            measures[e["id"]] = Measure(e["id"], data["kind"], stored_date(data.get("start")), None, data.get("amount"),
                                        stored_date(data.get("due")), data.get("detail", ""))
        elif kind == "measure_end":
            measures.pop(data.get("measure"), None)
        elif kind == "measure_extend" and data.get("measure") in measures and stored_date(data.get("due")):
            m = measures[data["measure"]]
            measures[m.id] = dataclasses.replace(m, due=stored_date(data["due"]), extensions=m.extensions + 1)
    if case is not None:
        state = (PENDING_APPROVAL if case.township else PENDING_REVIEW) if case.stage == "include" else PROPOSED_ELIMINATION
    else:
        state = MONITORED if monitored else ELIMINATED if eliminated else ""
    return Monitoring(monitored, category, risks, identified, eliminated, month, method, tuple(helpers.values()),
                      tuple(measures.values()), ever, state, case, eliminated_on, returned, tuple(decided))


def events_of(ledger: Ledger, household_id: str, kinds: Iterable[str] = KINDS) -> list[dict]:
    kinds = tuple(kinds)
    rows = ledger.query(
        f"SELECT id, kind, date, data, hlc FROM events WHERE household_id = ? AND kind IN ({','.join('?' * len(kinds))})"
        " ORDER BY date, hlc", (household_id, *kinds))
    for row in rows:
        row["data"] = json.loads(row["data"])
    return rows


def steps_by_household(ledger: Ledger, kinds: Iterable[str]) -> dict[str, list[dict]]:
    """Every household's steps of these kinds, each list in order (as `events_of`): one query for a ledger."""
    kinds = tuple(kinds)
    out: dict[str, list[dict]] = {}
    for row in ledger.query(f"SELECT household_id, id, kind, date, data, hlc FROM events WHERE kind IN"
                            f" ({','.join('?' * len(kinds))}) ORDER BY household_id, date, hlc", kinds):
        row["data"] = json.loads(row["data"])
        out.setdefault(row.pop("household_id"), []).append(row)
    return out


def current(ledger: Ledger, household_id: str) -> Monitoring:
    return standing(events_of(ledger, household_id))
