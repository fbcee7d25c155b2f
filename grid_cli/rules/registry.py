"""The rules, in the order their findings are listed. Adding a rule: write rules/<name>.py with ID,
TITLE, EXPLAIN_ZH (its docstring in Chinese), Config and check(), add its defaults to data/rules.json,
and list it here."""

from __future__ import annotations

from types import ModuleType

from grid_cli.rules import (
    assistance_gap, department, education, elimination, focus_line, followup, housing, income_below, income_fall,
    income_near, labour_no_work, measure_fit, medical, no_labour, rigid_spending, small_loan, social_protection,
    unstable_again, visit_overdue, water,
)

RULES: dict[str, ModuleType] = {
    module.ID: module
    for module in (
        income_below, income_near, income_fall, rigid_spending, education, medical, housing, water,
        no_labour, labour_no_work, social_protection, focus_line, assistance_gap, measure_fit, small_loan, department,
        followup,
        # these look at the findings above
        visit_overdue, elimination, unstable_again,
    )
}
