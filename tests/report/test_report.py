"""The report of a real (tiny) run: PNG charts, a self-contained page, load_run, the CLI hook."""

from __future__ import annotations

import argparse
import base64
import io
import logging
import shutil
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from optimizer.report import cli, derive, plots, write_report
from optimizer.report.plots import render_charts
from optimizer.results import COLUMNS, TABLE_NAMES, NotARunFolder, RunTables, load_run

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ROOT = Path(__file__).resolve().parents[2]
EXPECTED_CHARTS = {
    "emissions_wedges",
    "emissions_by_sector_scope",
    "production_iron_steel",
    "production_cement",
    "production_hydrogen_supply",
    "capacity_changes",
    "energy_by_carrier",
    "co2_captured_stored",
    "carbon_price",
    "costs_by_component",
}


@pytest.fixture(scope="module")
def reported(solved_run, tmp_path_factory) -> Path:
    """A copy of the run folder with its report written."""
    folder = tmp_path_factory.mktemp("reported") / "run"
    shutil.copytree(solved_run[1], folder)
    write_report(folder)
    return folder


def _valid_png(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_MAGIC)
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def test_every_chart_is_a_valid_png(reported):
    pngs = {path.stem: path for path in (reported / "plots").glob("*.png")}
    assert set(pngs) == EXPECTED_CHARTS
    for path in pngs.values():
        width, height = _valid_png(path.read_bytes())
        assert width >= 600, path.name
        assert height >= 300, path.name


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.images: list[str] = []
        self.links: list[tuple[str, str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if tag == "img" and name == "src":
                self.images.append(value or "")
            if name in ("src", "href", "action", "srcset", "poster", "data"):
                self.links.append((tag, name, value or ""))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_one_self_contained_page(reported):
    source = (reported / "report.html").read_text(encoding="utf-8")
    page = _Page()
    page.feed(source)
    page.close()
    assert len(page.images) == len(EXPECTED_CHARTS)
    for src in page.images:
        assert src.startswith("data:image/png;base64,")
        _valid_png(base64.b64decode(src.split(",", 1)[1]))
    assert all(value.startswith("data:") for _, _, value in page.links), page.links
    assert "http://" not in source
    assert "https://" not in source
    assert not {"script", "link", "iframe", "object", "embed"} & set(page.tags)
    assert "url(" not in source  # no CSS fetches either
    text = " ".join(page.text)
    for phrase in (
        "emissions in 2035",
        "reduction since 2025",
        "cumulative cost",
        "cumulative investment",
        "peak carbon price",
        "Abatement by lever in 2035",
        "CCUS",
    ):
        assert phrase in text
    assert page.tags.count("table") >= len(EXPECTED_CHARTS)  # the tables behind the charts


def test_html_key_numbers(solved_run, reported):
    run, _ = solved_run
    text = (reported / "report.html").read_text(encoding="utf-8")
    reduction = 100 * (1 - run.summary["emissions"]["2035"] / run.summary["emissions"]["2025"])
    assert f"{reduction:.1f} %" in text  # 43.8 %
    costs = run.tables["costs"]
    weights = costs["year"].map({2025: 5, 2030: 5, 2035: 1})
    total = (costs["value"] * weights).sum()  # million CNY2025
    assert f"{total / 1e3:,.1f} billion CNY2025" in text
    assert "266 CNY2025/tCO2" in text  # peak price 265.6, rounded
    cost = run.summary["cost_vs_reference"]
    assert "cost against the no-policy run, PV" in text
    assert f"{cost['average_cost']:,.0f} CNY2025/tCO2" in text


def test_load_run_returns_every_table(solved_run):
    run, folder = solved_run
    tables = load_run(folder)
    assert isinstance(tables, RunTables)
    assert tables.scenario == "report-test"
    assert tables.summary["emissions"] == pytest.approx(run.summary["emissions"])
    assert tables.years == [2025, 2030, 2035]
    assert tables.years_represented().tolist() == [5, 5, 1]
    for name in TABLE_NAMES:
        frame = tables[name]
        assert list(frame.columns) == list(COLUMNS[name])
        assert len(frame) == len(run.tables[name]) > 0
        expected = run.tables[name].reset_index(drop=True)
        for column in frame.columns:
            if pd.api.types.is_numeric_dtype(expected[column]):
                assert frame[column].to_numpy() == pytest.approx(expected[column].to_numpy(), rel=1e-9, nan_ok=True)
            else:
                assert frame[column].astype(str).tolist() == expected[column].astype(str).tolist()
    assert set(tables.tables) == set(TABLE_NAMES)


def test_load_run_names_the_missing_file(solved_run, tmp_path):
    folder = tmp_path / "run"
    shutil.copytree(solved_run[1], folder)
    (folder / "energy.csv").unlink()
    with pytest.raises(NotARunFolder, match=r"energy\.csv is missing"):
        load_run(folder)
    with pytest.raises(NotARunFolder, match="summary.json"):
        load_run(tmp_path)
    with pytest.raises(NotARunFolder, match="no such folder"):
        load_run(tmp_path / "nowhere")


def test_empty_tables_skip_their_charts(solved_run):
    tables = load_run(solved_run[1])
    tables.carbon_price = tables.carbon_price.iloc[0:0]
    tables.emissions = tables.emissions[tables.emissions["scope"] != "captured"]
    names = {chart.name for chart in render_charts(tables)}
    assert names == EXPECTED_CHARTS - {"carbon_price", "co2_captured_stored"}
    for name in TABLE_NAMES:
        setattr(tables, name, tables[name].iloc[0:0])
    tables.summary["emissions"] = {}
    assert render_charts(tables) == []


def test_charts_drawn_on_two_processes_are_those_drawn_on_one(solved_run):
    """The split drawing (forked copies of this process) gives the same charts, byte for byte, in
    the same order, and calls progress once per chart."""
    tables = load_run(solved_run[1])
    seen: list[str] = []
    serial = render_charts(tables, workers=1)
    split = render_charts(tables, progress=seen.append, workers=2)
    assert [chart.name for chart in split] == [chart.name for chart in serial]
    assert split == serial
    assert len(seen) == len(plots._builders(tables))


def test_report_command_regenerates_from_saved_tables(solved_run, tmp_path, caplog):
    folder = tmp_path / "run"
    shutil.copytree(solved_run[1], folder)
    parser = argparse.ArgumentParser()
    cli.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["report", str(folder)])
    assert args.func is cli.run
    assert cli.run(args) == 0
    assert (folder / "report.html").is_file()
    assert (folder / "iamc.csv").is_file()
    assert {p.stem for p in (folder / "plots").glob("*.png")} == EXPECTED_CHARTS
    (folder / "costs.csv").unlink()
    with caplog.at_level(logging.ERROR, logger="optimizer.report"):
        assert cli.run(argparse.Namespace(run_dir=folder)) == 2
    assert "costs.csv is missing" in caplog.text


@pytest.mark.slow  # end to end: the report in its own process
def test_report_module_runs_as_a_script(solved_run, tmp_path):
    folder = tmp_path / "run"
    shutil.copytree(solved_run[1], folder)
    done = subprocess.run(
        [sys.executable, "-m", "optimizer.report.cli", str(folder)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert (folder / "report.html").is_file()
    assert f"report: {folder / 'report.html'}" in done.stderr  # the command names the page
    done = subprocess.run(
        [sys.executable, "-m", "optimizer.report.cli", str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "summary.json is missing" in done.stderr


def _run_without_pyomo(folder: Path, bypass_package_init: bool) -> subprocess.CompletedProcess[str]:
    """Import optimizer.report and optimizer.results in a fresh interpreter and write the report.

    With `bypass_package_init`, `optimizer/__init__.py` (which imports the solver stack for the
    public API) is skipped, so the check covers the report's own import graph.
    """
    setup = (
        "import types; package = types.ModuleType('optimizer'); "
        f"package.__path__ = [{str(ROOT / 'optimizer')!r}]; sys.modules['optimizer'] = package"
        if bypass_package_init
        else "pass"
    )
    script = textwrap.dedent(f"""
        import sys
        {setup}
        import optimizer.report, optimizer.results
        from optimizer.report import write_report
        write_report({str(folder)!r})
        loaded = sorted(m for m in sys.modules if m == 'pyomo' or m.startswith(('pyomo.', 'highspy')))
        assert not loaded, loaded
    """)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)


def test_report_never_imports_pyomo(solved_run, tmp_path):
    folder = tmp_path / "run"
    shutil.copytree(solved_run[1], folder)
    done = _run_without_pyomo(folder, bypass_package_init=True)
    assert done.returncode == 0, done.stderr
    assert (folder / "report.html").is_file()


def test_importing_the_report_through_the_package_skips_pyomo(solved_run, tmp_path):
    folder = tmp_path / "run"
    shutil.copytree(solved_run[1], folder)
    done = _run_without_pyomo(folder, bypass_package_init=False)
    assert done.returncode == 0, done.stderr


def _line(ax, label):
    lines = [line for line in ax.get_lines() if line.get_label() == label]
    assert lines, [line.get_label() for line in ax.get_lines()]
    return lines[0]


def test_co2_limits_are_drawn_on_their_own_axes(solved_run):
    """The annual injection limit goes with the annual bars, the storage capacity (the cumulative
    limit) with the cumulative line; neither is a sum of the other."""
    run, folder = solved_run
    assert run.summary["injection_limit"] == {"2025": 5, "2030": 5, "2035": 5}
    assert run.summary["storage_limit"] == 400
    tables = load_run(folder)
    figure, _ = plots.co2_captured(tables)
    annual, cumulative = figure.axes[:2]
    limit = _line(annual, "Annual injection limit")
    assert list(limit.get_xdata()) == [2025, 2030, 2035]
    assert list(limit.get_ydata()) == [5, 5, 5]
    storage = [line for line in cumulative.get_lines() if line.get_label().startswith("Storage capacity")]
    assert storage
    assert set(storage[0].get_ydata()) == {400}
    assert "400 MtCO2" in storage[0].get_label()
    assert cumulative.get_ylim()[1] >= 400
    assert not [line for line in annual.get_lines() if line.get_label().startswith("Storage")]


def test_co2_chart_without_limits_says_so(solved_run):
    tables = load_run(solved_run[1])
    tables.summary.pop("injection_limit")
    tables.summary.pop("storage_limit")
    figure, caption = plots.co2_captured(tables)
    assert "No injection or storage limit" in caption
    assert all(len(ax.get_lines()) <= 1 for ax in figure.axes)


def test_charts_show_technology_labels(solved_run):
    run, folder = solved_run
    assert run.summary["labels"] == {"bf": "Blast furnace (BF-BOF)"}
    figure, _ = plots.production(load_run(folder), "iron_steel")
    legend = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert "Blast furnace (BF-BOF)" in legend
    assert "bf" not in legend
    titles = [ax.get_title(loc="left") for ax in figure.axes] + [figure.get_suptitle()]
    assert sum("Steel" in title for title in titles) == 1, titles  # the title is not repeated


def test_every_lever_has_a_colour_and_a_label():
    from optimizer.outputs.attribution import LEVER_ORDER
    from optimizer.report import style

    for lever in LEVER_ORDER:
        assert lever in style.LEVERS, lever
    assert style.lever_label("clean_power") == "Clean power (grid)"


def test_report_progress_names_every_step(solved_run, tmp_path):
    folder = tmp_path / "run"
    shutil.copytree(solved_run[1], folder)
    steps: list[str] = []
    write_report(folder, progress=steps.append)
    assert steps[0] == "Emissions and abatement by lever"
    assert steps[-2:] == ["report.html", "iamc.csv"]
    assert len(steps) == plots.chart_count(load_run(folder)) + 2


def test_cumulative_sums_stop_at_the_last_milestone_year_whatever_the_tail(solved_run):
    """A "2025–2035" total counts 2035 once, not the end-of-horizon tail the objective also counts."""
    _, folder = solved_run
    tables = load_run(folder)
    costs = tables.costs
    expected = float((costs["value"] * costs["year"].map({2025: 5, 2030: 5, 2035: 1})).sum())
    assert derive.cumulative(costs, tables) == pytest.approx(expected)
    tables.summary["tail"] = 10
    assert tables.years_represented().tolist() == [5, 5, 10]  # what the objective weighs
    assert derive.cumulative(costs, tables) == pytest.approx(expected)  # what "2025–2035" means
    running = derive.cumulative_by_year(pd.Series({2025: 1.0, 2030: 1.0, 2035: 1.0}), tables)
    assert running.tolist() == [5.0, 10.0, 11.0]


def test_the_storage_line_counts_the_tail_as_the_storage_limit_does(solved_run):
    """The cumulative limit on storage counts the end-of-horizon tail (the objective's weights), so
    the line drawn against it must too, and the caption says so."""
    _, folder = solved_run
    tables = load_run(folder)
    tables.summary["tail"] = 10
    running = derive.cumulative_by_year(pd.Series({2025: 1.0, 2030: 1.0, 2035: 1.0}), tables, with_tail=True)
    assert running.tolist() == [5.0, 10.0, 20.0]
    figure, caption = plots.co2_captured(tables)
    stored = next(line for line in figure.axes[1].get_lines() if line.get_label() == "Stored")
    captured = -tables.emissions.query("scope == 'captured'").groupby("year")["value"].sum()
    captured = captured.reindex([2025, 2030, 2035], fill_value=0.0)
    expected = (captured * pd.Series({2025: 5, 2030: 5, 2035: 10})).cumsum()
    assert captured.sum() > 0
    assert list(stored.get_ydata()) == pytest.approx(expected.tolist())
    assert "2035–2044" in caption
