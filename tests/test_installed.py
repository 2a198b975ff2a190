"""The installed tool is the tool: the wheel and the sdist build, the wheel carries everything the
package reads at run time, and, installed into a fresh virtual environment, it works from a folder
outside the clone as the README's student and reviewer use it. Also: every import declared (deptry),
and one version everywhere."""

from __future__ import annotations

import json
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from installing import REPOSITORY, build, clean_environment, install

import repro


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    return build(tmp_path_factory.mktemp("dist"))


def test_the_wheel_carries_what_the_package_reads_and_the_sdist_the_clones_files(built):
    wheel, sdist = built
    names = set(zipfile.ZipFile(wheel).namelist())
    # The top-level folders, copied in at build time from their single source.
    for folder in ("data", "notebooks", "reference", "examples"):
        source = sorted(p.relative_to(REPOSITORY).as_posix() for p in (REPOSITORY / folder).rglob("*")
                        if p.is_file() and not _ignored(p))
        assert source, folder
        assert {f"repro/_bundle/{rel}" for rel in source} <= names, folder
    assert "repro/pipeline/templates/report.html.j2" in names
    # every language's message catalogue (repro.i18n reads the .po files themselves)
    catalogues = sorted(p.relative_to(REPOSITORY / "src").as_posix() for p in (REPOSITORY / "src/repro/locale").rglob("*.po"))
    assert len(catalogues) >= 2 and set(catalogues) <= names, catalogues
    assert not [n for n in names if "__pycache__" in n or ".ipynb_checkpoints" in n]
    metadata = zipfile.ZipFile(wheel).read(f"repro-{repro.__version__}.dist-info/METADATA").decode()
    assert "Requires-Python: >=3.11\n" in metadata
    for classifier in ("Programming Language :: Python :: 3.13", "Framework :: Jupyter"):
        assert f"Classifier: {classifier}\n" in metadata
    assert "Keywords: " in metadata
    with tarfile.open(sdist) as archive:
        members = {m.split("/", 1)[1] for m in archive.getnames() if "/" in m}
    assert {"pyproject.toml", "requirements.lock", "Makefile", "data/datapackage.json", "tests/conftest.py",
            "reference/manifest.json", "src/repro/__init__.py"} <= members


def _ignored(path: Path) -> bool:
    return subprocess.run(["git", "-C", str(REPOSITORY), "check-ignore", "-q", str(path)]).returncode == 0


def test_the_installed_wheel_works_from_a_folder_outside_the_clone(built, tmp_path):
    wheel, _ = built
    bin_dir = install(sys.executable, tmp_path / "venv", wheel)
    home = tmp_path / "мой анализ"  # a user's folder, far from the clone
    home.mkdir()
    env = clean_environment()

    def repro_command(*args: str, ok: tuple[int, ...] = (0,)) -> str:
        done = subprocess.run([str(bin_dir / "repro"), *args], cwd=home, env=env, capture_output=True, text=True,
                              timeout=900)
        assert done.returncode in ok, f"repro {' '.join(args)}: {done.returncode}\n{done.stdout}\n{done.stderr}"
        assert done.stderr == "", f"repro {' '.join(args)} printed to stderr:\n{done.stderr}"  # quiet success
        return done.stdout

    where = subprocess.run([str(bin_dir / "python"), "-c", "import repro.paths as p; print(p.REPOSITORY, p.PACKAGE)"],
                           cwd=home, env=env, capture_output=True, text=True, check=True).stdout.split()
    assert where[0] == "None" and Path(where[1]).is_relative_to(tmp_path / "venv")  # the wheel's, not the clone's

    assert repro_command("--version").strip() == f"repro {repro.__version__}"
    assert "OK: " in repro_command("validate")  # the paper's own data, from inside the package
    repro_command("template", "mine")
    assert "OK: mine holds" in repro_command("validate", "--data", "mine")
    # A student's workbook: written by openpyxl, read back through pandas by calamine (both installed
    # with the wheel), and one LibreOffice Calc saved as .ods.
    repro_command("template", "book", "--workbook")
    assert "OK: book holds" in repro_command("validate", "--data", "book")
    ods = home / "ods"
    ods.mkdir()
    clients = REPOSITORY / "tests" / "fixtures" / "clients"
    shutil.copyfile(clients / "libreoffice" / "template.ods", ods / "template.ods")
    shutil.copyfile(clients / "sources" / "template" / "datapackage.json", ods / "datapackage.json")
    assert "OK: ods holds" in repro_command("validate", "--data", "ods")
    repro_command("reproduce", "--data", "mine", "--out", "mine-results")
    assert (home / "mine-results" / "report.html").is_file()
    repro_command("sensitivity", "--data", "mine", "--out", "mine-sensitivity", "--draws", "2000")
    assert (home / "mine-sensitivity" / "claims.csv").is_file()
    raters = home / "raters.csv"
    raters.write_text((REPOSITORY / "examples" / "rater_scores.csv").read_text(encoding="utf-8"), encoding="utf-8")
    repro_command("compare", "raters.csv", "--out", "compare-results")
    assert json.loads((home / "compare-results" / "compare.json").read_text(encoding="utf-8"))
    # The paper, reproduced from the installed package and verified against its own reference.
    repro_command("reproduce", "--out", "results")
    manifest = json.loads((home / "results" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["data_folder"] == "data"  # named as in the clone, wherever the package is installed
    verified = repro_command("verify", "results")
    # On the Python the reference was made with, identical; on another, its notebooks record another
    # kernel version, and they are equivalent within the tolerance. Nothing differs, either way.
    assert re.search(r"^\d+ identical, \d+ equivalent within tolerance, 0 differ", verified, re.M), verified
    if platform.python_version() == _reference_python():
        n_files = len(json.loads((REPOSITORY / "reference" / "manifest.json").read_text(encoding="utf-8"))["expected"])
        assert re.search(rf"^{n_files} identical, 0 equivalent within tolerance, 0 differ", verified, re.M), verified
        repro_command("verify", "--exact", "results")
    # Nothing was written into the installed package, and the reference there is refused as an output.
    refused = subprocess.run([str(bin_dir / "repro"), "verify", "--update", "results"], cwd=home, env=env,
                             capture_output=True, text=True)
    assert refused.returncode == 2 and "installed from a wheel" in refused.stderr and "Traceback" not in refused.stderr


def _reference_python() -> str:
    notebook = json.loads((REPOSITORY / "reference" / "results" / "notebooks" / "overview.ipynb").read_text(encoding="utf-8"))
    return notebook["metadata"]["language_info"]["version"]


def test_every_import_is_declared_and_every_declaration_used():
    deptry = Path(sys.executable).with_name("deptry")
    done = subprocess.run([str(deptry), "."], cwd=REPOSITORY, capture_output=True, text=True, env=clean_environment())
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_version_has_one_source():
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["hatch"]["version"]["path"] == "src/repro/__init__.py"
    from importlib.metadata import version

    assert version("repro") == repro.__version__
    citation = (REPOSITORY / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(r"^version: (\S+)$", citation, re.M).group(1) == repro.__version__
