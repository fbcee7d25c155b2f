"""`grid check`: the data-quality catalogue (疑点核查), one small module per check (see base.py and registry.py).

The national system's 疑点 checks each carry a number (e.g. 5_12_015: a 七年级 pupil outside ages 12-17); each
check here names the numbers it corresponds to where they are known (data/checks.json, `national`: a
mapping a county can change per year with `grid check set CHECK national 5_12_015,5_17_003`). Facts carry
over from public checkers of the national exports (Gzuwkj/fuping, one rule file per number), never code.
"""
