"""The manual (docs/) stands alone and stays true: it lists every input table, column and TOML
key the code declares, every output column and summary key, every command-line option; it
points nowhere outside the repository; and it builds in MkDocs' strict mode."""

from __future__ import annotations

import argparse
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
from builders import steel_and_hydrogen

from optimizer.batch.config import PARAMETER_KEYS, SWEEP_KEYS
from optimizer.cli import _parser
from optimizer.data import scenario
from optimizer.data.read import DATASET_KEYS
from optimizer.data.schema import TABLES
from optimizer.results import COLUMNS

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    """The text from `heading` to the next heading of the same or a higher level."""
    start = text.index(heading)
    level = len(heading) - len(heading.lstrip("#"))
    following = re.compile(rf"^#{{1,{level}}} ", re.MULTILINE)
    match = following.search(text, start + len(heading))
    return text[start : match.start() if match else len(text)]


def test_every_input_table_and_column_is_documented():
    inputs = _page("inputs.md")
    for spec in TABLES:
        section = _section(inputs, f"### `{spec.file}`")
        for column in spec.column_names:
            assert f"`{column}`" in section, (spec.file, column)
        for choice in {c for column in spec.columns for c in column.choices}:
            assert f"`{choice}`" in section, (spec.file, choice)


def test_every_toml_key_is_documented():
    inputs = _page("inputs.md")
    dataset = _section(inputs, "## `dataset.toml`")
    for key in [*DATASET_KEYS, "discount_rate"]:
        assert f"`{key}`" in dataset, key
    scenarios = _section(inputs, "## Scenario files")
    for key in scenario._TOP_KEYS:
        assert f"`{key}`" in scenarios, key
    for table, keys in (("emissions", scenario._EMISSION_KEYS), ("solver", scenario._SOLVER_KEYS),
                        ("foresight", scenario._FORESIGHT_KEYS)):  # fmt: skip
        for key in keys:
            assert f"`{table}.{key}`" in scenarios, (table, key)
    override = next(line for line in scenarios.splitlines() if line.startswith("| `override` |"))
    for key in scenario._OVERRIDE_KEYS:
        assert f"`{key}`" in override, key
    sweeps = _section(inputs, "## Sweep files")
    for key in SWEEP_KEYS:
        assert f"`{key}`" in sweeps, key
    for key in PARAMETER_KEYS:
        assert f"`parameter.{key}`" in sweeps, key


def test_every_output_column_and_summary_key_is_documented(solve):
    outputs = _page("outputs.md")
    tables = _section(outputs, "## A run folder")
    for name, columns in COLUMNS.items():
        row = next(line for line in tables.splitlines() if line.startswith(f"| `{name}.csv`"))
        for column in columns:
            assert f"`{column}`" in row, (name, column)
    run = solve(steel_and_hydrogen(), extra="cap = { 2030 = 18 }")
    summary = _section(outputs, "### `summary.json`")
    for key in run.summary:
        assert f"`{key}`" in summary, key


def test_every_command_line_option_is_documented():
    cli = _page("cli.md")
    commands = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name, parser in commands.choices.items():
        section = _section(cli, f"## `{name}`")
        synopsis = next(line for line in cli.splitlines() if line.startswith(f"optimizer {name} "))
        for action in parser._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in section or option in synopsis, (name, option)


def test_nothing_points_outside_the_repository():
    for path in [ROOT / "README.md", ROOT / "inputs" / "README.md", *DOCS.rglob("*.md")]:
        text = path.read_text(encoding="utf-8")
        assert "../shared" not in text, path
        assert "DESIGN §" not in text, path
        assert "DESIGN.md" not in text, path


def test_readme_links_into_the_manual():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\((docs/[^)#]+)", readme):
        assert (ROOT / target).is_file(), target
    assert "mkdocs build --strict" in readme
    assert "3.11" in readme


@pytest.mark.skipif(importlib.util.find_spec("mkdocs") is None, reason="the docs extra is not installed")
def test_the_manual_builds_in_strict_mode(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": str(Path(sys.executable).parent)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "site" / "model.html").read_text(encoding="utf-8")
    assert "<math" in page  # equations rendered at build time
    assert "$$" not in page
    assert "https://" not in re.sub(r'href="https://[^"]*"', "", page).split("<body", 1)[0]  # nothing fetched in <head>
