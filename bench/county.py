"""A synthetic county for sync benchmarks: townships of grids, each grid ~100-500 households of ~3.3 members
and a year of monthly visits, written as township -> county bundles (the real format, as `grid sync export`
of a township would write them: its grids' changes relayed, one origin per grid).

    python bench/county.py --grids 300 --households 500 --out /tmp/county
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grid_cli.clock import format_hlc, new_id, wall_ms  # noqa: E402
from grid_cli.ledger import canonical  # noqa: E402
from grid_cli.ledger.changes import GENESIS, change_line, line_hash  # noqa: E402
from grid_cli.sync.format import FORMAT, MANIFEST, PAYLOAD, UNSEALED_VERSION as VERSION, dumps  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
RELATIONS = ["户主", "配偶", "子女", "子女", "父母", "孙子女"]
TYPES = ["脱贫户", "一般农户"]
CATEGORIES = [None, None, None, "脱贫不稳定户", "边缘易致贫户", "突发严重困难户"]


def township_of(grid_index: int, per_township: int) -> str:
    return f"T{grid_index // per_township:03d}"


class Origin:
    """One grid replica's change stream."""

    def __init__(self, code: str, township: str, start_ms: int):
        self.replica = new_id().replace("-", "")
        self.code, self.township = code, township
        self.seq, self.ms = 0, start_ms
        self.head = GENESIS
        self.versions: dict[tuple[str, str], str] = {}

    def line(self, entity: str, entity_id: str, body: dict, at_ms: int) -> str:
        self.seq += 1
        self.ms = max(self.ms + 1, at_ms)
        hlc = format_hlc(self.ms, 0)
        line = change_line(self.replica, self.seq, hlc, entity, entity_id, canonical(body), self.head)
        self.head = line_hash(line)  # each line links to the one before, as a real grid's log does
        return line

    def put(self, entity, entity_id, fields, at_ms):
        bases = {k: self.versions.get((entity_id, k)) for k in fields}
        line = self.line(entity, entity_id, {"op": "put", "f": fields, "b": bases}, at_ms)
        version = f"{format_hlc(self.ms, 0)} {self.replica}"
        for k in fields:
            self.versions[(entity_id, k)] = version
        return line


def _name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _members_count(rng) -> int:  # mean ~3.3
    return rng.choices([1, 2, 3, 4, 5, 6], weights=[8, 20, 26, 24, 14, 8])[0]


def grid_year(origin: Origin, households: int, months: int, rng: random.Random, year_start: dt.date,
              state: dict) -> list[str]:
    """A grid's first year: households, members, monthly visits."""
    lines = []
    base_ms = origin.ms
    hh_ids = []
    for n in range(households):
        hid = new_id()
        hh_ids.append(hid)
        flags = rng.sample(["低保", "易地搬迁", "特困"], rng.choice((0, 0, 1, 2)))
        lines.append(origin.put("household", hid, {
            "hh_no": f"{origin.code}{n:04d}", "grid": origin.code, "village": f"{origin.code}村",
            "group_no": str(rng.randint(1, 9)), "phone": f"139{rng.randint(0, 99999999):08d}",
            "hh_type": rng.choice(TYPES), "category": rng.choice(CATEGORIES), "flags": flags,
            "address": f"{rng.randint(1, 300)}号", "status": "正常"}, base_ms))
        size = _members_count(rng)
        state.setdefault("members", {})[hid] = size
        for m in range(size):
            born = dt.date(rng.randint(1940, 2020), rng.randint(1, 12), rng.randint(1, 28))
            lines.append(origin.put("member", new_id(), {
                "household_id": hid, "name": _name(rng), "id_number": f"{rng.randint(10**17, 10**18 - 1)}",
                "relation": "户主" if m == 0 else rng.choice(RELATIONS[1:]), "sex": rng.choice("男女"),
                "birth_date": born.isoformat(), "ethnicity": "汉族", "education": rng.choice(["小学", "初中", "高中"]),
                "health": rng.choice(["健康", "健康", "长期慢性病"]), "labour_skill": rng.choice(["普通劳动力", "无劳动力"]),
                "work_status": rng.choice(["乡（镇）内务工", "县外省内务工", None]), "work_months": rng.randint(0, 12),
                "medical_insurance": 1, "pension_insurance": rng.choice((0, 1)), "status": "正常"}, base_ms))
    state["households"] = hh_ids
    for month in range(months):
        lines += month_visits(origin, hh_ids, state, rng, year_start, month)
    return lines


def month_visits(origin: Origin, hh_ids, state, rng, year_start: dt.date, month: int) -> list[str]:
    lines = []
    day = dt.date(year_start.year + (year_start.month - 1 + month) // 12, (year_start.month - 1 + month) % 12 + 1, 10)
    at = int(dt.datetime(day.year, day.month, day.day).timestamp() * 1000)
    for hid in hh_ids:
        lines.append(origin.line("event", new_id(), {
            "op": "event", "kind": "visit", "household": hid, "date": day.isoformat(),
            "data": {"income": {"wages": rng.randint(0, 40000), "business": rng.randint(0, 8000),
                                "transfer": rng.randint(0, 3000), "production_costs": rng.randint(0, 2000)},
                     "spending": {"medical": rng.randint(0, 5000)},
                     "residents": list(range(state["members"][hid])), "house_grade": rng.choice("AAB"),
                     "note": "走访正常"}}, at))
    return lines


def write_bundle(path: Path, township: str, township_replica: str, county: str, origins: list[Origin],
                 payload: list[tuple[Origin, list[str]]], first_seq: dict[str, int]) -> int:
    digest = hashlib.sha256()
    nbytes = lines = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open(PAYLOAD, "w", force_zip64=True) as fh:
            for _origin, chunk in payload:
                data = "".join(chunk).encode("utf-8")
                digest.update(data)
                fh.write(data)
                nbytes += len(data)
                lines += len(chunk)
        manifest = {
            "format": FORMAT, "version": VERSION, "bundle_id": new_id(),
            "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "created_hlc": format_hlc(wall_ms(), 0), "direction": "up",
            "sender": {"replica": township_replica, "level": "township", "code": township, "parent": county},
            "recipient": {"level": "county", "code": county, "replica": None},
            "scope": {"grids": sorted(o.code for o in origins)},
            "origins": {o.replica: {"level": "grid", "code": o.code, "parent": township} for o in origins},
            "ranges": {o.replica: [[first_seq[o.replica], o.seq]] for o in origins if o.seq >= first_seq[o.replica]},
            "counts": {o.replica: sum(len(c) for oo, c in payload if oo is o) for o in origins
                       if o.seq >= first_seq[o.replica]},
            "have": {o.replica: o.seq for o in origins},
            "payload": {"name": PAYLOAD, "sha256": digest.hexdigest(), "bytes": nbytes, "lines": lines},
            "security": {"signature": None, "encryption": None},
        }
        zf.writestr(MANIFEST, dumps(manifest))
    return lines


def generate(out: Path, grids: int, households: int, months: int = 12, per_township: int = 10,
             seed: int = 2026, incremental: bool = True) -> dict:
    """Writes out/year/*.zip (first year) and out/month/*.zip (the next month), returns a summary."""
    out = Path(out)
    (out / "year").mkdir(parents=True, exist_ok=True)
    (out / "month").mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    start = dt.date.today().replace(day=1) - dt.timedelta(days=31 * (months + 1))
    start = start.replace(day=1)
    start_ms = int(dt.datetime(start.year, start.month, 1).timestamp() * 1000)
    townships = sorted({township_of(i, per_township) for i in range(grids)})
    totals = {"year": 0, "month": 0, "townships": townships, "bundles": []}
    for t in townships:
        members = [i for i in range(grids) if township_of(i, per_township) == t]
        treplica = new_id().replace("-", "")
        origins, payload, states = [], [], {}
        for i in members:
            o = Origin(f"G{i:04d}", t, start_ms)
            states[o.replica] = {}
            origins.append(o)
            payload.append((o, grid_year(o, households, months, rng, start, states[o.replica])))
        first = {o.replica: 1 for o in origins}
        n = write_bundle(out / "year" / f"{t}.zip", t, treplica, "C", origins, payload, first)
        totals["year"] += n
        del payload
        if incremental:  # the next month: a visit per household, and 5% of households edited
            first = {o.replica: o.seq + 1 for o in origins}
            payload = []
            for o in origins:
                st = states[o.replica]
                chunk = month_visits(o, st["households"], st, rng, start, months)
                at = o.ms + 1000
                for hid in rng.sample(st["households"], max(1, len(st["households"]) // 20)):
                    chunk.append(o.put("household", hid, {"phone": f"138{rng.randint(0, 99999999):08d}",
                                                          "category": rng.choice(CATEGORIES)}, at))
                payload.append((o, chunk))
            totals["month"] += write_bundle(out / "month" / f"{t}.zip", t, treplica, "C", origins, payload, first)
    return totals


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--grids", type=int, default=300)
    ap.add_argument("--households", type=int, default=500)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--per-township", type=int, default=10)
    ap.add_argument("--out", type=Path, default=Path("bench-county"))
    args = ap.parse_args()
    summary = generate(args.out, args.grids, args.households, args.months, args.per_township)
    print(json.dumps({k: v for k, v in summary.items() if k != "bundles"}, ensure_ascii=False))


if __name__ == "__main__":
    main()
