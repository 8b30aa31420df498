"""Sweeps: designs, warm re-solves equal fresh runs, parallel and Dask runs equal serial ones,
a killed sweep resumes to the same result, failures are recorded and never stop a sweep."""

from __future__ import annotations

import dataclasses
import gc
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest
from builders import Dataset, write_scenario

from optimizer.batch import worker
from optimizer.batch.config import load_sweep
from optimizer.batch.design import design
from optimizer.batch.execute import run_sweep
from optimizer.batch.worker import point_scenario
from optimizer.data.scenario import load_scenario
from optimizer.runner import solve_scenario


def _dataset() -> Dataset:
    data = Dataset(discount_rate=0.05)
    data.commodity("steel").commodity("hydrogen", role="hydrogen").commodity("electricity", "PJ", "energy", role="grid_electricity")
    data.technology("bf", variable_om=100, co2=2.0, capex=600, life=30)
    data.technology(
        "h2_dri", variable_om=120, capex=700, inputs={"hydrogen": 0.05, "electricity": 2.0}, lever="hydrogen"
    )
    data.technology(
        "electrolysis",
        output="hydrogen",
        capex=20000,
        variable_om=500,
        inputs={"electricity": 180},
        lever="hydrogen",
        sector="hydrogen_supply",
    )
    data.demand({2025: 10, 2040: 12})
    data.price("electricity", 30, emission_factor=0.15).price("electricity", 25, year=2040, emission_factor=0.02)
    return data


PARAMETERS = """
[[parameter]]
name = "power_price"
table = "commodity_prices"
where = { commodity = "electricity" }
column = "price"
op = "scale"
{power}

[[parameter]]
name = "electrolyser_capex"
table = "tech_costs"
where = { technology = "electrolysis" }
column = "capex"
op = "scale"
{capex}
"""


@pytest.fixture
def base(tmp_path: Path) -> Path:
    folder = _dataset().write(tmp_path / "data")
    return write_scenario(tmp_path, folder, name="base", end=2040, extra="cap = { 2040 = 6 }")


def _sweep(
    folder: Path, base: Path, method: str, extra: str = "", power: str = "", capex: str = "", name: str = "s"
) -> Path:
    power = power or "values = [0.6, 1.4]"
    capex = capex or "values = [0.5, 1.5]"
    path = folder / f"{name}.toml"
    path.write_text(
        f'name = "{name}"\nbase = "{base.as_posix()}"\nmethod = "{method}"\nseed = 3\n{extra}\n'
        + PARAMETERS.replace("{power}", power).replace("{capex}", capex),
        encoding="utf-8",
    )
    return path


def test_one_at_a_time_design_and_warm_results_equal_fresh_runs(tmp_path, base):
    sweep = load_sweep(_sweep(tmp_path, base, "one-at-a-time"))
    points = design(sweep)
    assert len(points) == 5  # baseline + 2 values × 2 parameters
    runs = run_sweep(sweep, tmp_path / "out", progress=False)
    assert (runs["status"] == "optimal").all()
    assert runs["warm"].all()
    scenario = load_scenario(base)
    for row in runs.itertuples():
        point = {"power_price": row.power_price, "electrolyser_capex": row.electrolyser_capex}
        point = {k: (None if pd.isna(v) else v) for k, v in point.items()}
        fresh = solve_scenario(point_scenario(scenario, sweep.parameters, point))
        assert row.objective == pytest.approx(fresh.result.objective, rel=1e-6)
    tables = pd.read_parquet(tmp_path / "out" / "tables" / "abatement.parquet")
    assert set(tables["run_id"]) == set(runs["run_id"])


def test_structural_change_falls_back_to_a_rebuild(tmp_path, base):
    path = tmp_path / "cap.toml"
    path.write_text(
        f'name = "cap"\nbase = "{base.as_posix()}"\nmethod = "one-at-a-time"\n'
        '[[parameter]]\nname = "cap_2040"\ntable = "scenario"\ncolumn = "cap.2040"\nop = "set"\nvalues = [4, 8]\n',
        encoding="utf-8",
    )
    sweep = load_sweep(path)
    runs = run_sweep(sweep, tmp_path / "out", progress=False)
    capped = runs[runs["cap_2040"].notna()]
    assert not capped["warm"].any()
    for row in capped.itertuples():
        assert row.emissions_2040 <= row.cap_2040 + 1e-6
    assert runs.loc[runs["cap_2040"] == 4, "objective"].iloc[0] >= runs.loc[runs["cap_2040"] == 8, "objective"].iloc[0]


def test_failed_point_is_recorded_and_sweep_continues(tmp_path, base):
    path = tmp_path / "fail.toml"
    path.write_text(
        f'name = "fail"\nbase = "{base.as_posix()}"\nmethod = "one-at-a-time"\n'
        '[[parameter]]\nname = "cap_2040"\ntable = "scenario"\ncolumn = "cap.2040"\nop = "set"\nvalues = [0, 8]\n',
        encoding="utf-8",
    )
    runs = run_sweep(load_sweep(path), tmp_path / "out", progress=False)
    assert list(runs["status"]) == ["optimal", "infeasible", "optimal"]
    assert "cannot be met" in runs.loc[1, "message"]


def test_two_workers_equal_serial(tmp_path, base):
    """Pool workers re-solve the base model the parent handed them: same objectives and tables."""
    sweep = load_sweep(_sweep(tmp_path, base, "grid"))
    serial = run_sweep(sweep, tmp_path / "serial", progress=False).set_index("run_id")["objective"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parallel = run_sweep(sweep, tmp_path / "parallel", workers=2, progress=False).set_index("run_id")
    assert not [w for w in caught if "base model" in str(w.message)]  # the hand-off worked
    assert len(serial) == 4
    assert parallel["warm"].all()
    pd.testing.assert_series_equal(serial, parallel["objective"].loc[serial.index], rtol=1e-9)
    for name in ("costs", "abatement", "capacity"):
        one, two = (pd.read_parquet(tmp_path / run / "tables" / f"{name}.parquet") for run in ("serial", "parallel"))
        pd.testing.assert_frame_equal(one, two, rtol=1e-9, atol=1e-9)


@pytest.fixture
def fresh_worker():
    """No base model cached in this process before or after the test, nothing left frozen."""
    worker._MODELS.clear()
    yield
    gc.unfreeze()
    worker._MODELS.clear()


def test_worker_loads_the_handed_over_base_or_builds_it(tmp_path, base, fresh_worker):
    portable = worker.write_portable(base, tmp_path)
    assert worker._base(base, portable).built.model is None  # loaded, not built: no Pyomo model
    worker._MODELS.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a file this process cannot see (another machine): build quietly
        assert worker._base(base, tmp_path / "absent.pickle").built.model is not None
    worker._MODELS.clear()
    (tmp_path / "broken.pickle").write_bytes(b"not a pickle")
    with pytest.warns(UserWarning, match="could not load the base model"):
        assert worker._base(base, tmp_path / "broken.pickle").built.model is not None


def test_base_is_rebuilt_when_its_files_change(tmp_path, base, fresh_worker):
    """A notebook that edits the dataset between sweeps must not re-solve the old model."""
    first = worker._base(base)
    assert worker._base(base) is first
    demand = tmp_path / "data" / "demand.csv"
    demand.write_text(demand.read_text(encoding="utf-8").replace(",10,", ",20,"), encoding="utf-8")
    os.utime(demand, ns=(time.time_ns(), time.time_ns() + 10**9))
    second = worker._base(base)
    assert second is not first
    assert sum(second.data.demand.values()) > sum(first.data.demand.values())


@pytest.mark.slow  # end to end: a killed sweep process / a Dask cluster
def test_dask_local_cluster_equals_serial(tmp_path, base):
    distributed = pytest.importorskip("distributed")
    sweep = load_sweep(
        _sweep(tmp_path, base, "latin-hypercube", "samples = 4", "range = [0.5, 1.5]", "range = [0.5, 1.5]")
    )
    serial = run_sweep(sweep, tmp_path / "serial", progress=False).set_index("run_id")["objective"]
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with cluster, distributed.Client(cluster) as client:
        remote = run_sweep(sweep, tmp_path / "dask", scheduler=client, progress=False)
    pd.testing.assert_series_equal(serial, remote.set_index("run_id")["objective"].loc[serial.index], rtol=1e-9)


@pytest.mark.parametrize("method", ["morris", "sobol"])
def test_salib_designs_and_indices(tmp_path, base, method):
    pytest.importorskip("SALib")
    from optimizer.batch.analysis import write_analysis

    samples = "samples = 2" if method == "morris" else "samples = 4"
    sweep = load_sweep(_sweep(tmp_path, base, method, samples, "range = [0.5, 1.5]", "range = [0.5, 1.5]"))
    runs = run_sweep(sweep, tmp_path / "out", progress=False)
    assert len(runs) == (2 * 3 if method == "morris" else 4 * 4)  # morris r(k+1); sobol N(k+2)
    write_analysis(sweep, runs, tmp_path / "out")
    indices = pd.read_csv(tmp_path / "out" / f"{method}.csv")
    assert set(indices["parameter"]) == {"power_price", "electrolyser_capex"}
    assert (tmp_path / "out" / "plots" / f"{method}.png").is_file()


@pytest.mark.slow  # end to end: a killed sweep process / a Dask cluster
def test_killed_sweep_resumes_to_the_uninterrupted_result(tmp_path, base):
    path = _sweep(
        tmp_path,
        base,
        "grid",
        power="values = [0.5, 0.7, 0.9, 1.1, 1.3, 1.5]",
        capex="values = [0.5, 0.75, 1.0, 1.25, 1.5]",
        name="long",
    )
    command = [sys.executable, "-m", "optimizer", "sweep", str(path), "--out", str(tmp_path / "killed"), "-q"]
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    points = tmp_path / "killed" / "points"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(points.glob("p*"))) < 5:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finished_before = len(list(points.glob("p*")))
    assert 5 <= finished_before < 30, "the sweep must be killed mid-way"
    done = subprocess.run([*command, "--resume"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    resumed = pd.read_parquet(tmp_path / "killed" / "runs.parquet")
    assert len(resumed) == 30
    assert resumed["run_id"].is_unique
    whole = run_sweep(load_sweep(path), tmp_path / "whole", progress=False)
    pd.testing.assert_series_equal(
        resumed.set_index("run_id")["objective"], whole.set_index("run_id")["objective"], rtol=1e-9
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('method = "magic"', "method"),
        ("colour = 1", "colour"),
        ('samples = "many"', "samples"),
    ],
)
def test_malformed_sweep_file(tmp_path, base, text, expected):
    from optimizer.errors import InputError

    path = _sweep(tmp_path, base, "grid")
    path.write_text(
        path.read_text().replace('method = "grid"', text if "method" in text else f'method = "grid"\n{text}')
    )
    with pytest.raises(InputError) as caught:
        load_sweep(path)
    assert any(issue.column == expected for issue in caught.value.issues)


def test_parameter_matching_no_row_is_rejected_before_solving(tmp_path, base):
    from optimizer.errors import InputError

    path = _sweep(tmp_path, base, "grid")
    path.write_text(path.read_text().replace('technology = "electrolysis"', 'technology = "electrolyser"'))
    with pytest.raises(InputError, match="parameter 'electrolyser_capex': override matches no row of tech_costs.csv"):
        run_sweep(load_sweep(path), tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()
    done = subprocess.run(
        [sys.executable, "-m", "optimizer", "sweep", str(path), "--out", str(tmp_path / "o2")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_scaling_a_cap_year_between_given_years_uses_the_base_path(tmp_path):
    """Base cap path {2030: 10, 2040: 6}: cap.2035 scaled by 1 is the interpolated 8 (the path is
    unchanged), scaled by 0.5 becomes 4."""
    folder = _dataset().write(tmp_path / "data")
    base = write_scenario(tmp_path, folder, name="base", end=2040, extra="cap = { 2030 = 10, 2040 = 6 }")
    path = tmp_path / "cap.toml"
    path.write_text(
        f'name = "cap"\nbase = "{base.as_posix()}"\nmethod = "grid"\n'
        '[[parameter]]\nname = "cap_2035"\ntable = "scenario"\ncolumn = "cap.2035"\nop = "scale"\nvalues = [1, 0.5]\n',
        encoding="utf-8",
    )
    sweep = load_sweep(path)
    scenario = load_scenario(base)
    assert point_scenario(scenario, sweep.parameters, {"cap_2035": 1.0}).cap == {2030: 10, 2035: 8, 2040: 6}
    assert point_scenario(scenario, sweep.parameters, {"cap_2035": 0.5}).cap == {2030: 10, 2035: 4, 2040: 6}


def test_scaling_a_budget_the_base_does_not_set_is_an_input_error(tmp_path, base):
    """The base scenario has no budget: scaling it is refused before any point is solved (it used
    to become a budget of 0, making every point infeasible); `set` still works."""
    from optimizer.errors import InputError

    path = tmp_path / "budget.toml"
    path.write_text(
        f'name = "budget"\nbase = "{base.as_posix()}"\nmethod = "grid"\n'
        '[[parameter]]\nname = "budget"\ntable = "scenario"\ncolumn = "budget"\nop = "scale"\nvalues = [0.5, 1]\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="budget: the base scenario sets no budget to scale"):
        run_sweep(load_sweep(path), tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()
    sweep = load_sweep(path)
    with pytest.raises(InputError, match="sets no budget"):
        point_scenario(load_scenario(base), sweep.parameters, {"budget": 0.5})
    assert point_scenario(load_scenario(base), (dataclasses.replace(sweep.parameters[0], op="set"),), {"budget": 50}).budget == 50


def test_sweep_charts_name_the_currency_and_keep_legends_off_the_data(tmp_path, base, monkeypatch):
    """Money in the dataset's currency at a readable scale (not 'trillion currency'), shares in
    per cent with every lever's label (clean_power included), legends beside or below the panels."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from optimizer.batch import analysis
    from optimizer.report import figures

    sweep = load_sweep(_sweep(tmp_path, base, "one-at-a-time"))
    assert analysis.currency(sweep) == "CNY2025"
    runs = pd.DataFrame(
        {
            "run_id": ["p0", "p1", "p2", "p3", "p4"],
            "power_price": [1.0, 0.6, 1.4, 1.0, 1.0],
            "electrolyser_capex": [1.0, 1.0, 1.0, 0.5, 1.5],
            "status": "optimal",
            "objective": [150e6, 149.5e6, 150.4e6, 150.2e6, 149.9e6],
            "share_clean_power": [0.4, 0.42, 0.38, 0.4, 0.41],
            "share_ccus": [0.2, 0.2, 0.22, 0.2, 0.19],
        }
    )
    drawn = []
    real_png = figures.png
    monkeypatch.setattr(figures, "png", lambda figure: drawn.append(figure) or real_png(figure))
    analysis.write_analysis(sweep, runs, tmp_path / "out")
    assert {p.name for p in (tmp_path / "out" / "plots").iterdir()} == {
        "tornado.png", "response_power_price.png", "response_electrolyser_capex.png"
    }  # fmt: skip
    texts = []
    for figure in drawn:
        renderer = FigureCanvasAgg(figure).get_renderer()
        for ax in figure.axes:
            texts += [ax.get_xlabel(), ax.get_ylabel()]
            legend = ax.get_legend()
            if legend is not None:
                texts += [t.get_text() for t in legend.get_texts()]
                assert not legend.get_window_extent(renderer).overlaps(ax.get_window_extent(renderer))
    joined = " ".join(texts)
    assert "currency" not in joined
    assert "billion CNY2025" in joined  # tornado: changes of a few hundred billion
    assert "trillion CNY2025" in joined  # the response's cost level
    assert "Clean power (grid)" in joined
    assert "Share of the final-year reduction (%)" in joined
