"""The project keeps its own promises: pinned environment, matching conda file, the two commands."""

import re
import tomllib

from repro import paths

ROOT = paths.ROOT


def direct_dependencies() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = project["dependencies"] + [d for extra in project["optional-dependencies"].values() for d in extra]
    return [re.split(r"[<>=!~ ;\[]", n)[0].lower() for n in names]


def test_environment_yml_names_the_same_direct_dependencies_at_the_locked_versions():
    lock = (ROOT / "requirements.lock").read_text()
    conda = dict(re.findall(r"^\s+- ([A-Za-z0-9_.-]+)=([^\s=]+)$", (ROOT / "environment.yml").read_text(), re.M))
    conda.pop("python")
    assert sorted(conda) == sorted(direct_dependencies())
    for name, version in conda.items():
        assert re.search(rf"^{re.escape(name)}=={re.escape(version)} ", lock, re.M | re.I), name


def test_lock_pins_every_package_exactly_with_hashes():
    lock = (ROOT / "requirements.lock").read_text()
    requirements = [line for line in lock.splitlines() if line and not line.startswith((" ", "#"))]
    assert len(requirements) > 50  # direct and transitive
    assert all(re.match(r"^[A-Za-z0-9_.-]+==[^\s]+ \\$", line) for line in requirements), requirements[:3]
    assert lock.count("--hash=sha256:") >= len(requirements)
    for name in direct_dependencies():
        assert re.search(rf"^{re.escape(name)}==", lock, re.M | re.I), name


def test_readme_leads_with_the_two_commands_and_ci_runs_the_test_command():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```")[1]
    assert "make reproduce" in first_block and "make test" in first_block
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_binder_files_install_the_package():
    assert "pip install --no-deps -e ." in (ROOT / "postBuild").read_text()
