"""Check parameters against a notebook's ``parameters`` cell before anything runs.

papermill only warns about an unknown parameter and never checks types; a typo would silently run
the paper's defaults. Here an unknown name or a value of the wrong type is refused up front.
"""

from __future__ import annotations

from pathlib import Path

_TYPES = {"str": str, "int": int, "float": (int, float), "bool": bool, "list": list, "dict": dict}


def declared_parameters(notebook: str | Path) -> dict[str, dict]:
    """The parameters a notebook declares: name -> {type, default, help}."""
    import papermill  # imported here, not with the module: `repro reproduce` imports this module before its kernels start

    return {name: {"type": p["inferred_type_name"], "default": p["default"], "help": p["help"]}
            for name, p in papermill.inspect_notebook(str(notebook)).items()}


def check_parameters(notebook: str | Path, parameters: dict, declared: dict | None = None) -> list[str]:
    """Every reason ``parameters`` cannot be passed to ``notebook`` (an empty list if they can).

    ``declared`` is the notebook's :func:`declared_parameters`, if the caller has it already.
    """
    declared = declared if declared is not None else declared_parameters(notebook)
    problems = []
    for name, value in parameters.items():
        if name not in declared:
            problems.append(f"{Path(notebook).name}: unknown parameter {name!r}; "
                            f"it takes {', '.join(sorted(declared))}.")
            continue
        expected = _TYPES.get(declared[name]["type"])
        if expected is not None and (not isinstance(value, expected) or
                                     (expected is not bool and isinstance(value, bool))):
            problems.append(f"{Path(notebook).name}: parameter {name!r} expects {declared[name]['type']}, "
                            f"got {type(value).__name__} {value!r}.")
    return problems
