"""`compare`, `mga` and `macc` end to end in a subprocess, through the command line's `main`:
exit codes 0, 1 (no optimum) and 2 (bad input)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTRY = "import sys; from optimizer.cli import main; sys.exit(main(sys.argv[1:]))"


def _run(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", ENTRY, *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


@pytest.mark.slow  # end to end: several solver processes
def test_mga_then_compare_then_macc(scenario, tmp_path):
    path = scenario(extra="cap = { 2030 = 5 }")
    mga = _run("mga", path, "--slack", "0.05", "--lever", "ccus", "--technology", "eaf", "--sense", "both",
               "--out", tmp_path / "mga")  # fmt: skip
    assert mga.returncode == 0, mga.stderr
    folders = {p.name for p in (tmp_path / "mga").iterdir() if p.is_dir()}
    assert folders == {"optimum", "lever-ccus-min", "lever-ccus-max", "technology-eaf-min", "technology-eaf-max"}
    assert "lever-ccus-min" in mga.stderr
    assert "MtCO2 (cumulative)" in mga.stderr  # the target's unit
    assert "% against the optimum" in mga.stderr

    compare = _run("compare", tmp_path / "mga" / "optimum", tmp_path / "mga" / "lever-ccus-min",
                   "--out", tmp_path / "cmp")  # fmt: skip
    assert compare.returncode == 0, compare.stderr
    assert (tmp_path / "cmp" / "compare.html").is_file()
    assert json.loads((tmp_path / "cmp" / "compare.json").read_text())["reference"] == "optimum"

    macc = _run("macc", path, "--caps", "15,5,1", "--out", tmp_path / "macc")
    assert macc.returncode == 0, macc.stderr
    assert (tmp_path / "macc" / "macc.csv").read_text().startswith("cap,year,status,objective,carbon_price")
    assert "carbon price (CNY2025/tCO2), objective (million CNY2025" in macc.stderr
    assert "e+" not in macc.stderr  # numbers with separators, not 1.5e+08 or 154958400.32503533


@pytest.mark.slow  # end to end: several solver processes
def test_exit_codes_for_bad_input_and_no_optimum(scenario, routes, tmp_path):
    path = scenario(extra="cap = { 2030 = 5 }")
    bad = _run("mga", path, "--lever", "nuclear", "--out", tmp_path / "bad")
    assert bad.returncode == 2
    assert "no technology has lever 'nuclear'" in bad.stderr
    assert not (tmp_path / "bad").exists()
    assert _run("macc", path, "--caps", "a,b").returncode == 2
    assert _run("compare", tmp_path / "missing").returncode == 2

    data = routes()
    data.add("bounds", region="R1", technology="h2", year=2025, bound="max_share", value=0.5)
    infeasible = scenario(data, extra="cap = { 2030 = 0.5 }")
    result = _run("mga", infeasible, "--out", tmp_path / "none")
    assert result.returncode == 1
    assert json.loads((tmp_path / "none" / "optimum" / "summary.json").read_text())["status"] == "infeasible"
    assert _run("macc", infeasible, "--caps", "5,0.5", "--out", tmp_path / "m").returncode == 1
