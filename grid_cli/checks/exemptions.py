"""Exemptions (豁免): a household a check may flag but which people have judged right as it is, with the reason.

An exemption is an append-only `check_exempt` event on the household (`grid check exempt CHECK HH --reason`),
so it travels with the household: a township or county sees every grid's exemptions, and a grid sees
those its township made. Lifting one is another event; the latest stands. Each is noted in the audit table.
"""

from __future__ import annotations

import json

from grid_cli.errors import UsageError
from grid_cli.households import find_household
from grid_cli.ledger import Ledger

EVENT = "check_exempt"


def exempt(ledger: Ledger, check: str, household_key: str, reason: str, *, lift: bool = False) -> dict:
    from grid_cli.checks.registry import CHECKS
    from grid_cli.clock import today

    if check not in CHECKS:
        raise UsageError(f"没有检查项 {check}（见 grid check list）", f"no check {check} (see `grid check list`)")
    if not lift and not reason.strip():
        raise UsageError("豁免须写明原因（--reason）", "an exemption needs a reason (--reason)")
    household = find_household(ledger, household_key)
    with ledger.write() as w:
        w.event(EVENT, household["id"], {"check": check, "exempt": not lift, "reason": reason.strip()},
                date=today().isoformat())
        w.audit("check-unexempt" if lift else "check-exempt", f"{check} {household['hh_no']}")
    return {"check": check, "hh_no": household["hh_no"], "exempt": not lift, "reason": reason.strip()}


def current(ledger: Ledger) -> dict[tuple[str, str], dict]:
    """(household id, check) -> the standing exemption {reason, date}; lifted ones are left out."""
    out: dict[tuple[str, str], dict] = {}
    for household, date, data in ledger.conn.execute(  # (event_index first: see facts.Facts._lifecycle)
            "SELECT e.household_id, e.date, json_extract(c.body, '$.data') FROM (SELECT household_id, date, change_seq"
            f" FROM event_index WHERE kind = '{EVENT}' LIMIT -1) e JOIN changes c ON c.seq = e.change_seq"
            " ORDER BY e.date, c.hlc"):
        d = json.loads(data)
        if not isinstance(d.get("check"), str):  # not an exemption this version wrote: ignored
            continue
        key = (household, d["check"])
        if d.get("exempt"):
            out[key] = {"reason": str(d.get("reason") or ""), "date": date}
        else:
            out.pop(key, None)
    return out


def listing(ledger: Ledger) -> list[dict]:
    hh = {r[0]: (r[1], r[2]) for r in ledger.conn.execute("SELECT id, hh_no, grid FROM households")}
    return sorted(({"check": check, "hh_no": hh.get(h, ("", ""))[0], "grid": hh.get(h, ("", ""))[1], **v}
                   for (h, check), v in current(ledger).items()), key=lambda r: (r["check"], r["hh_no"]))
