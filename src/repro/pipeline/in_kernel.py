"""What runs inside each kernel of ``repro reproduce`` (see :mod:`repro.pipeline.notebook_engine`).

A kernel imports the library once, as it starts (:func:`warm_up`, run by ipykernel's
``exec_lines`` before the kernel answers its first request), and before each notebook returns to
that state (:func:`fresh_start`): an empty namespace, the execution counter at 1, no figure open,
matplotlib's settings, the warning filters and the working directory as they were. Every notebook
thus starts from the same state whichever notebooks ran before it in the kernel, so ``--jobs 1``
and ``--jobs 2`` give the same bytes (a test checks it), and the notebooks are still checked one
kernel each under nbval.

This module is imported by every kernel as it starts: it imports only the standard library at
module level.
"""

from __future__ import annotations

import os
import threading
import time

#: The library's layers whose every module the kernel imports once, before the first notebook.
WARM_PACKAGES = ("repro.data", "repro.methods", "repro.figures")
#: Set by jupyter_client for every kernel it launches: the process id of the process that started it.
PARENT_VARIABLE = "JPY_PARENT_PID"
#: How often a kernel looks whether the process that started it is still there, in seconds.
PARENT_POLL_SECONDS = 0.5

_kernel_state: dict = {}


def exit_with_parent() -> None:
    """Exit, at once, when the process that started this kernel is gone (killed by SIGKILL, say).

    ipykernel has a poller of its own, but it starts only after the kernel's start-up code has run,
    and a parent already gone by then is recognised only if the kernel was handed to process 1; on
    a desktop, orphans go to the user's service manager instead and the kernel would wait forever.
    This thread compares with the parent's id as it was at launch, so it sees a parent that died
    at any moment, even before the thread began.
    """
    parent = int(os.environ.get(PARENT_VARIABLE) or 0)
    if parent <= 1:  # not started by jupyter_client (a kernel run by hand): nothing to watch
        return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="repro-exit-with-parent", daemon=True).start()


def warm_up() -> None:
    """Run once in a new kernel: watch the parent, then the inline backend and every module of the
    library's layers; remember the state each notebook starts from (matplotlib's settings, the
    working directory)."""
    import importlib
    import pkgutil

    exit_with_parent()
    import matplotlib
    from IPython import get_ipython

    get_ipython().run_line_magic("matplotlib", "inline")
    for package in WARM_PACKAGES:
        module = importlib.import_module(package)
        for info in pkgutil.iter_modules(module.__path__, f"{package}."):
            importlib.import_module(info.name)
    importlib.import_module("repro.pipeline.outputs")
    _kernel_state.update(rc=dict(matplotlib.rcParams.copy()), cwd=os.getcwd(), warnings=None)


def fresh_start() -> None:
    """Run before each notebook: the kernel as :func:`warm_up` left it, as if it had just started.

    If the warm-up at start-up failed (ipykernel only logs an error in its start-up code), it is
    run here again, so that its error is raised where the run reports it, with the notebook's name.
    """
    import warnings

    if not _kernel_state:
        warm_up()
    import matplotlib
    import matplotlib.pyplot as plt
    from IPython import get_ipython

    get_ipython().reset(new_session=True)  # namespace, history and execution counter
    plt.close("all")
    dict.update(matplotlib.rcParams, _kernel_state["rc"])  # as matplotlib's own rc_context restores them
    if _kernel_state["warnings"] is not None:
        _kernel_state["warnings"].__exit__(None, None, None)  # the filters back, and every "once" forgotten
    _kernel_state["warnings"] = warnings.catch_warnings()
    _kernel_state["warnings"].__enter__()
    os.chdir(_kernel_state["cwd"])
