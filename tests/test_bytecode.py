"""The set-up compiles the files a reproduction imports (requirements-imports.txt): the list names files
that exist in the locked environment, and compiling skips what is missing or already compiled."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import repro
from conftest import REPOSITORY
from repro.bytecode import compile_files, listed_files, site_packages

LISTING = REPOSITORY / "requirements-imports.txt"


def test_every_listed_file_is_in_the_environment():
    """Fails after a change of the lock until `make imports-list` remakes the list."""
    lines = [line for line in LISTING.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    assert lines == sorted(set(lines))
    missing = [p for p in listed_files(LISTING) if not p.is_file()]
    assert not missing, f"{len(missing)} listed files are not installed (run make imports-list), e.g. {missing[:3]}"
    # What every reproduction imports: the kernel, the notebooks' runner, the figures, the validator.
    for module in ("ipykernel/kernelapp.py", "papermill/__init__.py", "matplotlib/pyplot.py", "pandas/__init__.py",
                   "frictionless/__init__.py"):
        assert module in lines
    assert all((site_packages() / line).suffix == ".py" for line in lines)
    # Only the lock's packages: a file of a package some other tool left in this environment would be
    # missing from every environment built from the lock (as setuptools' _distutils_hack once was).
    from importlib.metadata import packages_distributions

    from repro.bytecode import _from_the_lock, locked_distributions
    locked, owners = locked_distributions(REPOSITORY / "requirements.lock"), packages_distributions()
    assert [line for line in lines if not _from_the_lock(line, locked, owners)] == []


def test_compiling_writes_the_bytecode_of_existing_files_only(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("A = 1\n")
    (tmp_path / "pkg" / "b.py").write_text("B = 2\n")
    listing = tmp_path / "list.txt"
    listing.write_text("# comment\npkg/a.py\npkg/b.py\npkg/gone.py\n")
    files = listed_files(listing, root=tmp_path)
    assert compile_files(files, workers=2) == (2, 1)
    for name in ("a", "b"):
        cached = importlib.util.cache_from_source(str(tmp_path / "pkg" / f"{name}.py"))
        assert Path(cached).is_file()
    stamp = (tmp_path / "pkg" / "__pycache__").stat().st_mtime_ns
    assert compile_files(files, workers=1) == (2, 1)  # up to date: nothing rewritten
    assert (tmp_path / "pkg" / "__pycache__").stat().st_mtime_ns == stamp


def test_only_files_of_locked_distributions_are_listed(tmp_path):
    from repro.bytecode import _from_the_lock, locked_distributions

    lock = tmp_path / "requirements.lock"
    lock.write_text("# pinned\nPyYAML==6.0.2 \\\n    --hash=sha256:00\njupyter_client==8.6.3 \\\n    --hash=sha256:11\n")
    locked = locked_distributions(lock)
    assert locked == {"pyyaml", "jupyter-client"}
    owners = {"yaml": ["PyYAML"], "jupyter_client": ["jupyter_client"], "_distutils_hack": ["setuptools"]}
    assert _from_the_lock("yaml/loader.py", locked, owners)
    assert _from_the_lock("jupyter_client/manager.py", locked, owners)
    assert not _from_the_lock("_distutils_hack/__init__.py", locked, owners)  # setuptools is not in the lock
    assert not _from_the_lock("unknown/__init__.py", locked, owners)


def test_the_set_up_compiles_this_packages_own_modules_too():
    from repro.bytecode import own_modules

    modules = {p.relative_to(Path(repro.__file__).parent).as_posix() for p in own_modules()}
    # what every process of a reproduction imports: the command and the kernels
    assert {"cli.py", "pipeline/reproduce.py", "pipeline/notebook_engine.py", "pipeline/in_kernel.py",
            "figures/common.py"} <= modules
    assert all(p.suffix == ".py" and p.is_file() for p in own_modules())
