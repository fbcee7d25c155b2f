"""The `water` rule (grid_cli/rules/water.py) at its boundaries: cases that pass and cases that fail, on
hand-built contexts."""

from __future__ import annotations

from grid_cli.rules import water
from rulekit import ctx, run, visit


def test_water_quantity_boundary_and_dry_areas():
    assert not run(water, ctx(visits=[visit(water={"litres_per_person_day": 35})]))
    assert run(water, ctx(visits=[visit(water={"litres_per_person_day": 34})]))
    assert not run(water, ctx(visits=[visit(water={"litres_per_person_day": 20, "dry_area": True})]))


def test_water_convenience_reliability_quality():
    near = {"piped": False, "trip_minutes": 20}
    far = {"piped": False, "trip_minutes": 21, "distance_m": 900}
    close_by_distance = {"piped": False, "trip_minutes": 30, "distance_m": 800}
    assert not run(water, ctx(visits=[visit(water=near)]))
    assert run(water, ctx(visits=[visit(water=far)]))
    assert not run(water, ctx(visits=[visit(water=close_by_distance)]))
    assert not run(water, ctx(visits=[visit(water={"cut_days": 36})]))
    [f] = run(water, ctx(visits=[visit(water={"cut_days": 37, "quality_ok": False})]))
    assert "37" in f.zh and "水质" in f.zh
