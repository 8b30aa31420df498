"""A sweep's cached loading gives the same data as a fresh load, and skips only checks that
cannot change."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from optimizer.data.model_data import load_model_data
from optimizer.data.read import read_tables
from optimizer.data.scenario import Override, load_scenario
from optimizer.data.validate import UNREAD_COLUMNS, validate_tables

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "inputs" / "scenarios" / "net-zero-2060.toml"


def test_no_check_reads_the_columns_it_declares_unread() -> None:
    issues: list = []
    _, tables = read_tables(load_scenario(DEFAULT).dataset, issues)
    for table, column in UNREAD_COLUMNS:
        tables[table] = tables[table].drop(columns=column)  # a check reading it would raise KeyError
    validate_tables(tables, issues)
    assert issues == []


def test_cached_load_with_cost_overrides_equals_a_fresh_load() -> None:
    base = load_scenario(DEFAULT)
    changed = dataclasses.replace(
        base,
        overrides=(
            Override("commodity_prices", {"commodity": "hydrogen"}, "price", "scale", 1.3),
            Override("tech_costs", {}, "capex", "scale", 0.9),
        ),
    )
    cache: dict = {}
    load_model_data(base, cache)  # fills the cache
    cached, _ = load_model_data(changed, cache)
    fresh, _ = load_model_data(changed)
    assert cached == fresh
