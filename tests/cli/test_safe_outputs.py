"""Issue #19, "A run never deletes what it did not write", for every command that writes a folder:
a folder holding the analyst's files is never deleted (exit 2); names that would leave results/
are refused; a folder the tool wrote is replaced cleanly; --force replaces anything but a link;
a process killed (SIGKILL) mid-write leaves the old folder as it was."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from builders import Dataset, write_scenario

from optimizer import cli
from optimizer.outputs.folders import MARKER, add_to_marker, examine
from optimizer.runner import solve_scenario, write_run

COMMANDS = ("run", "batch", "sweep", "compare", "mga", "macc")
SWEEP = """name = "{name}"
base = "{base}"
method = "one-at-a-time"

[[parameter]]
name = "power_price"
table = "commodity_prices"
where = {{ commodity = "electricity" }}
column = "price"
op = "scale"
values = [0.5, 1.5]
"""


def _dataset() -> Dataset:
    data = Dataset(discount_rate=0.05)
    data.commodity("steel").commodity("electricity", "PJ", "energy")
    data.technology("bf", variable_om=100, co2=2.0, capex=800, fixed_om=20)
    data.technology("eaf", variable_om=150, capex=500, inputs={"electricity": 2.0}, lever="electrification")
    data.demand({2025: 10}).price("electricity", 20, emission_factor=0.1)
    return data


def _scenario(folder: Path, name: str, dataset: Path) -> Path:
    path = write_scenario(folder, dataset, name="placeholder", end=2040, extra="cap = { 2040 = 8 }")
    target = folder / f"{name.replace('/', '_').replace('.', '_')}.toml"
    target.write_text(path.read_text().replace('"placeholder"', json.dumps(name)))
    path.unlink()
    return target


def _sweep(folder: Path, name: str, base: Path) -> Path:
    path = folder / f"sweep-{name.replace('/', '_').replace('.', '_')}.toml"
    path.write_text(SWEEP.format(name=name, base=base.as_posix()))
    return path


@pytest.fixture(scope="module")
def case(tmp_path_factory) -> dict[str, Path]:
    """Two scenarios, a sweep and two solved run folders (for compare), outside any test's folder."""
    root = tmp_path_factory.mktemp("safe")
    dataset = _dataset().write(root / "data")
    files = {"scenario": _scenario(root, "alpha", dataset), "other": _scenario(root, "beta", dataset)}
    files["sweep"] = _sweep(root, "gamma", files["scenario"])
    files["run_a"] = write_run(solve_scenario(files["scenario"]), root / "runs" / "alpha")
    files["run_b"] = write_run(solve_scenario(files["other"]), root / "runs" / "beta")
    files["dataset"] = dataset
    return files


def _argv(command: str, case: dict[str, Path], out: Path) -> list[object]:
    return {
        "run": ["run", case["scenario"], "--no-report", "--quiet"],
        "batch": ["batch", case["scenario"], case["other"]],
        "sweep": ["sweep", case["sweep"], "-q"],
        "compare": ["compare", case["run_a"], case["run_b"], "--no-charts"],
        "mga": ["mga", case["scenario"], "--lever", "electrification"],
        "macc": ["macc", case["scenario"], "--caps", "15,5"],
    }[command] + ["--out", out]


def optimizer(*argv: object) -> int:
    """A command in this process (its handler: exit code, log lines on the 'optimizer' logger)."""
    args = cli._parser().parse_args([str(arg) for arg in argv])
    return args.func(args)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def _leftovers(parent: Path) -> list[Path]:
    return [path for path in parent.iterdir() if ".partial-" in path.name or ".old-" in path.name]


def _foreign_folder(folder: Path) -> dict[str, bytes]:
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("the analyst's notes")
    (folder / "drafts").mkdir()
    (folder / "drafts" / "chapter.md").write_text("# draft")
    return _snapshot(folder)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_folder_with_a_foreign_file_is_never_deleted(command, case, tmp_path, caplog):
    out = tmp_path / "out"
    before = _foreign_folder(out)
    assert optimizer(*_argv(command, case, out)) == 2
    assert _snapshot(out) == before
    assert "did not write" in caplog.text
    assert "--force" in caplog.text
    assert not _leftovers(tmp_path)


@pytest.mark.parametrize("command", COMMANDS)
def test_an_own_folder_with_a_foreign_file_added_is_never_deleted(command, case, tmp_path, caplog):
    out = tmp_path / "out"
    assert optimizer(*_argv(command, case, out)) in (0, 1)
    (out / "notes.txt").write_text("added by the analyst")
    before = _snapshot(out)
    assert optimizer(*_argv(command, case, out)) == 2
    assert _snapshot(out) == before
    assert "notes.txt" in caplog.text


@pytest.mark.parametrize("command", COMMANDS)
def test_rerunning_into_an_own_folder_replaces_it_cleanly(command, case, tmp_path):
    out = tmp_path / "out"
    assert optimizer(*_argv(command, case, out)) == 0
    first = _snapshot(out)
    # a file an earlier run wrote that this one does not write again
    stale = "morris.csv" if command == "sweep" else "stale.csv"
    (out / stale).write_text("from an earlier version")
    if command != "sweep":
        add_to_marker(out, [stale])
    assert optimizer(*_argv(command, case, out)) == 0
    second = _snapshot(out)
    assert stale not in second
    assert set(second) == set(first)
    found = examine(out)
    assert (found.state, found.foreign) == ("ours", ())
    assert found.kind == command
    assert not _leftovers(tmp_path)


@pytest.mark.parametrize("command", COMMANDS)
def test_force_replaces_a_foreign_folder_but_never_follows_a_link_inside(command, case, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not the tool's")
    out = tmp_path / "out"
    _foreign_folder(out)
    (out / "drafts" / "link").symlink_to(outside)
    assert optimizer(*_argv(command, case, out), "--force") == 0
    assert not (out / "notes.txt").exists()
    assert not (out / "drafts").exists()
    assert (out / MARKER).is_file()
    assert _snapshot(outside) == {"keep.txt": b"not the tool's"}
    assert not _leftovers(tmp_path)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("force", [False, True])
def test_a_symlinked_out_is_refused(command, force, case, tmp_path, caplog):
    target = tmp_path / "target"
    before = _foreign_folder(target)
    (tmp_path / "out").symlink_to(target)
    assert optimizer(*_argv(command, case, tmp_path / "out"), *(["--force"] if force else [])) == 2
    assert "symbolic link" in caplog.text
    assert (tmp_path / "out").is_symlink()
    assert _snapshot(target) == before


def test_own_folder_of_another_command_is_refused(case, tmp_path, caplog):
    out = tmp_path / "out"
    assert optimizer(*_argv("macc", case, out)) == 0
    before = _snapshot(out)
    assert optimizer(*_argv("run", case, out)) == 2
    assert "optimizer macc" in caplog.text
    assert _snapshot(out) == before


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize("name", ["../../victim", "../victim", "a/b", "..", "."])
def test_a_scenario_name_that_leaves_results_is_refused(name, case, tmp_path, monkeypatch, caplog):
    work = tmp_path / "work" / "deep"
    work.mkdir(parents=True)
    victim = tmp_path / "victim"
    before = _foreign_folder(victim)
    path = _scenario(tmp_path, name, case["dataset"])
    monkeypatch.chdir(work)
    assert optimizer("run", path, "--no-report") == 2
    assert f"{path.name}, line 1, key 'name'" in caplog.text
    assert "cannot name a folder" in caplog.text
    assert _snapshot(victim) == before
    assert sorted(p.name for p in work.iterdir()) == []


@pytest.mark.parametrize("command", ["batch", "mga", "macc"])
def test_members_and_studies_of_a_badly_named_scenario_are_refused(command, case, tmp_path, monkeypatch, caplog):
    victim = tmp_path / "victim"
    before = _foreign_folder(victim)
    path = _scenario(tmp_path, "../victim", case["dataset"])
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    argv = {
        "batch": ["batch", case["scenario"], path],
        "mga": ["mga", path, "--lever", "electrification"],
        "macc": ["macc", path, "--caps", "15"],
    }[command]
    assert optimizer(*argv) == 2
    assert "key 'name'" in caplog.text
    assert _snapshot(victim) == before
    assert list((tmp_path / "work").iterdir()) == []


def test_a_sweep_name_that_leaves_results_is_refused(case, tmp_path, monkeypatch, caplog):
    victim = tmp_path / "victim"
    before = _foreign_folder(victim)
    path = _sweep(tmp_path, "../victim", case["scenario"])
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    assert optimizer("sweep", path, "-q") == 2
    assert f"{path.name}, line 1, key 'name'" in caplog.text
    assert _snapshot(victim) == before


def test_batch_members_need_distinct_names(case, tmp_path, caplog):
    twin = tmp_path / "twin.toml"
    twin.write_text(case["scenario"].read_text())
    assert optimizer("batch", case["scenario"], twin, "--out", tmp_path / "out") == 2
    assert "distinct names" in caplog.text
    assert not (tmp_path / "out").exists()


def test_sweep_resume_keeps_its_meaning_and_excludes_force(case, tmp_path):
    out = tmp_path / "out"
    assert optimizer("sweep", case["sweep"], "-q", "--out", out) == 0
    points = _snapshot(out / "points")
    assert optimizer("sweep", case["sweep"], "-q", "--out", out, "--resume") == 0
    assert _snapshot(out / "points") == points  # every point was finished: none solved again
    with pytest.raises(SystemExit) as usage:
        optimizer("sweep", case["sweep"], "--out", out, "--resume", "--force")
    assert usage.value.code == 2


# --------------------------------------------------------------------------- report


@pytest.fixture
def reported(case, tmp_path) -> Path:
    """A run folder with its report, and the analyst's files beside it (and among the charts)."""
    folder = tmp_path / "run"
    assert optimizer("run", case["scenario"], "--out", folder, "--quiet") == 0
    (folder / "notes.txt").write_text("mine")
    (folder / "plots" / "my-chart.png").write_bytes(b"mine")
    return folder


def test_report_writes_only_its_own_files(reported, tmp_path):
    marker = json.loads((reported / MARKER).read_text())
    charts = sorted(name for name in marker["files"] if name.startswith("plots/"))
    # a chart an earlier report drew and this one does not
    (reported / "plots" / "retired.png").write_bytes(b"old chart")
    add_to_marker(reported, ["plots/retired.png"])
    assert optimizer("report", reported) == 0
    assert (reported / "notes.txt").read_text() == "mine"
    assert (reported / "plots" / "my-chart.png").read_bytes() == b"mine"
    assert not (reported / "plots" / "retired.png").exists()
    assert sorted(n for n in json.loads((reported / MARKER).read_text())["files"] if n.startswith("plots/")) == charts
    assert examine(reported).foreign == ("notes.txt", "plots/my-chart.png")
    assert not [p for p in reported.iterdir() if ".partial-" in p.name]


def test_report_never_writes_through_a_link(reported, tmp_path, caplog):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "page.html").write_text("theirs")
    (reported / "report.html").unlink()
    (reported / "report.html").symlink_to(outside / "page.html")
    assert optimizer("report", reported) == 0
    assert not (reported / "report.html").is_symlink()
    assert (outside / "page.html").read_text() == "theirs"
    plots = reported / "plots"
    plots.rename(tmp_path / "plots-elsewhere")
    plots.symlink_to(tmp_path / "plots-elsewhere")
    before = _snapshot(tmp_path / "plots-elsewhere")
    assert optimizer("report", reported) == 2
    assert "plots" in caplog.text
    assert _snapshot(tmp_path / "plots-elsewhere") == before


# --------------------------------------------------------------------------- killed mid-write

# Runs the command line with one writing function wrapped: on its `PAUSE_AT`-th call it touches
# `PAUSED` and sleeps, so the test can kill the process group mid-write.
DRIVER = """
import os, pathlib, sys, time
import pandas as pd
calls = [0]
def pausing(original):
    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        calls[0] += 1
        if calls[0] == int(os.environ["PAUSE_AT"]):
            pathlib.Path(os.environ["PAUSED"]).touch()
            time.sleep(600)
        return result
    return wrapper
if os.environ["PAUSE_IN"] == "tables":
    pd.DataFrame.to_csv = pausing(pd.DataFrame.to_csv)
    pd.DataFrame.to_parquet = pausing(pd.DataFrame.to_parquet)
else:
    pathlib.Path.replace = pausing(pathlib.Path.replace)
from optimizer.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _killed_mid_write(argv: list[object], pause_in: str, pause_at: int, folder: Path) -> None:
    paused = folder / "paused"
    env = {**os.environ, "PAUSE_IN": pause_in, "PAUSE_AT": str(pause_at), "PAUSED": str(paused)}
    process = subprocess.Popen(
        [sys.executable, "-c", DRIVER, *map(str, argv)],
        env=env,
        cwd=folder,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not paused.exists() and process.poll() is None:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    _, stderr = process.communicate()
    assert paused.exists(), f"the command never reached the write: {stderr.decode()[-2000:]}"


@pytest.mark.parametrize("command", COMMANDS)
def test_a_kill_mid_write_leaves_the_old_folder(command, case, tmp_path):
    out = tmp_path / "out"
    assert optimizer(*_argv(command, case, out)) == 0
    before = _snapshot(out)
    _killed_mid_write(_argv(command, case, out), "tables", 2, tmp_path)
    assert _snapshot(out) == before, "the old folder, whole, not a mix"
    assert _leftovers(tmp_path), "killed while the new folder was being written beside it"
    assert (examine(out).state, examine(out).foreign) == ("ours", ())
    assert optimizer(*_argv(command, case, out)) == 0  # and the next run replaces it
    assert set(_snapshot(out)) == set(before)


def test_a_report_killed_mid_write_leaves_every_file_whole(reported, tmp_path):
    _killed_mid_write(["report", reported], "replace", 3, tmp_path)  # the marker and two files moved
    assert (reported / "notes.txt").read_text() == "mine"
    assert (reported / "plots" / "my-chart.png").read_bytes() == b"mine"
    for png in (reported / "plots").glob("*.png"):
        if png.name != "my-chart.png":
            data = png.read_bytes()
            assert data.startswith(b"\x89PNG"), png.name
            assert data.endswith(b"IEND\xaeB`\x82"), png.name
    assert (reported / "report.html").read_text().rstrip().endswith("</html>")
    assert examine(reported).foreign == ("notes.txt", "plots/my-chart.png")  # the rest is the tool's
    assert optimizer("report", reported) == 0
