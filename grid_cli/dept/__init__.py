"""Department lists (部门筛查预警): what 民政, 医保, 教育, 住建, 残联 and 人社 send, kept and compared with the ledger.

- kinds.py     each department's list: its expected columns, how each is read, what a row says
- importer.py  `grid dept import KIND FILE`: checked like the household import, dated, kept, idempotent
- facts.py     the rows matched to households, as the rules and `grid dept` read them (one loader)
- review.py    a visit confirms or dismisses what a list says (the link to the visit is kept)

A row matched to a household becomes an append-only `dept` event on it: the sync carries it down to the
household's grid (and up to the hubs) and scope-checks it like any event. A row matched to nobody in this
ledger's area stays where it was imported, a clue (线索) to check.
"""

EVENT = "dept"  # a matched row, on its household
REVIEW = "dept_review"  # a visit's verdict on one such row
