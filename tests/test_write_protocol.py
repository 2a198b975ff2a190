"""The write protocol (repro.pipeline.outdir): ownership proven by a seal, the folder checked again at
the swap, a swap that survives SIGKILL at every step, symbolic links, and the user's key.

Worked cases: an earlier results folder holds ``figures/swot.png`` and ``report.html`` (conftest's
``earlier_results``); a new run writes ``figures/new.png``. After anything, the folder holds exactly
one of the two, and every other file beside it is as it was.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import earlier_results, tree_snapshot
from repro import ownership
from repro.cli import main
from repro.pipeline import outdir
from repro.pipeline.outdir import (MANIFEST, SEAL, OutputFolderError, check_output_folder, files_not_ours,
                                   sealed_manifest, staged_output, write_manifest)


def new_results(staging: Path) -> None:
    (staging / "figures").mkdir()
    (staging / "figures" / "new.png").write_bytes(b"a new figure")
    write_manifest(staging, {"version": "new"})


def side_folders(parent: Path, name: str) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{name}."))


# --- ownership is proven, not declared -----------------------------------------------------------

def test_a_forged_manifest_does_not_make_a_folder_replaceable(tmp_path, paper_copy, capsys):
    """A manifest that lists every file with its right hash, but was written by hand: refused by every
    command that writes (the old code replaced the folder whole)."""
    import hashlib
    import json

    forged = tmp_path / "forged"
    forged.mkdir()
    (forged / "thesis.docx").write_bytes(b"three years of work")
    listed = {"thesis.docx": {"sha256": hashlib.sha256(b"three years of work").hexdigest()}}
    (forged / MANIFEST).write_text(json.dumps({"package": "repro", "files": listed}), encoding="utf-8")
    (forged / SEAL).write_text("0" * 64 + "\n", encoding="ascii")  # a seal made up
    before = tree_snapshot(forged)
    for command in (["sensitivity", "--data", str(paper_copy), "--out", str(forged), "--draws", "100"],
                    ["compare", str(Path(__file__).parents[1] / "examples" / "rater_scores.csv"),
                     "--data", str(paper_copy), "--out", str(forged)]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert "not sealed by your repro" in err and "nothing was written" in err and "Traceback" not in err
    assert tree_snapshot(forged) == before


def test_results_sealed_by_another_user_are_refused(tmp_path, monkeypatch):
    """Another user's key (another state folder) seals nothing this user's repro accepts."""
    folder = tmp_path / "theirs"
    with monkeypatch.context() as other_user:
        other_user.setenv("XDG_STATE_HOME", str(tmp_path / "another-users-state"))
        earlier_results(folder)
        assert sealed_manifest(folder) is not None  # theirs, under their key
    assert sealed_manifest(folder) is None and files_not_ours(folder) is None
    with pytest.raises(OutputFolderError, match="not sealed by your repro"):
        check_output_folder(folder)


def test_a_changed_seal_or_manifest_is_not_ours(tmp_path):
    folder = earlier_results(tmp_path / "results")
    assert files_not_ours(folder) == ([], [])
    (folder / MANIFEST).write_text((folder / MANIFEST).read_text(encoding="utf-8").replace("0.1.0", "0.1.1"),
                                   encoding="utf-8")
    assert files_not_ours(folder) is None  # the seal no longer checks out


def test_a_folder_or_link_added_to_earlier_results_is_somebodys(tmp_path):
    folder = earlier_results(tmp_path / "results")
    (folder / "my-notes").mkdir()
    assert files_not_ours(folder) == (["my-notes/"], [])
    (folder / "my-notes").rmdir()
    (folder / "figures" / "link.png").symlink_to(tmp_path / "elsewhere.png")
    assert files_not_ours(folder) == (["figures/link.png"], [])
    with pytest.raises(OutputFolderError, match="figures/link.png"):
        check_output_folder(folder)


# --- checked again just before the swap ----------------------------------------------------------

def test_a_file_that_appears_during_the_run_is_kept(tmp_path):
    out = earlier_results(tmp_path / "results")
    old = tree_snapshot(out)
    target = check_output_folder(out)
    with pytest.raises(OutputFolderError) as refusal:
        with staged_output(target) as staging:
            new_results(staging)
            (out / "notes.txt").write_text("written while repro ran", encoding="utf-8")  # the user, meanwhile
    message = str(refusal.value)
    assert "notes.txt" in message and "appeared while repro was running" in message
    assert str(out.with_name("results.new")) in message
    assert tree_snapshot(out) == {**old, "notes.txt": tree_snapshot(out)["notes.txt"]}  # nothing of it changed
    assert (out / "notes.txt").read_text(encoding="utf-8") == "written while repro ran"
    kept = out.with_name("results.new")
    assert (kept / "figures" / "new.png").read_bytes() == b"a new figure" and sealed_manifest(kept) is not None
    assert side_folders(tmp_path, "results") == []


def test_a_file_written_into_the_old_results_as_they_are_swapped_undoes_the_swap(tmp_path, monkeypatch):
    """Step 4: a process writing into the old folder at the very moment of the exchange (its working
    directory is there, say) is noticed after the exchange, and the exchange is undone."""
    out = earlier_results(tmp_path / "results")
    old = tree_snapshot(out)
    target = check_output_folder(out)

    def meanwhile(step):
        if step == "exchanged":  # the old results now sit at the staging folder's name
            (old_folder,) = [p for p in tmp_path.iterdir() if p.name.startswith(".results.partial-")]
            (old_folder / "late.txt").write_text("late", encoding="utf-8")

    monkeypatch.setattr(outdir, "_checkpoint", meanwhile)
    if not outdir._renameat2():
        pytest.skip("no renameat2 on this system: the exchange step does not exist")
    with pytest.raises(OutputFolderError, match="changed as the new results were put in place"):
        with staged_output(target) as staging:
            new_results(staging)
    assert tree_snapshot(out) == {**old, "late.txt": tree_snapshot(out)["late.txt"]}
    assert (tmp_path / "results.new" / "figures" / "new.png").exists()


def test_a_cli_run_refuses_at_the_swap_and_exits_2(tmp_path, paper_copy, monkeypatch, capsys):
    """repro sensitivity: a file the user puts into the folder while the draws are made is kept, with exit
    code 2 (the old code replaced the folder and exited 0)."""
    import repro.methods.sensitivity as sensitivity

    out = tmp_path / "sens"
    assert main(["sensitivity", "--data", str(paper_copy), "--out", str(out), "--draws", "100"]) == 0
    analyse = sensitivity.analyse

    def analyse_while_the_user_writes(*args, **kwargs):
        (out / "my-table.xlsx").write_bytes(b"the user's table")
        return analyse(*args, **kwargs)

    monkeypatch.setattr(sensitivity, "analyse", analyse_while_the_user_writes)
    capsys.readouterr()
    assert main(["sensitivity", "--data", str(paper_copy), "--out", str(out), "--draws", "100"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "my-table.xlsx" in err and "sens.new" in err
    assert (out / "my-table.xlsx").read_bytes() == b"the user's table"
    assert (tmp_path / "sens.new" / "claims.csv").exists()


# --- crash-safe swap -----------------------------------------------------------------------------

CHILD = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from repro.pipeline import outdir

    step, out, fallback = sys.argv[1], Path(sys.argv[2]), sys.argv[3] == "fallback"

    def stop_at(name):
        if name == step:
            os.kill(os.getpid(), signal.SIGKILL)

    outdir._checkpoint = stop_at
    if fallback:
        outdir._exchange = lambda a, b: False
    target = outdir.check_output_folder(out)
    with outdir.staged_output(target) as staging:
        (staging / "figures").mkdir()
        (staging / "figures" / "new.png").write_bytes(b"a new figure")
        outdir._checkpoint("half written")
        outdir.write_manifest(staging, {"version": "new"})
    print("finished")
""")

EXCHANGE_STEPS = ["staged", "half written", "written", "locked", "exchanged", "removed"]
FALLBACK_STEPS = ["staged", "half written", "written", "locked", "moved old", "moved new", "removed"]
FIRST_RUN_STEPS = ["staged", "half written", "written", "locked", "renamed"]
#: From this step on, the new results are (or are to be) in place.
NEW_FROM = {"exchange": "exchanged", "fallback": "moved new", "first": "renamed"}


def run_child(step: str, out: Path, how: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CHILD, step, str(out), how], capture_output=True, text=True,
                          timeout=120)


def results_state(out: Path) -> str:
    """Which complete results ``out`` holds: "old", "new" or "missing"."""
    if not out.exists():
        return "missing"
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != SEAL)
    assert files_not_ours(out) == ([], []), "the results at --out are not whole"
    if files == ["figures/swot.png", MANIFEST, "report.html"]:
        return "old"
    assert files == ["figures/new.png", MANIFEST], files
    return "new"


@pytest.mark.parametrize("how, step", [("exchange", s) for s in EXCHANGE_STEPS] + [("fallback", s) for s in FALLBACK_STEPS]
                         + [("first", s) for s in FIRST_RUN_STEPS])
def test_sigkill_at_any_step_loses_nothing_and_the_next_run_tidies_up(how, step, tmp_path):
    if how == "exchange" and not outdir._renameat2():
        pytest.skip("no renameat2 on this system")
    out = tmp_path / "results"
    if how != "first":
        earlier_results(out)
    (tmp_path / "thesis.docx").write_bytes(b"three years of work")  # the user's file beside the results
    done = run_child(step, out, how)
    assert done.returncode == -signal.SIGKILL, done.stderr
    steps = {"exchange": EXCHANGE_STEPS, "fallback": FALLBACK_STEPS, "first": FIRST_RUN_STEPS}[how]
    swapped = steps.index(step) >= steps.index(NEW_FROM[how])
    state = results_state(out)
    if how == "fallback" and step == "moved old":
        assert state == "missing" and len(side_folders(tmp_path, "results")) == 2  # the old ones beside it
    else:
        assert state == ("new" if swapped else "missing" if how == "first" else "old")
    notes = []
    check_output_folder(out, note=notes.append)  # what the next run does first
    expected_after = "new" if swapped else ("missing" if how == "first" else "old")
    assert results_state(out) == expected_after
    assert side_folders(tmp_path, "results") == [], notes
    assert (tmp_path / "thesis.docx").read_bytes() == b"three years of work"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["thesis.docx"] + (["results"] if expected_after != "missing" else []))
    if how == "fallback" and step == "moved old":
        assert any("restored the previous results" in n for n in notes)
    # and the next run completes
    assert run_child("never", out, how).stdout.strip() == "finished"
    assert results_state(out) == "new" and side_folders(tmp_path, "results") == []


LIVE_CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from repro.pipeline import outdir

    out, ready, go = map(Path, sys.argv[1:4])
    target = outdir.check_output_folder(out)
    with outdir.staged_output(target) as staging:
        outdir.write_manifest(staging, {"version": "new"})
        ready.write_text("ready")
        while not go.exists():
            time.sleep(0.02)
    print("finished")
""")


def test_the_staging_folder_of_a_live_run_is_left_alone(tmp_path):
    out = earlier_results(tmp_path / "results")
    ready, go = tmp_path / "ready", tmp_path / "go"
    child = subprocess.Popen([sys.executable, "-c", LIVE_CHILD, str(out), str(ready), str(go)],
                             stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        live = side_folders(tmp_path, "results")
        assert len(live) == 1
        check_output_folder(out)  # another run starts meanwhile
        assert side_folders(tmp_path, "results") == live  # the live run's folder is untouched
        go.write_text("go")
        assert child.communicate(timeout=60)[0].strip() == "finished"
    finally:
        child.kill()
    assert side_folders(tmp_path, "results") == []


def test_side_folders_not_provably_ours_are_left_alone(tmp_path):
    out = earlier_results(tmp_path / "results")
    lookalike = tmp_path / f".results.partial-{'0' * 16}-{'0' * 32}"  # the right shape, a made-up seal
    lookalike.mkdir()
    (lookalike / "keep.txt").write_text("not repro's", encoding="utf-8")
    (tmp_path / ".results.old-mine").mkdir()
    check_output_folder(out)
    assert sorted(side_folders(tmp_path, "results")) == [".results.old-mine", lookalike.name]


# --- symbolic links ------------------------------------------------------------------------------

def test_out_as_a_link_to_a_folder_is_followed_and_the_link_kept(tmp_path, paper_copy):
    real = earlier_results(tmp_path / "elsewhere" / "results")
    link = tmp_path / "results"
    link.symlink_to(real)
    assert main(["sensitivity", "--data", str(paper_copy), "--out", str(link), "--draws", "100"]) == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert sorted(p.name for p in real.iterdir()) == [SEAL, "claims.csv", MANIFEST, "sensitivity.json"]
    assert side_folders(tmp_path, "results") == [] and side_folders(real.parent, "results") == []


def test_out_as_a_dangling_link_is_refused(tmp_path, paper_copy, capsys):
    link = tmp_path / "results"
    link.symlink_to(tmp_path / "nowhere" / "results")
    assert main(["sensitivity", "--data", str(paper_copy), "--out", str(link), "--draws", "100"]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["paper", "results"] and not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("name, options", [("swot.csv", []), ("analysis.xlsx", ["--workbook"])])
def test_template_never_writes_through_a_dangling_link(tmp_path, capsys, name, options):
    folder = tmp_path / "my-case"
    folder.mkdir()
    outside = tmp_path / "outside" / "victim"
    outside.parent.mkdir()
    (folder / name).symlink_to(outside)  # points nowhere yet
    assert main(["template", str(folder), *options]) == 2
    assert f"{name}: already exists" in capsys.readouterr().err
    assert not outside.exists() and sorted(p.name for p in folder.iterdir()) == [name]


def test_template_into_a_linked_folder_writes_there(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "case").symlink_to(real)
    assert main(["template", str(tmp_path / "case")]) == 0
    assert sorted(p.name for p in real.iterdir()) == ["claims.csv", "datapackage.json", "force_field.csv",
                                                       "lotus.csv", "swot.csv"]


@pytest.mark.parametrize("workbook, taken", [(False, "claims.csv"), (True, "datapackage.json")])
def test_template_writes_all_files_or_none(tmp_path, monkeypatch, workbook, taken):
    """A file's name taken between the check and the rename (the fourth CSV file's; with --workbook,
    datapackage.json after analysis.xlsx): the files renamed before it are taken back."""
    from repro.pipeline import template

    folder = tmp_path / "case"
    rename = outdir._rename_no_replace

    def someone_is_faster(source, target):
        if target.name == taken:
            target.write_text("the user's file", encoding="utf-8")
        return rename(source, target)

    monkeypatch.setattr(outdir, "_rename_no_replace", someone_is_faster)
    with pytest.raises(template.AnalysisError, match=taken):
        template.write_template(folder, workbook=workbook)
    assert sorted(p.name for p in folder.iterdir()) == [taken]
    assert (folder / taken).read_text(encoding="utf-8") == "the user's file"


# --- the committed reference ---------------------------------------------------------------------

def git(folder: Path, *arguments: str) -> None:
    subprocess.run(["git", "-C", str(folder), *arguments], check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t"})


def test_a_reference_git_holds_unchanged_may_be_replaced_and_nothing_else(tmp_path):
    """The rule for the committed reference/: on a fresh clone it is not sealed by this user, but git
    gives back every file of it, so `repro verify --update` may replace it; not so once a file is
    added or edited."""
    repository = tmp_path / "clone"
    reference = repository / "reference"
    reference.mkdir(parents=True)
    (reference / "README.md").write_text("the reference\n", encoding="utf-8")
    (reference / MANIFEST).write_text('{"package": "repro", "files": {}}\n', encoding="utf-8")
    git(repository, "init", "-q")
    git(repository, "add", ".")
    git(repository, "commit", "-qm", "reference")
    assert check_output_folder(reference, tracked_by_git=True) == reference
    with pytest.raises(OutputFolderError, match="not sealed by your repro"):
        check_output_folder(reference)  # any other command: not the user's
    (reference / "extra.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputFolderError):
        check_output_folder(reference, tracked_by_git=True)
    (reference / "extra.txt").unlink()
    (reference / "README.md").write_text("edited\n", encoding="utf-8")
    with pytest.raises(OutputFolderError):
        check_output_folder(reference, tracked_by_git=True)


# --- the user's key ------------------------------------------------------------------------------

def test_the_key_is_made_private_on_first_need(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    key_file = tmp_path / "state" / "repro" / "owner.key"
    assert not key_file.exists()
    earlier_results(tmp_path / "results")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert len(key_file.read_bytes()) == ownership.KEY_BYTES


def test_a_key_others_can_read_is_refused_with_the_fix(tmp_path, monkeypatch, paper_copy, capsys):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    ownership.user_key()
    key_file = ownership.key_path()
    key_file.chmod(0o644)
    assert main(["sensitivity", "--data", str(paper_copy), "--out", str(tmp_path / "out"), "--draws", "100"]) == 2
    err = capsys.readouterr().err
    assert f"chmod 600 {key_file}" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_key_of_another_user_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    ownership.user_key()
    os.chown(ownership.key_path(), 65534, 65534)
    with pytest.raises(ownership.OwnershipKeyError, match="belongs to another user"):
        ownership.user_key()


def test_no_home_and_no_state_folder_is_a_message(monkeypatch, tmp_path, paper_copy, capsys):
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.delenv("HOME")
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: (_ for _ in ()).throw(RuntimeError("no home"))))
    assert main(["sensitivity", "--data", str(paper_copy), "--out", str(tmp_path / "out"), "--draws", "100"]) == 2
    assert "XDG_STATE_HOME" in capsys.readouterr().err


# --- umask and the staging folder ----------------------------------------------------------------

def test_side_folders_are_named_by_a_seal(tmp_path):
    out = tmp_path / "results"
    seen = []
    with staged_output(out) as staging:
        seen.append(staging.name)
        write_manifest(staging, {})
    assert outdir._ours_by_name(tmp_path / seen[0], out)
    assert not outdir._ours_by_name(tmp_path / seen[0], tmp_path / "other")  # sealed for its target only
    forged = seen[0][:-1] + ("0" if seen[0][-1] != "0" else "1")
    assert not outdir._ours_by_name(tmp_path / forged, out)


def test_nothing_is_written_beside_the_output_folder_but_it(tmp_path, small_analysis):
    """A guard on the protocol's promise: nothing but the named folder (and its side folders, gone
    afterwards) is written; the data folder and everything beside the output stay as they were."""
    beside = tmp_path / "beside.txt"
    beside.write_text("mine", encoding="utf-8")
    before = {"data": tree_snapshot(small_analysis), "parent": sorted(p.name for p in tmp_path.iterdir())}
    assert main(["sensitivity", "--data", str(small_analysis), "--out", str(tmp_path / "out"), "--draws", "100"]) == 0
    assert tree_snapshot(small_analysis) == before["data"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(before["parent"] + ["out"])


TERM_CHILD = textwrap.dedent("""
    import os, signal, sys
    from repro.cli import main
    from repro.pipeline import outdir

    step = sys.argv[1]

    def stop_at(name):
        if name == step:
            os.kill(os.getpid(), signal.SIGTERM)

    outdir._checkpoint = stop_at
    sys.exit(main(sys.argv[2:]))
""")


@pytest.mark.parametrize("step", ["staged", "written"])
@pytest.mark.parametrize("command", ["sensitivity", "compare"])
def test_sigterm_while_writing_leaves_no_partial_folder(command, step, tmp_path, paper_copy):
    """The old code left `.out.partial-*` behind when SIGTERM came while compare or sensitivity wrote."""
    out = earlier_results(tmp_path / "out")
    before = tree_snapshot(out)
    argv = {"sensitivity": ["sensitivity", "--data", str(paper_copy), "--out", str(out), "--draws", "100"],
            "compare": ["compare", str(Path(__file__).parents[1] / "examples" / "rater_scores.csv"),
                        "--data", str(paper_copy), "--out", str(out)]}[command]
    done = subprocess.run([sys.executable, "-c", TERM_CHILD, step, *argv], capture_output=True, text=True, timeout=120)
    assert done.returncode == 128 + signal.SIGTERM, done.stderr
    assert done.stderr.strip() == "repro: stopped by SIGTERM; nothing unfinished was left behind."
    assert side_folders(tmp_path, "out") == [] and tree_snapshot(out) == before


def test_a_pipe_in_place_of_a_manifest_or_seal_does_not_hang(tmp_path):
    """Reading a FIFO waits for a writer forever: a stranger's pipe called manifest.json is refused at once."""
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / MANIFEST)
    os.mkfifo(out / SEAL)
    done = subprocess.run([sys.executable, "-c", "from repro.pipeline.outdir import check_output_folder as c; "
                           f"c({str(out)!r})"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "OutputFolderError" in done.stderr and "not written by repro" in done.stderr
