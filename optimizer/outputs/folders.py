"""The folders this tool writes, and the one rule for replacing one: never delete what it did not write.

Every folder a command writes carries a marker, `.optimizer.json`::

    {"tool": "optimizer", "format_version": 1, "kind": "run", "files": ["summary.json", "costs.csv", …]}

`kind` is the command's (run, batch, sweep, compare, mga, macc); `files` lists every file the
tool wrote there, relative and with `/`; an entry ending in `/` is a sub-folder with a marker of
its own (a run folder inside a batch, MGA or MACC folder), judged by that marker. A sweep, whose
folder grows point by point and on `--resume`, lists `patterns` instead (`points/p*/record.json`).
`optimizer report` adds the files it writes to a run folder's list.

`check_replaceable` is the single decision "may this command put its folder at `out`?": yes
when nothing is there, when an empty folder is there, or when a folder of the same kind that
this tool wrote is there and holds nothing else (hidden `.NAME.partial-XXXXXXXX` leftovers of
an interrupted write count as the tool's). `force` lifts every condition but one: a symbolic
link is never written through or replaced. `staged` builds the new folder beside `out` and
swaps it into place only when complete (an atomic exchange on Linux), so an interrupted write
leaves the old folder; the old folder is then deleted file by file, only what its marker lists
(everything, with `force`), and symbolic links are unlinked, never followed.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fnmatch
import json
import logging
import os
import re
import shutil
import sys
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from optimizer.errors import InputError, Issue

log = logging.getLogger("optimizer")

TOOL = "optimizer"
FORMAT_VERSION = 1
MARKER = ".optimizer.json"
KINDS = ("run", "batch", "sweep", "compare", "mga", "macc")
_SAFE = re.compile(r"[A-Za-z0-9._-]+")
_LEFTOVER = re.compile(r"\..+\.(partial|old)-[0-9a-f]{8}")  # staging left by an interrupted write
_MAX_NAME = 200
_HOW = "use --force to replace it anyway, or choose another --out"


# --------------------------------------------------------------------------- names


def name_problem(name: object) -> str | None:
    """Why `name` cannot be a folder name (one path component), or None if it can."""
    if not isinstance(name, str) or not name:
        return "must be a non-empty string"
    if name in (".", ".."):
        return f"{name!r} cannot name a folder"
    if not _SAFE.fullmatch(name):
        return f"{name!r} cannot name a folder: use only letters, digits, '.', '_' and '-' (no '/', '\\' or spaces)"
    if len(name) > _MAX_NAME:
        return f"is {len(name)} characters long; a folder name may have at most {_MAX_NAME}"
    return None


def child(parent: Path | str, name: str, source: str = "name") -> Path:
    """`parent / name`, once `name` is known to be a single safe path component (else InputError)."""
    problem = name_problem(name)
    if problem:
        raise InputError(Issue(source, f"{problem}"))
    return Path(parent) / name


def staging_name(name: str) -> str:
    """A hidden sibling name for staging `name`: `.name.partial-1a2b3c4d`."""
    return f".{name}.partial-{uuid.uuid4().hex[:8]}"


# --------------------------------------------------------------------------- markers


def read_marker(folder: Path) -> dict | None:
    """The folder's marker, if it is one this tool wrote (a regular file, this tool, a known format)."""
    path = folder / MARKER
    if path.is_symlink() or not path.is_file():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("tool") != TOOL or document.get("kind") not in KINDS:
        return None
    version = document.get("format_version")
    if not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
        return None
    if not all(isinstance(document.get(key, []), list) for key in ("files", "patterns")):
        return None
    return document


def marker(kind: str, files: Iterable[str] = (), patterns: Iterable[str] = ()) -> dict:
    """A marker document (see the module's docstring)."""
    document: dict = {"tool": TOOL, "format_version": FORMAT_VERSION, "kind": kind, "files": sorted(files)}
    if patterns:
        document["patterns"] = list(patterns)
    return document


def write_marker(folder: Path, kind: str, patterns: Iterable[str] = ()) -> None:
    """Mark `folder` as written by this tool, listing every file in it (it must hold only what
    this tool just wrote: a staging folder); sub-folders with a marker are listed as `name/`."""
    write_text(folder / MARKER, json.dumps(marker(kind, _listing(folder), patterns), indent=1) + "\n")


def _listing(folder: Path, prefix: str = "") -> Iterator[str]:
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        relative = prefix + entry.name
        if entry.is_symlink() or (not prefix and entry.name == MARKER):
            continue
        if entry.is_dir():
            if read_marker(Path(entry.path)) is not None:
                yield relative + "/"
            else:
                yield from _listing(Path(entry.path), relative + "/")
        else:
            yield relative


def add_to_marker(folder: Path, added: Iterable[str], removed: Iterable[str] = ()) -> None:
    """Record files written into (and deleted from) a marked folder; nothing if it has no marker."""
    document = read_marker(folder)
    if document is None:
        return
    files = (set(document.get("files", [])) - set(removed)) | set(added)
    document["files"] = sorted(files)
    write_text(folder / MARKER, json.dumps(document, indent=1) + "\n")


def write_text(path: Path, text: str) -> None:
    """Write a text file atomically (a hidden sibling renamed over it; a link there is replaced,
    not followed)."""
    staging = path.with_name(staging_name(path.name))
    try:
        staging.write_text(text, encoding="utf-8")
        staging.replace(path)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- what is there


@dataclass(frozen=True)
class Found:
    """What is at a path: `state` absent, empty, ours, foreign (a folder without a marker),
    file or link; for ours, the `kind` and any entries the tool did not write (`foreign`)."""

    path: Path
    state: str
    kind: str | None = None
    foreign: tuple[str, ...] = ()


def examine(path: Path | str) -> Found:
    """Look at `path` without following a link and without changing anything."""
    path = Path(path)
    if path.is_symlink():
        return Found(path, "link")
    if not path.exists():
        return Found(path, "absent")
    if not path.is_dir():
        return Found(path, "file")
    names = sorted(entry.name for entry in os.scandir(path))
    if not names:
        return Found(path, "empty")
    document = read_marker(path)
    if document is None:
        return Found(path, "foreign", foreign=tuple(names))
    return Found(path, "ours", document["kind"], tuple(_sort(path, document).foreign))


@dataclass
class _Sorted:
    owned: list[Path]  # files this tool wrote (its marker lists them)
    leftovers: list[Path]  # staging of interrupted writes
    folders: list[Path]  # every folder visited, outermost first
    foreign: list[str]  # relative paths of everything else


def _sort(folder: Path, document: dict, prefix: str = "", into: _Sorted | None = None) -> _Sorted:
    """Sort a marked folder's contents into what the tool wrote and what it did not."""
    into = into if into is not None else _Sorted([], [], [], [])
    into.folders.append(folder)
    files = set(document.get("files", []))
    patterns = [pattern.split("/") for pattern in document.get("patterns", [])]
    _walk(folder, files, patterns, prefix, "", into)
    return into


def _walk(folder: Path, files: set[str], patterns: list[list[str]], shown: str, relative: str, into: _Sorted) -> None:
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        path, name = Path(entry.path), relative + entry.name
        if entry.is_symlink():
            into.foreign.append(shown + name)  # the tool writes no links
        elif _LEFTOVER.fullmatch(entry.name):
            into.leftovers.append(path)
        elif entry.is_dir():
            if name + "/" in files:
                nested = read_marker(path)
                if nested is None:
                    into.foreign.append(shown + name + "/")
                else:
                    _sort(path, nested, shown + name + "/", into)
            else:
                into.folders.append(path)
                _walk(path, files, patterns, shown, name + "/", into)
        elif (not relative and entry.name == MARKER) or name in files or _matches(name, patterns):
            into.owned.append(path)
        else:
            into.foreign.append(shown + name)


def _matches(name: str, patterns: list[list[str]]) -> bool:
    parts = name.split("/")
    return any(
        len(pattern) == len(parts) and all(fnmatch.fnmatchcase(p, q) for p, q in zip(parts, pattern, strict=True))
        for pattern in patterns
    )


# --------------------------------------------------------------------------- the decision


def check_replaceable(out: Path | str, kind: str, force: bool = False) -> Found:
    """Return what is at `out` if a `kind` folder may be put there; raise InputError (exit 2)
    with what to do if not. See the module's docstring for the rule."""
    found = examine(out)
    problem = refusal(found, kind, force)
    if problem:
        raise InputError(Issue(str(out), problem))
    return found


def refusal(found: Found, kind: str, force: bool = False) -> str | None:
    """Why `found` may not be replaced by a `kind` folder (None if it may)."""
    if found.state == "link":
        return (
            "is a symbolic link; outputs are never written through a link or in its place "
            "(not even with --force): give the folder it points to, or another --out"
        )
    if force or found.state in ("absent", "empty"):
        return None
    if found.state == "file":
        return f"is a file, not a folder: {_HOW}"
    if found.state == "foreign":
        return f"is a folder this tool did not write (it holds {_some(found.foreign)}); nothing was written: {_HOW}"
    if found.foreign:
        return (
            f"holds files this tool did not write ({_some(found.foreign)}); nothing was written: move them out, {_HOW}"
        )
    if found.kind != kind:
        return f"holds the output of `optimizer {found.kind}`, not of `optimizer {kind}`: {_HOW}"
    return None


def _some(names: Iterable[str], most: int = 5) -> str:
    names = list(names)
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


# --------------------------------------------------------------------------- writing


@contextmanager
def staged(out: Path | str, kind: str, force: bool = False, mark: bool = True) -> Iterator[Path]:
    """Build a `kind` folder for `out` in a hidden staging folder beside it; on leaving the block
    without an error, mark it (unless `mark` is False: the caller marked it) and swap it into
    place (`check_replaceable` is asked before and again just before the swap). On an error the
    staging folder is removed and `out` is left as it was.
    """
    given, out = Path(out), _absolute(out)
    check_replaceable(given, kind, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / staging_name(out.name)
    staging.mkdir()
    swapped = False
    try:
        yield staging
        if mark:
            write_marker(staging, kind)
        found = check_replaceable(given, kind, force)
        retired = _swap(staging, out, found)
        swapped = True
        if retired is not None:
            _dispose(retired, out, force)
    except BaseException:
        if not swapped:
            remove_tree(staging)
        raise


def _absolute(path: Path | str) -> Path:
    """`path` made absolute without resolving links (so `--out .` has a name and a parent)."""
    absolute = Path(os.path.abspath(path))  # noqa: PTH100 (resolve() would follow links)
    if absolute == absolute.parent:
        raise InputError(Issue(str(path), "is the root of the file system: give a folder to write"))
    return absolute


def _swap(staging: Path, out: Path, found: Found) -> Path | None:
    """Put `staging` at `out`; return where the old `out` now is (None if there was none)."""
    if found.state in ("absent", "empty"):
        staging.rename(out)  # fails rather than replace a folder that gained files meanwhile
        return None
    if _exchange(staging, out):
        return staging
    retired = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
    out.rename(retired)
    staging.rename(out)
    return retired


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_cwd, exchange = -100, 2
    if renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _dispose(retired: Path, out: Path, force: bool) -> None:
    """Delete the folder that was at `out`: all of it with `force`, else only what it lists."""
    if force:
        remove_tree(retired)
        return
    document = read_marker(retired) if retired.is_dir() and not retired.is_symlink() else None
    if document is None:
        log.warning("%s was replaced; the old folder lost its marker meanwhile and was kept as %s", out, retired)
        return
    kept = discard(retired, document)
    if kept:
        log.warning(
            "%s was replaced; files this tool did not write, added while it wrote, were kept in %s: %s",
            out,
            retired,
            _some(kept),
        )


def discard(folder: Path, document: dict) -> list[str]:
    """Delete what the marker says this tool wrote in `folder`, then the folders left empty;
    return what was kept (relative paths)."""
    contents = _sort(folder, document)
    for path in contents.leftovers:
        remove_tree(path)
    for path in contents.owned:
        if path.name != MARKER:
            path.unlink(missing_ok=True)
    for path in contents.owned:
        if path.name == MARKER:
            path.unlink(missing_ok=True)
    for path in reversed(contents.folders):
        with contextlib.suppress(OSError):  # it still holds what was kept
            path.rmdir()
    return contents.foreign


def remove_tree(path: Path) -> None:
    """Delete `path` and everything in it; a link (at `path` or inside) is unlinked, never followed."""
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)  # on Linux the fd-based rmtree unlinks links inside without following them


# --------------------------------------------------------------------------- adding files in place


def publish(folder: Path, render: Callable[[Path], list[Path]], replaces: Iterable[str]) -> list[Path]:
    """Write files into an existing folder without touching anything else in it.

    `render(staging)` writes the files into an empty staging folder (inside `folder`) and returns
    their paths; each is then renamed into place in `folder` (one at a time, each whole: a file
    or link already there is replaced, never followed). Files listed in the folder's marker that
    match one of the `replaces` patterns and were not written again are deleted (a chart no
    longer drawn); nothing the marker does not list is ever deleted. Return the paths written.
    """
    folder = Path(folder)
    staging = folder / staging_name("publish")
    staging.mkdir()
    try:
        written = [path.relative_to(staging).as_posix() for path in render(staging)]
        for relative in written:
            _check_target(folder, relative)
        document = read_marker(folder)
        patterns = [pattern.split("/") for pattern in replaces]
        listed = set(document.get("files", [])) if document else set()
        stale = sorted(name for name in listed - set(written) if _matches(name, patterns))
        add_to_marker(folder, written)  # listed before they appear: the folder stays recognisably ours
        for relative in written:
            (folder / relative).parent.mkdir(parents=True, exist_ok=True)
            (staging / relative).replace(folder / relative)
        for relative in stale:
            _check_target(folder, relative)
            target = folder / relative
            if target.is_symlink() or target.is_file():
                target.unlink()
        add_to_marker(folder, [], stale)
    finally:
        remove_tree(staging)
    return [folder / relative for relative in written]


def _check_target(folder: Path, relative: str) -> None:
    """Refuse to write `folder/relative` through a link or over a folder."""
    path = folder
    for part in relative.split("/")[:-1]:
        path = path / part
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            raise InputError(Issue(str(path), "is a link or a file where a folder is written: move it away"))
    target = folder / relative
    if target.is_dir() and not target.is_symlink():
        raise InputError(Issue(str(target), "is a folder where a file is written: move it away"))
