"""The one rule for replacing a folder (optimizer.outputs.folders), on plain files, no solver:
a folder is replaced only if this tool wrote it and it holds nothing else (or with force), never
through a link, whole or not at all; report-style writes add files and delete only their own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from optimizer.errors import InputError
from optimizer.outputs import folders
from optimizer.outputs.folders import MARKER, examine, name_problem, publish, staged


def _write(out: Path, files: dict[str, str], kind: str = "run", force: bool = False) -> None:
    with staged(out, kind, force) as staging:
        for name, text in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_text(text)


def _tree(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): path.read_text()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MARKER
    }


def _staging_left(parent: Path) -> list[str]:
    return [p.name for p in parent.iterdir() if ".partial-" in p.name or ".old-" in p.name]


@pytest.mark.parametrize("name", ["net-zero-2060", "a.b_c-1", "X", "cap-0.5"])
def test_safe_names_are_accepted(name):
    assert name_problem(name) is None


@pytest.mark.parametrize("name", ["", ".", "..", "../../victim", "a/b", "a\\b", "/abs", "with space", "é", "a" * 201])
def test_names_that_are_not_one_safe_component_are_refused(name):
    assert name_problem(name)
    with pytest.raises(InputError):
        folders.child(Path("results"), name)


def test_what_is_there(tmp_path):
    assert examine(tmp_path / "none").state == "absent"
    (tmp_path / "empty").mkdir()
    assert examine(tmp_path / "empty").state == "empty"
    (tmp_path / "file").write_text("x")
    assert examine(tmp_path / "file").state == "file"
    (tmp_path / "theirs").mkdir()
    (tmp_path / "theirs" / "notes.txt").write_text("mine")
    assert examine(tmp_path / "theirs") == folders.Found(tmp_path / "theirs", "foreign", foreign=("notes.txt",))
    (tmp_path / "link").symlink_to(tmp_path / "theirs")
    assert examine(tmp_path / "link").state == "link"
    _write(tmp_path / "ours", {"a.csv": "1", "plots/b.png": "2"})
    assert examine(tmp_path / "ours") == folders.Found(tmp_path / "ours", "ours", "run")
    marker = json.loads((tmp_path / "ours" / MARKER).read_text())
    assert marker == {"tool": "optimizer", "format_version": 1, "kind": "run", "files": ["a.csv", "plots/b.png"]}


def test_a_marker_of_another_tool_or_a_newer_format_is_not_ours(tmp_path):
    _write(tmp_path / "out", {"a.csv": "1"})
    path = tmp_path / "out" / MARKER
    for document in (
        {"tool": "other", "format_version": 1, "kind": "run"},
        {**json.loads(path.read_text()), "format_version": 99},
    ):
        path.write_text(json.dumps(document))
        assert examine(tmp_path / "out").state == "foreign"


def test_a_foreign_folder_is_refused_and_left_as_it_was(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="did not write .*notes.txt.*--force"):
        _write(out, {"a.csv": "1"})
    assert _tree(out) == {"notes.txt": "mine"}
    assert not _staging_left(tmp_path)


def test_an_own_folder_with_a_foreign_file_is_refused(tmp_path):
    out = tmp_path / "out"
    _write(out, {"a.csv": "1", "plots/b.png": "2"})
    (out / "plots" / "mine.png").write_text("mine")
    with pytest.raises(InputError, match=r"plots/mine\.png"):
        _write(out, {"a.csv": "new"})
    assert _tree(out) == {"a.csv": "1", "plots/b.png": "2", "plots/mine.png": "mine"}


def test_an_own_folder_is_replaced_whole_and_only_when_complete(tmp_path):
    out = tmp_path / "out"
    _write(out, {"a.csv": "1", "plots/b.png": "2"})
    with pytest.raises(RuntimeError, match="mid-write"):
        _interrupted(out)
    assert _tree(out) == {"a.csv": "1", "plots/b.png": "2"}
    assert not _staging_left(tmp_path)
    _write(out, {"a.csv": "new"})
    assert _tree(out) == {"a.csv": "new"}
    assert not _staging_left(tmp_path)


def _interrupted(out: Path) -> None:
    with staged(out, "run") as staging:
        (staging / "a.csv").write_text("half")
        raise RuntimeError("killed mid-write")


def test_the_swap_works_without_an_atomic_exchange(tmp_path, monkeypatch):
    monkeypatch.setattr(folders, "_exchange", lambda first, second: False)
    _write(tmp_path / "out", {"a.csv": "1"})
    _write(tmp_path / "out", {"b.csv": "2"})
    assert _tree(tmp_path / "out") == {"b.csv": "2"}
    assert not _staging_left(tmp_path)


def test_another_kind_of_own_folder_is_refused(tmp_path):
    _write(tmp_path / "out", {"macc.csv": "1"}, kind="macc")
    with pytest.raises(InputError, match="optimizer macc"):
        _write(tmp_path / "out", {"a.csv": "1"})
    _write(tmp_path / "out", {"a.csv": "1"}, force=True)
    assert _tree(tmp_path / "out") == {"a.csv": "1"}


def test_nested_own_folders_are_judged_by_their_own_marker(tmp_path):
    out = tmp_path / "batch"
    with staged(out, "batch") as staging:
        _write(staging / "one", {"a.csv": "1"})
        (staging / "runs.csv").write_text("x")
    assert json.loads((out / MARKER).read_text())["files"] == ["one/", "runs.csv"]
    folders.add_to_marker(out / "one", ["report.html"])  # what `optimizer report` does
    (out / "one" / "report.html").write_text("page")
    assert examine(out).foreign == ()
    (out / "one" / "notes.txt").write_text("mine")
    assert examine(out).foreign == ("one/notes.txt",)
    (out / "one" / "notes.txt").unlink()
    (out / "one" / MARKER).unlink()
    assert examine(out).foreign == ("one/",)


def test_leftovers_of_an_interrupted_write_count_as_the_tools(tmp_path):
    out = tmp_path / "out"
    _write(out, {"a.csv": "1"})
    (out / ".report.partial-0123abcd").mkdir()
    (out / ".report.partial-0123abcd" / "x.png").write_text("half")
    assert examine(out).foreign == ()
    _write(out, {"a.csv": "2"})
    assert _tree(out) == {"a.csv": "2"}


def test_force_replaces_anything_but_never_follows_a_link(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep")
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "sub").mkdir()
    (out / "sub" / "link").symlink_to(outside)
    (out / "file-link").symlink_to(outside / "keep.txt")
    _write(out, {"a.csv": "1"}, force=True)
    assert _tree(out) == {"a.csv": "1"}
    assert _tree(outside) == {"keep.txt": "keep"}
    assert not _staging_left(tmp_path)


@pytest.mark.parametrize("force", [False, True])
def test_a_linked_out_is_refused_even_with_force(tmp_path, force):
    target = tmp_path / "target"
    _write(target, {"a.csv": "1"})
    (tmp_path / "out").symlink_to(target)
    with pytest.raises(InputError, match="symbolic link"):
        _write(tmp_path / "out", {"b.csv": "2"}, force=force)
    assert (tmp_path / "out").is_symlink()
    assert _tree(target) == {"a.csv": "1"}


def test_files_added_during_the_swap_are_kept(tmp_path):
    out = tmp_path / "out"
    _write(out, {"a.csv": "1", "plots/b.png": "2"})
    (out / "plots" / "late.png").write_text("mine")  # as if written between the check and the swap
    kept = folders.discard(out, json.loads((out / MARKER).read_text()))
    assert kept == ["plots/late.png"]
    assert _tree(out) == {"plots/late.png": "mine"}


def test_root_is_never_a_target(tmp_path):
    with pytest.raises(InputError, match="root"):
        _write(Path("/"), {"a.csv": "1"}, force=True)


def test_dot_names_the_working_folder(tmp_path, monkeypatch):
    out = tmp_path / "out"
    _write(out, {"a.csv": "1"})
    monkeypatch.chdir(out)
    _write(Path(), {"b.csv": "2"})
    assert _tree(out) == {"b.csv": "2"}


def _render(files: dict[str, str]):
    def render(staging: Path) -> list[Path]:
        written = []
        for name, text in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_text(text)
            written.append(staging / name)
        return written

    return render


def test_publish_adds_files_and_deletes_only_its_own_stale_ones(tmp_path):
    out = tmp_path / "run"
    _write(out, {"summary.json": "{}"})
    publish(out, _render({"plots/a.png": "a", "plots/b.png": "b", "report.html": "1"}), ["plots/*.png", "report.html"])
    (out / "plots" / "mine.png").write_text("mine")
    (out / "notes.txt").write_text("mine")
    written = publish(out, _render({"plots/a.png": "A", "report.html": "2"}), ["plots/*.png", "report.html"])
    assert written == [out / "plots" / "a.png", out / "report.html"]
    assert _tree(out) == {
        "summary.json": "{}",
        "plots/a.png": "A",
        "plots/mine.png": "mine",
        "notes.txt": "mine",
        "report.html": "2",
    }
    files = json.loads((out / MARKER).read_text())["files"]
    assert files == ["plots/a.png", "report.html", "summary.json"]
    assert not [p for p in out.iterdir() if ".partial-" in p.name]


def test_publish_into_an_unmarked_folder_deletes_nothing(tmp_path):
    out = tmp_path / "run"
    (out / "plots").mkdir(parents=True)
    (out / "plots" / "old.png").write_text("old")
    publish(out, _render({"plots/a.png": "a"}), ["plots/*.png"])
    assert _tree(out) == {"plots/a.png": "a", "plots/old.png": "old"}
    assert not (out / MARKER).exists()


def test_publish_replaces_a_link_without_following_it_and_refuses_a_linked_folder(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "page.html").write_text("theirs")
    out = tmp_path / "run"
    _write(out, {"summary.json": "{}"})
    (out / "report.html").symlink_to(outside / "page.html")
    publish(out, _render({"report.html": "ours"}), ["report.html"])
    assert not (out / "report.html").is_symlink()
    assert (out / "report.html").read_text() == "ours"
    assert (outside / "page.html").read_text() == "theirs"
    (out / "plots").symlink_to(outside)
    with pytest.raises(InputError, match="plots"):
        publish(out, _render({"plots/a.png": "a"}), ["plots/*.png"])
    assert [path.name for path in outside.iterdir()] == ["page.html"]


def test_study_sub_folders_are_safe_and_distinct():
    from optimizer.pathways.macc import cap_folder
    from optimizer.pathways.mga import _check_folders

    assert [cap_folder(cap) for cap in (450.0, 0.5, 1e6)] == ["cap-450", "cap-0.5", "cap-1e06"]
    _check_folders([("lever", "ccus", "min"), ("technology", "a/b", "max")])  # sanitised: technology-a_b-max
    with pytest.raises(InputError, match="share folder technology-a_b-min") as caught:
        _check_folders([("technology", "a/b", "min"), ("technology", "a_b", "min")])
    assert caught.value.issues[0].column == "--technology"
