"""The project keeps its own promises: pinned environment, matching conda file, the two commands, and a
set-up that installs exactly the hashed lock with uv, or with pip where uv cannot be had."""

import os
import re
import shutil
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import REPOSITORY as ROOT
# A make that runs the tests (`make test UV=false`) passes its variables down in the first four, and a
# shell may set the Makefile's own knobs; the Makefile under test must see none of them.
NOT_PASSED_TO_MAKE = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "UV", "JOBS", "PYTHON")


def make_environment(**extra: str) -> dict[str, str]:
    """This process's environment as a fresh shell would give it to make, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_PASSED_TO_MAKE and not k.startswith("STUB_")}
    return env | extra


def _normalised(name: str) -> str:
    """A package's name as PyPI compares names (PEP 503): conda's jupyter_client is PyPI's jupyter-client."""
    return re.sub(r"[-_.]+", "-", name).lower()


def direct_dependencies() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = project["dependencies"] + [d for extra in project["optional-dependencies"].values() for d in extra]
    return [_normalised(re.split(r"[<>=!~ ;\[]", n)[0]) for n in names]


def test_environment_yml_names_the_same_direct_dependencies_at_the_locked_versions():
    lock = (ROOT / "requirements.lock").read_text()
    conda_file = (ROOT / "environment.yml").read_text()
    pinned = re.findall(r"^\s+- ([A-Za-z0-9_.-]+)=([^\s=]+)$", conda_file, re.M)       # conda-forge: name=version
    pinned += re.findall(r"^\s+- ([A-Za-z0-9_.-]+)==([^\s=]+)$", conda_file, re.M)     # its pip section: name==version
    conda = {_normalised(name): version for name, version in pinned}
    conda.pop("python")
    assert sorted(conda) == sorted(direct_dependencies())
    for name, version in conda.items():
        assert re.search(rf"^{re.escape(name)}=={re.escape(version)} ", lock, re.M | re.I), name


def test_lock_pins_every_package_exactly_with_hashes_for_every_python_from_3_11():
    lock = (ROOT / "requirements.lock").read_text()
    requirements = [line for line in lock.splitlines() if line and not line.startswith((" ", "#"))]
    assert len(requirements) > 50  # direct and transitive
    # One universal lock: a pin may carry a marker saying where it applies (a Python version, a platform).
    assert all(re.match(r"^[A-Za-z0-9_.-]+==[^\s;]+( ; [^\\]+)? \\$", line) for line in requirements), requirements[:3]
    assert lock.count("--hash=sha256:") >= len(requirements)
    for name in direct_dependencies():
        assert re.search(rf"^{re.escape(name)}==", lock, re.M | re.I), name
    # Resolved for every Python from 3.11 on, as pyproject.toml allows: no pin is left out of any of them.
    from packaging.markers import Marker

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
    for python in ("3.11.7", "3.12.1", "3.13.0"):
        environment = {"python_version": python.rsplit(".", 1)[0], "python_full_version": python,
                       "sys_platform": "linux", "os_name": "posix", "implementation_name": "cpython",
                       "platform_machine": "x86_64", "platform_system": "Linux", "platform_python_implementation": "CPython"}
        applying = {_normalised(line.split("==")[0]) for line in requirements
                    if " ; " not in line or Marker(line.split(" ; ")[1].rstrip(" \\")).evaluate(environment)}
        assert set(direct_dependencies()) <= applying, python


def test_readme_leads_with_the_two_commands_and_ci_runs_the_test_command():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```")[1]
    assert "make reproduce" in first_block and "make test" in first_block
    # A command, not a mention in a comment, and nothing weaker (no -k, no selected files).
    ci_commands = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
                   if line.strip() and not line.lstrip().startswith("#")]
    assert "make test" in ci_commands
    # Beside it only the same suite on the other Pythons (the lock's is make test's).
    assert not [c for c in ci_commands if c.startswith("make") and c not in ("make test", "make test-pythons SKIP_PYTHONS=3.11")], ci_commands
    assert "make test-pythons SKIP_PYTHONS=3.11" in ci_commands


def test_binder_files_install_the_package():
    assert "pip install --no-deps -e ." in (ROOT / "postBuild").read_text()


# --- the Makefile's set-up, run for real against stand-ins for python and uv ------------------------

# One script plays python3.11, the environment's python and uv (it tells them apart by the name it is
# called by). It writes every call to $CALLS and acts out what the Makefile relies on; the STUB_*
# variables make one step fail.
STAND_IN = '''#!{python}
import os, shutil, sys
from pathlib import Path

me, args = Path(sys.argv[0]), sys.argv[1:]
with open(os.environ["CALLS"], "a") as calls:
    calls.write(" ".join([me.name, *args]) + "\\n")
command = " ".join(args)


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


if me.name == "uv":
    if command == "--version":
        print("uv (stand-in)")
    elif command.startswith("pip sync") and os.environ.get("STUB_UV_SYNC") == "fail":
        fail("error: uv could not reach the index")
elif command.startswith("-m venv --without-pip"):
    (Path(args[-1]) / "bin").mkdir(parents=True)
    shutil.copy(me, Path(args[-1]) / "bin" / "python")
elif command.startswith("-m pip install") and "--target" in args:
    if os.environ.get("STUB_UV_WHEEL") == "missing":
        fail("ERROR: No matching distribution found for uv")
    with open(os.environ["CALLS"], "a") as calls:
        calls.write("uv requirement: " + Path(args[args.index("-r") + 1]).read_text())
    target = Path(args[args.index("--target") + 1]) / "bin"
    target.mkdir(parents=True)
    shutil.copy(me, target / "uv")
elif command.startswith("-m pip install") and os.environ.get("STUB_PIP") == "fail":
    fail("ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE.")
'''


def run_make_env(folder: Path, *make_args: str, cache: Path | None = None,
                 **stub_env: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    """`make env` in `folder` (a copy of the Makefile, the lock and pyproject.toml) with the stand-ins,
    the user's cache folder (where uv is kept) at `cache` (default: `folder/cache`).

    Returns make's result and the calls the stand-ins received, one line each, paths as make gave them.
    """
    stub_env.setdefault("XDG_CACHE_HOME", str(cache or folder / "cache"))
    for name in ("Makefile", "requirements.lock", "requirements-imports.txt", "pyproject.toml"):
        shutil.copy(ROOT / name, folder / name)
    stand_in = folder / "stand-in" / "python3.11"
    stand_in.parent.mkdir()
    stand_in.write_text(STAND_IN.format(python=sys.executable))
    stand_in.chmod(stand_in.stat().st_mode | stat.S_IXUSR)
    calls = folder / "calls.txt"
    result = subprocess.run(["make", "--no-print-directory", "env", f"PYTHON={stand_in}", *make_args], cwd=folder,
                            env=make_environment(CALLS=str(calls), **stub_env), capture_output=True, text=True,
                            timeout=120)
    return result, calls.read_text().splitlines() if calls.exists() else []


def make_with_the_makefile(rule: str, **env: str) -> str:
    """Run `rule` (a make rule named `show`) with the project's Makefile included; return what it printed."""
    result = subprocess.run(["make", "--no-print-directory", "-f", "-", "show"], input=f"include Makefile\n{rule}",
                            cwd=ROOT, env=make_environment(**env), capture_output=True, text=True, check=True)
    return result.stdout.strip()


def makefile_variable(name: str) -> str:
    """A variable of the Makefile as make expands it."""
    return make_with_the_makefile(f"show:\n\t@echo '$({name})'\n")


def test_make_env_fetches_the_pinned_uv_and_syncs_the_environment_to_the_hashed_lock(tmp_path):
    result, calls = run_make_env(tmp_path)
    assert result.returncode == 0, result.stderr
    version = makefile_variable("UV_VERSION")
    uv = f"cache/repro/uv-{version}/bin/uv"  # kept per user, beside uv's own cache
    assert calls[0].endswith("python3.11 -m venv --without-pip .venv")
    # uv itself: the pinned version, a wheel only, every file of the release known by its hash.
    fetch = next(c for c in calls if "--target" in c)
    assert f"--only-binary :all: --require-hashes --upgrade --target {tmp_path}/cache/repro/uv-{version}" in fetch, fetch
    requirement = next(c for c in calls if c.startswith("uv requirement: ")).removeprefix("uv requirement: ")
    assert re.fullmatch(rf"uv=={re.escape(version)}( --hash=sha256:[0-9a-f]{{64}})+", requirement), requirement
    # The lock, with its hashes, then the package without dependencies, then the kernel; from the
    # sync on, in the background, the bytecode of what a reproduction imports.
    installs = [c for c in calls if not c.startswith(("python3.11", "uv requirement", "uv --version"))]
    compiling = "python -m repro.bytecode compile requirements-imports.txt"
    assert installs.index(compiling) > 0 and installs.count(compiling) == 1, installs
    assert [c for c in installs if c != compiling] == [
        "uv pip sync --require-hashes --python .venv/bin/python requirements.lock",
        "uv pip install --no-deps --python .venv/bin/python --editable .",
        'python -m ipykernel install --sys-prefix --name python3 --display-name Python 3 (repro)',
    ], installs
    assert (tmp_path / uv).exists() and (tmp_path / ".venv" / ".installed").exists()
    # Quiet: one line saying what is being set up, nothing from the installers.
    assert result.stdout.splitlines() == ["setting up .venv/ from requirements.lock"] and result.stderr == ""


def test_a_second_clone_on_the_same_machine_reuses_the_users_uv(tmp_path):
    first, second, cache = tmp_path / "first", tmp_path / "second", tmp_path / "cache"
    first.mkdir(), second.mkdir()
    assert run_make_env(first, cache=cache)[0].returncode == 0
    result, calls = run_make_env(second, cache=cache)
    assert result.returncode == 0, result.stderr
    assert not any("--target" in c for c in calls), calls  # uv was not fetched again
    assert "uv pip sync --require-hashes --python .venv/bin/python requirements.lock" in calls


def test_without_a_home_folder_uv_is_kept_inside_the_environment():
    env = {k: v for k, v in make_environment().items() if k != "XDG_CACHE_HOME"} | {"HOME": ""}
    shown = subprocess.run(["make", "--no-print-directory", "-f", "-", "show"], cwd=ROOT, env=env, text=True,
                           input="include Makefile\nshow:\n\t@echo '$(UV_HOME)'\n", capture_output=True, check=True)
    assert shown.stdout.strip() == f".venv/uv-{makefile_variable('UV_VERSION')}"


@pytest.mark.parametrize("make_args, stub_env", [
    (["UV=false"], {}),                        # forced, as `make env UV=false`
    ([], {"STUB_UV_WHEEL": "missing"}),        # no uv wheel for this platform, or no way to fetch it
    ([], {"STUB_UV_SYNC": "fail"}),            # uv runs but cannot install (e.g. an index only pip knows)
], ids=["forced", "no-uv-wheel", "uv-sync-fails"])
def test_make_env_falls_back_to_pip_with_the_same_lock_and_hashes(tmp_path, make_args, stub_env):
    result, calls = run_make_env(tmp_path, *make_args, **stub_env)
    assert result.returncode == 0, result.stderr
    pip_installs = [c for c in calls if c.startswith("python -m pip install")]
    assert pip_installs == ["python -m pip install --require-hashes --no-deps -r requirements.lock",
                            "python -m pip install --no-deps --editable ."], calls
    assert calls[-1].startswith("python -m ipykernel install --sys-prefix")
    assert (tmp_path / ".venv" / ".installed").exists()
    assert "installing with pip instead" in result.stderr


def test_make_env_fails_and_shows_pip_s_own_words_when_pip_fails_too(tmp_path):
    result, calls = run_make_env(tmp_path, "UV=false", STUB_PIP="fail")
    assert result.returncode != 0
    assert "DO NOT MATCH THE HASHES" in result.stderr
    assert not (tmp_path / ".venv" / ".installed").exists()  # the next make tries again
    assert not any("ipykernel" in c for c in calls)


def test_make_commands_may_write_bytecode_even_where_the_shell_forbids_it():
    # uv compiles no bytecode at install; a run must be able to write it on first use, or every later
    # run compiles every module again (twice as slow).
    rule = "show:\n\t@echo \"[$$PYTHONDONTWRITEBYTECODE]\"\n"
    assert make_with_the_makefile(rule, PYTHONDONTWRITEBYTECODE="1") == "[]"


def dry_run(target: str) -> list[str]:
    """The commands `make TARGET` would run once the environment exists (`-o`: take it as built)."""
    result = subprocess.run(["make", "--no-print-directory", "-n", "-o", ".venv/.installed", target], cwd=ROOT,
                            capture_output=True, text=True, check=True, env=make_environment())
    return result.stdout.splitlines()


def test_make_reproduce_rebuilds_then_verifies_and_reference_is_an_explicit_target():
    assert dry_run("reproduce") == [
        ".venv/bin/repro validate",
        ".venv/bin/repro summary",
        ".venv/bin/repro reproduce --out results --jobs 2",  # writes the sensitivity outputs too
        ".venv/bin/repro verify results",
    ]
    assert dry_run("reference") == [".venv/bin/repro verify --update results"]
