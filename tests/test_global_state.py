"""A library that behaves in someone else's notebook: importing repro or any of its modules, and drawing
and saving every kind of figure with it, leaves every global setting as it was: matplotlib's rcParams
(a user's own among them), warning filters, logging, fontTools' subsetting defaults, numpy's and pandas'
options, the locale, csv dialects, signal handlers, the environment and the working directory.

Each check runs in a fresh interpreter, as a student's notebook kernel would import the library."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SNAPSHOT = '''
import csv, locale, logging, os, signal, sys, warnings


def snapshot():
    import matplotlib
    import numpy
    import pandas
    from fontTools import subset

    options = subset.Options()
    loggers = {name: (logger.level, len(logger.handlers), logger.propagate, logger.disabled)
               for name, logger in logging.Logger.manager.loggerDict.items() if isinstance(logger, logging.Logger)}
    return {
        "matplotlib.rcParams": {k: repr(v) for k, v in matplotlib.rcParams.items()},
        "warnings.filters": [repr(f) for f in warnings.filters],
        "logging.root": [logging.root.level, len(logging.root.handlers)],
        # A logger a newly imported module creates is no change unless configured (a level, a handler).
        "logging.loggers": {k: list(v) for k, v in loggers.items() if v != (logging.NOTSET, 0, True, False)},
        "fontTools.subset.Options": {k: repr(v) for k, v in sorted(vars(options).items())},
        "numpy.errstate": numpy.geterr(),
        "numpy.printoptions": {k: repr(v) for k, v in numpy.get_printoptions().items()},
        "pandas.display": {k: repr(pandas.get_option(k)) for k in ("display.max_rows", "display.max_columns",
                                                                  "display.width", "display.precision", "mode.copy_on_write")},
        "locale": locale.setlocale(locale.LC_ALL, None),
        "csv.dialects": sorted(csv.list_dialects()),
        "signal.handlers": {s.name: repr(signal.getsignal(s)) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD)},
        "os.environ": dict(os.environ),
        "cwd": os.getcwd(),
        "sys.path": list(sys.path),
        "sys.stdout": repr(sys.stdout), "sys.stderr": repr(sys.stderr),
    }


def changed(before, after):
    out = {}
    for key in before:
        if before[key] != after[key]:
            if isinstance(before[key], dict):
                out[key] = {k: [before[key].get(k), after[key].get(k)] for k in set(before[key]) | set(after[key])
                            if before[key].get(k) != after[key].get(k)}
            else:
                out[key] = [before[key], after[key]]
    return out
'''


def run(body: str) -> dict:
    """Run ``body`` after SNAPSHOT in a fresh interpreter; it prints one JSON object, returned here."""
    code = SNAPSHOT + textwrap.dedent(body)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_every_module_changes_no_global_state():
    changes = run('''
        import importlib, json, pkgutil
        import matplotlib, numpy, pandas  # third-party imports are not repro's doing; their defaults are the baseline
        import fontTools.subset
        before = snapshot()
        import repro
        names = [m.name for m in pkgutil.walk_packages(repro.__path__, "repro.")]
        for name in names:
            importlib.import_module(name)
        print(json.dumps({"modules": len(names), "changed": changed(before, snapshot())}))
    ''')
    assert changes["modules"] > 30  # every module, not a few
    assert changes["changed"] == {}


def test_drawing_and_saving_every_figure_keeps_the_users_settings_and_the_figures_style(tmp_path):
    changes = run(f'''
        import json
        import matplotlib
        import fontTools.subset
        # A user's own settings, made before the library is used: they must survive it.
        matplotlib.rcParams.update({{"font.family": "serif", "savefig.dpi": 72, "pdf.fonttype": 3,
                                    "svg.fonttype": "none", "figure.autolayout": True}})
        users = snapshot()["matplotlib.rcParams"]
        from repro import load_analysis
        from repro.explorer import Explorer
        from repro.figures.common import save_figure
        from repro.figures.force_field import plot_force_field
        from repro.figures.lotus import plot_lotus_canonical, plot_lotus_published
        from repro.figures.swot import plot_swot
        from repro.figures import sensitivity as s
        from repro.methods.sensitivity import analyse


        def draw_all(folder):
            paper = load_analysis()
            result = analyse(paper, "uniform", 0.5, 2000, 0, paper.scale)
            figures = [
                plot_swot(paper.swot, paper.forces).figure,
                plot_force_field(paper.forces, paper.changes, scale_max=5).figure,
                plot_lotus_published(paper.lotus, paper.forces).figure,
                plot_lotus_canonical(paper.lotus, paper.forces, "theme").figure,
                s.plot_robustness_curves(result["curves"], result["reference_levels"]),
                s.plot_break_even(result["break_even"], result["forces"], paper.scale).figure,
                s.plot_net_histogram(result["net_histogram"], -0.2).figure,
                s.plot_convergence(result["convergence"]).figure,
                s.plot_rank_heatmap(result["rank_matrix"], forces=result["forces"]).figure,
                s.plot_drop_one(result["drop_one"], published_net=-0.2).figure,
            ]
            for k, fig in enumerate(figures):
                save_figure(fig, folder + f"/figure{{k}}", ["png", "pdf", "svg"])
            explorer = Explorer(paper, draws=1000)
            explorer.set_score("D1", 4)
            explorer.png()
            return figures

        # Once, so that what third-party packages do when first imported (a logger, a warning filter)
        # is part of the baseline; then again, watched.
        draw_all({str(tmp_path / "first")!r})
        before = snapshot()
        figures = draw_all({str(tmp_path)!r})
        after = snapshot()
        families = sorted({{t.get_fontname() for fig in figures for t in fig.findobj(matplotlib.text.Text)
                            if t.get_text()}})
        print(json.dumps({{"changed": changed(before, after), "families": families,
                          "users": changed({{"rc": users}}, {{"rc": after["matplotlib.rcParams"]}})}}))
    ''')
    assert changes["users"] == {}  # the user's settings, as they made them before importing repro
    assert changes["changed"] == {}
    assert changes["families"] == ["DejaVu Sans"]  # the figures keep the package's font, not the user's serif
    # And the files were written in the package's style, not the user's (PNG at 150 dpi, Type 42 PDF fonts).
    from PIL import Image

    assert round(Image.open(tmp_path / "figure0.png").info["dpi"][0]) == 150
    pdf = (tmp_path / "figure0.pdf").read_bytes()
    assert b"/CIDFontType2" in pdf and b"/Type3" not in pdf
