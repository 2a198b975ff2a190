"""No file of the user's is ever lost: every command that writes a folder refuses a folder that is not
new, empty or its own, before any work starts, and leaves every file there byte for byte.

Each refused case is tried through the `repro` command itself (reproduce, sensitivity, compare,
template); the refusals come before any kernel starts or any draw is made, so they are quick.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import earlier_results, tree_snapshot
from repro import paths
from repro.cli import main
from repro.pipeline.outdir import (MANIFEST, SEAL, OutputFolderError, check_output_folder, files_not_ours,
                                   staged_output, write_manifest)

RATERS = paths.EXAMPLES / "rater_scores.csv"


@pytest.fixture
def workplace(tmp_path, paper_copy, monkeypatch):
    """A working directory holding the user's own things, a copy of the paper's data, and an earlier results folder."""
    home = tmp_path / "work"
    home.mkdir()
    (home / "thesis.docx").write_bytes(b"three years of work")
    monkeypatch.chdir(home)
    return {"home": home, "data": paper_copy, "earlier": earlier_results(tmp_path / "earlier")}


def _refused_targets(w) -> dict[str, tuple[Path, str]]:
    """Each refused case: the folder typed after --out (as a string, like a user types it) and what the message says."""
    others = w["home"] / "someone-elses"
    others.mkdir()
    (others / "notes.txt").write_text("keep me", encoding="utf-8")
    with_stranger = earlier_results(w["home"] / "results-with-a-stranger")
    (with_stranger / "figures" / "my-edit.png").write_bytes(b"my own figure")
    edited = earlier_results(w["home"] / "results-edited")
    (edited / "report.html").write_text("my annotations", encoding="utf-8")
    a_file = w["home"] / "a-file"
    a_file.write_text("not a folder", encoding="utf-8")
    return {
        "the data folder": (w["data"], "data folder"),
        "a folder holding the data": (w["data"].parent, "data folder"),
        "a folder inside the data": (w["data"] / "out", "data folder"),
        # Installed from a wheel there is no repository: the package's own folder stands in its place.
        "the repository": (paths.REPOSITORY, "repository") if paths.REPOSITORY else (paths.PACKAGE, "package's own folder"),
        "inside the package": (paths.PACKAGE / "results", "package's own folder"),
        "the working directory": (w["home"], "working in"),
        ".": (Path("."), "working in"),
        "someone else's files": (others, "not written by repro"),
        "an earlier results folder with a stranger added": (with_stranger, "figures/my-edit.png"),
        "an earlier results folder with a file edited": (edited, "changed since repro wrote them"),
        "a file": (a_file, "is a file"),
    }


CASES = ["the data folder", "a folder holding the data", "a folder inside the data", "the repository", "inside the package",
         "the working directory", ".", "someone else's files", "an earlier results folder with a stranger added",
         "an earlier results folder with a file edited", "a file"]


def _command(name: str, data: Path, out: Path) -> list[str]:
    return {
        "reproduce": ["reproduce", "--data", str(data), "--out", str(out)],
        "sensitivity": ["sensitivity", "--data", str(data), "--out", str(out), "--draws", "100"],
        "compare": ["compare", str(RATERS), "--data", str(data), "--out", str(out)],
    }[name]


@pytest.mark.parametrize("command", ["reproduce", "sensitivity", "compare"])
@pytest.mark.parametrize("case", CASES)
def test_every_writing_command_refuses_and_keeps_every_file(command, case, workplace, capsys):
    target, says = _refused_targets(workplace)[case]
    watched = [workplace["home"], workplace["data"], workplace["data"].parent]
    before = {str(p): tree_snapshot(p) for p in watched}
    beside = [paths.PACKAGE, paths.PACKAGE.parent, (paths.REPOSITORY or paths.PACKAGE).parent]
    beside_repo = [sorted(p.name for p in folder.iterdir()) for folder in beside]
    assert main(_command(command, workplace["data"], target)) == 2
    err = capsys.readouterr().err
    assert says in err and "nothing was written" in err and "Traceback" not in err
    assert err.startswith(f"repro: {target}"), err  # the folder as the user typed it
    after = {str(p): tree_snapshot(p) for p in watched}
    assert after == before
    # no staging folder beside the repository or in the package
    assert [sorted(p.name for p in folder.iterdir()) for folder in beside] == beside_repo


def test_refusals_name_the_files_at_stake(workplace):
    strangers = earlier_results(workplace["home"] / "out")
    for i in range(7):
        (strangers / f"mine-{i}.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputFolderError, match=r"mine-0.txt, mine-1.txt, .* and 2 more"):
        check_output_folder(strangers)


@pytest.mark.parametrize("case", ["missing", "empty", "earlier results", "a nested folder of earlier results"])
def test_allowed_folders(case, tmp_path):
    target = tmp_path / "out"
    if case == "empty":
        target.mkdir()
    elif case == "earlier results":
        earlier_results(target)
    elif case == "a nested folder of earlier results":
        # results/sensitivity as `repro reproduce` writes it: listed by the parent's manifest, none of its own.
        earlier = tmp_path / "results"
        (earlier / "sensitivity").mkdir(parents=True)
        (earlier / "sensitivity" / "claims.csv").write_text("claim\n", encoding="utf-8")
        write_manifest(earlier, {})
        target = earlier / "sensitivity"
    assert check_output_folder(target) == target
    with staged_output(target) as staging:
        (staging / "new.txt").write_text("new", encoding="utf-8")
        write_manifest(staging, {})
    assert sorted(p.name for p in target.iterdir()) == [SEAL, MANIFEST, "new.txt"]  # the seal proves the manifest ours
    staged = [p.name for p in target.parent.iterdir() if p.name.startswith(".") and p.name != SEAL]
    assert staged == []  # nothing staged left


def test_a_subfolder_rewritten_with_its_own_manifest_is_judged_by_it(tmp_path):
    results = earlier_results(tmp_path / "results")
    (results / "sensitivity").mkdir()
    (results / "sensitivity" / "claims.csv").write_text("old\n", encoding="utf-8")
    write_manifest(results, {})
    (results / "sensitivity" / "claims.csv").write_text("new\n", encoding="utf-8")  # rewritten by a later command ...
    write_manifest(results / "sensitivity", {})  # ... which wrote its own manifest
    assert files_not_ours(results) == ([], [])
    (results / "sensitivity" / "claims.csv").write_text("edited by hand\n", encoding="utf-8")
    assert files_not_ours(results) == ([], ["sensitivity/claims.csv"])


def test_a_failed_or_stopped_run_leaves_the_previous_results(tmp_path):
    target = earlier_results(tmp_path / "results")
    before = tree_snapshot(target)
    for stop in (RuntimeError("a notebook failed"), KeyboardInterrupt()):
        with pytest.raises(type(stop)):
            with staged_output(target) as staging:
                (staging / "half.txt").write_text("half", encoding="utf-8")
                raise stop
        assert tree_snapshot(target) == before
        assert [p.name for p in tmp_path.iterdir()] == ["results"]


@pytest.mark.parametrize("umask, mode", [(0o022, 0o755), (0o077, 0o700), (0o002, 0o775)])
def test_results_get_the_users_umask_permissions(umask, mode, tmp_path):
    old = os.umask(umask)
    try:
        with staged_output(tmp_path / "out") as staging:
            write_manifest(staging, {})
    finally:
        os.umask(old)
    assert (tmp_path / "out").stat().st_mode & 0o777 == mode


def test_template_never_overwrites_and_writes_nothing_when_refusing(tmp_path, capsys):
    folder = tmp_path / "my-case"
    folder.mkdir()
    (folder / "lotus.csv").write_text("my own lotus, not the template's\n", encoding="utf-8")
    before = tree_snapshot(tmp_path)
    assert main(["template", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "lotus.csv" in err and "already exists" in err and "Traceback" not in err
    assert tree_snapshot(tmp_path) == before  # not even the three files that did not exist yet


def test_template_into_the_data_folder_writes_nothing(paper_copy, capsys):
    before = tree_snapshot(paper_copy)
    assert main(["template", str(paper_copy)]) == 2
    assert tree_snapshot(paper_copy) == before
