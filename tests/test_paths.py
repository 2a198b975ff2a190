"""Paths as typed: the README's student commands run verbatim from a folder whose name has a space and
Cyrillic letters; relative and absolute paths work from any working directory; outputs name folders
without absolute paths."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest

from conftest import REPOSITORY, repro_executable, tree_snapshot
from repro import paths

STUDENT_SECTION = "### Your own analysis (students)"


def readme_student_commands() -> list[str]:
    """The shell lines of the README's first code block under "Your own analysis (students)", with
    `.venv/bin/repro` replaced by this environment's `repro`; comment lines dropped."""
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    section = readme.split(STUDENT_SECTION, 1)[1]
    block = re.search(r"```(?:bash|sh)?\n(.*?)```", section, re.S).group(1)
    lines = [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [line.replace(".venv/bin/repro", shlex.quote(repro_executable())) for line in lines]


def run(command: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True, timeout=900)


def test_readme_student_commands_run_verbatim_in_a_cyrillic_folder_with_a_space(tmp_path):
    home = tmp_path / "мой анализ"
    home.mkdir()
    commands = readme_student_commands()
    assert any(" reproduce " in c and "--data" in c for c in commands)  # the command that once failed
    case = None
    for command in commands:
        done = run(command, home)
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        assert done.stderr == "", f"{command} printed to stderr:\n{done.stderr}"  # quiet success
        if " template " in command:
            case = home / shlex.split(command)[2]
            inputs = tree_snapshot(case)
    assert case is not None and tree_snapshot(case) == inputs  # every input file only ever read
    results = [home / shlex.split(c)[shlex.split(c).index("--out") + 1] for c in commands if " reproduce " in c][0]
    html = (results / "report.html").read_text(encoding="utf-8")
    assert "My analysis" in html  # the template's own title, not the paper's
    assert "Жолдыбаев" not in html and "Zholdybayev" not in html
    assert str(tmp_path) not in html and str(tmp_path) not in (results / "manifest.json").read_text(encoding="utf-8")


@pytest.fixture
def cyrillic_case(tmp_path, paper_copy) -> Path:
    folder = tmp_path / "мой анализ" / "мои данные"
    folder.parent.mkdir()
    paper_copy.rename(folder)
    return folder


@pytest.mark.parametrize("spelling", ["validate --data {path}", "validate {path}", "summary --data {path}",
                                      "summary {path}"])
@pytest.mark.parametrize("where", ["absolute", "relative from elsewhere"])
def test_analysis_folder_by_any_path(spelling, where, cyrillic_case, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    path = cyrillic_case if where == "absolute" else Path("..") / cyrillic_case.relative_to(tmp_path)
    done = run(f"{shlex.quote(repro_executable())} {spelling.format(path=shlex.quote(str(path)))}", elsewhere)
    assert done.returncode == 0, done.stderr
    assert str(path) in done.stdout  # the folder named as the user typed it


def test_two_different_folders_are_refused(cyrillic_case, tmp_path):
    done = run(f"{shlex.quote(repro_executable())} validate {shlex.quote(str(cyrillic_case))} --data {tmp_path}", tmp_path)
    assert done.returncode == 2 and "two analysis folders given" in done.stderr and "Traceback" not in done.stderr


def test_outputs_name_folders_relative_to_the_repository_or_by_name(tmp_path):
    assert paths.shown_folder(paths.PAPER_DATA) == "data"
    assert paths.shown_folder(paths.EXAMPLES / "tutorial") == "examples/tutorial"
    assert paths.shown_folder(tmp_path / "мой анализ") == "мой анализ"
