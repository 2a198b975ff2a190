"""The ``repro`` command. User mistakes end with a message and exit code 2, never a traceback."""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import signal
import sys
import threading
from pathlib import Path

from repro import __version__, paths
from repro.errors import AnalysisError, Problem
from repro.i18n import LANGS, format_number, gettext

EXIT_USER_ERROR = 2


def _invoked_as() -> str:
    """The command as the user typed it (``.venv/bin/repro``, a full path, or ``repro`` on the PATH), so
    that a suggested next command works as written from the same folder."""
    typed = sys.argv[0] if sys.argv and Path(sys.argv[0]).name == "repro" else "repro"
    return shlex.quote(typed)


def _note(line: str) -> None:
    print(f"note: {line}", file=sys.stderr)


def _print_problems(exc: AnalysisError) -> int:
    n = len(exc.problems)
    print(f"repro: {n} problem{'' if n == 1 else 's'} found:", file=sys.stderr)
    for problem in exc.problems:
        print(f"  - {problem}", file=sys.stderr)
    return EXIT_USER_ERROR


def _load(folder):
    from repro.data import load_analysis
    return load_analysis(folder)


#: The formats ``--formats`` accepts: those of repro.figures.common.FORMATS (a test keeps them equal),
#: named here so that reading the command line does not import matplotlib.
FIGURE_FORMATS = ("png", "pdf", "svg")
#: Each notebook's time limit unless ``--timeout`` says otherwise: repro.pipeline.reproduce.DEFAULT_TIMEOUT
#: (a test keeps them equal), named here for the same reason.
DEFAULT_TIMEOUT = 600.0


def _figure_formats(text: str) -> tuple[str, ...]:
    """``--formats png,pdf,svg``: each a format figures can be saved in, none twice."""
    formats = tuple(f.strip().lower() for f in text.split(",") if f.strip())
    unknown = [f for f in formats if f not in FIGURE_FORMATS]
    if not formats or unknown or len(set(formats)) != len(formats):
        raise argparse.ArgumentTypeError(f"{text!r}: expected formats from png, pdf, svg, separated by commas, "
                                         "each once (for example png,pdf,svg)")
    return formats


def _seconds(text: str) -> float:
    """``--timeout 600``: a number (checked further by the command, which knows the limits)."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a number of seconds above 0 and at most a day") from None


class UsageError(Exception):
    """A command line that cannot mean one thing (exit 2)."""


def _analysis_folder(args) -> Path | None:
    """The analysis folder of ``validate`` and ``summary``: ``--data DIR`` as in every command, or
    the positional ``DIR`` kept as an alias; None for the paper's data."""
    if args.folder is not None and args.data is not None and args.folder != args.data:
        raise UsageError(f"two analysis folders given ({args.folder} and --data {args.data}); give one, with --data.")
    return args.data if args.data is not None else args.folder


def cmd_validate(args) -> int:
    from repro.data.chain import chain_links, chain_summary
    analysis = _load(_analysis_folder(args))
    for note in analysis.notes:
        print(f"note: {note}")
    for note in analysis.example_notes():
        print(f"template: {note}")
    print(f"OK: {analysis.folder} holds {analysis.describe()}.")
    links = chain_links(analysis.swot, analysis.forces, analysis.lotus)
    for check in chain_summary(links).itertuples():
        if check.links:
            print(f"chain: {check.check}: {'holds' if check.holds else 'FAILS'} ({check.links} link{'' if check.links == 1 else 's'})")
    return 0


def cmd_summary(args) -> int:
    from repro.methods.force_field import balance, rank_forces
    analysis = _load(_analysis_folder(args))
    if not analysis.has_scores:
        print(f"{analysis.folder}: the force field has no scores, so there is no balance to compute.")
        return 0
    b = balance(analysis.forces)
    print(f"Force field of {analysis.folder} (scale {analysis.scale})")
    print(f"  driving total      {b.driving_total:g}  ({b.n_driving} forces)")
    print(f"  restraining total  {b.restraining_total:g}  ({b.n_restraining} forces)")
    print(f"  net                {b.net:g}  (driving - restraining)")
    print(f"  ratio              {b.ratio:.4f}  (driving / restraining)")
    print(f"  sum rule favours   {b.verdict}")
    ranks = rank_forces(analysis.forces)
    for side in ("driving", "restraining"):
        ordered = ranks[ranks["direction"] == side].sort_values(["rank", "id"])
        shown = ", ".join(f"{r.rank}. {r.id} ({r.score:g}{', tied with ' + r.tied_with if r.tied else ''})"
                          for r in ordered.itertuples())
        print(f"  {side} ranking: {shown}")
    return 0


def cmd_check_source(args) -> int:
    from repro.data import limits
    from repro.data.transcription import TextFileError, check_against_text
    analysis = _load(args.data)
    if args.text is None and paths.SHARED_PAPER_TEXT is None:
        print("repro: give the path of the article's text file: repro check-source TEXT.", file=sys.stderr)
        return EXIT_USER_ERROR
    text = Path(args.text) if args.text is not None else paths.SHARED_PAPER_TEXT
    if not text.is_file():
        what = "is a folder, not a file" if text.is_dir() else "no such file"
        print(f"repro: {text}: {what}; give the path of the article's text.", file=sys.stderr)
        return EXIT_USER_ERROR
    too_big = limits.file_size_problem(text, limits.MAX_TEXT_BYTES, "text")
    if too_big:
        raise AnalysisError([too_big])
    try:
        checked, problems = check_against_text(analysis, text)
    except TextFileError as exc:
        print(f"repro: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    if problems:
        raise AnalysisError(problems)
    print(f"OK: {checked} transcribed values and quotes stand verbatim at their recorded lines of {text}.")
    return 0


def cmd_reproduce(args) -> int:
    from repro.pipeline.notebook_engine import skip_slow_format_checker
    from repro.pipeline.reproduce import (DEFAULT_FORMATS, NoSpaceError, ParameterError, ReproduceError, Stopped,
                                          reproduce)

    skip_slow_format_checker()  # this process reads the notebooks with nbformat
    existed = Path(args.out).exists()
    try:
        reproduce(args.data, args.out, lang=args.lang, jobs=args.jobs, formats=args.formats or DEFAULT_FORMATS,
                  progress=lambda line: print(line, flush=True), timeout=args.timeout)
    except ReproduceError as exc:
        if isinstance(exc, NoSpaceError):
            kept = "the previous results in it are untouched" if existed else "it was not created"
            print(f"repro: {args.out}: {exc} ({kept})", file=sys.stderr)
        else:
            print(f"repro: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR if isinstance(exc, (ParameterError, NoSpaceError)) else 1
    except Stopped as exc:
        kept = f"the previous results in {args.out} are untouched" if existed else f"{args.out} was not created"
        print(f"repro: stopped by {exc.signal_name}: every process it started was stopped and the unfinished run "
              f"removed; {kept}.", file=sys.stderr)
        return exc.exit_code
    from repro.pipeline.verify import reference_applies

    # Only results made from the reference's own inputs and settings have something to be compared with.
    check = f" Compare them with the reference: {_invoked_as()} verify {args.out}" if reference_applies(args.out) else ""
    print(f"Results in {args.out}: report.html (open it in a browser), figures/, numbers/, notebooks/, manifest.json."
          + check)
    return 0


def cmd_verify(args) -> int:
    from repro.pipeline.verify import VerifyError, update_reference, verify
    try:
        if args.update:
            reference, n_files, n_copied = update_reference(args.results, reference=args.reference)
            print(f"Rewrote the reference {paths.shown_folder(reference)}/ from {args.results}: the hashes of "
                  f"{n_files} files and the headline numbers, with copies of {n_copied} of them. Commit it.")
            return 0
        verification = verify(args.results, reference=args.reference, diff_dir=args.diff_dir, exact=args.exact)
    except VerifyError as exc:
        print(f"repro: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    for line in verification.lines():
        print(line)
    return verification.status


def cmd_sensitivity(args) -> int:
    from repro.data import limits
    from repro.data.codebook import Scale
    from repro.methods.sensitivity import NOISE_MODELS, analyse, draws_for, result_files
    from repro.pipeline.outdir import check_output_folder, staged_output, write_manifest

    # Every option against its limit (repro.data.limits) before the data are read or a draw is made.
    problems = limits.option_problems(draws=args.draws, seed=args.seed, half_width=args.half_width, scale=args.scale)
    if args.precision is not None and not 0 < args.precision < 1:
        problems.append(f"--precision must lie between 0 and 1 (the widest interval allowed), got {args.precision:g}.")
    elif args.precision is not None and draws_for(args.precision) > limits.MAX_DRAWS:
        problems.append(f"--precision {args.precision:g} would need {draws_for(args.precision):,} draws, more than the "
                        f"limit of {limits.MAX_DRAWS:,}; ask for a wider interval.")
    if args.half_width_from is not None and not args.half_width_from.is_file():
        problems.append(f"--half-width-from {args.half_width_from}: no such file; expected a raters' CSV with columns "
                        "rater, id, score (as repro compare reads).")
    if args.noise not in NOISE_MODELS:
        problems.append(f"--noise must be one of {', '.join(NOISE_MODELS)}, got {args.noise!r}.")
    scale = Scale(*args.scale) if args.scale is not None and not problems else None
    if problems:
        for problem in problems:
            print(f"repro: {problem}", file=sys.stderr)
        return EXIT_USER_ERROR
    analysis = _load(args.data)
    if not analysis.has_scores:
        print(f"repro: {analysis.folder}: the force field has no scores, so there is nothing to perturb.", file=sys.stderr)
        return EXIT_USER_ERROR
    lang = args.lang or analysis.language
    half_width, source = (DEFAULT_HALF_WIDTH, gettext(lang, "h_default_option", h=format_number(DEFAULT_HALF_WIDTH, lang))) \
        if args.half_width is None else (args.half_width, gettext(lang, "h_given_option", h=format_number(args.half_width, lang)))
    if args.half_width_from is not None:
        half_width, source = _half_width_from_raters(args.half_width_from, analysis, lang)
    out = check_output_folder(args.out, analysis.folder, note=_note)  # before any work: no file of the user's is at risk
    draws = draws_for(args.precision) if args.precision is not None else args.draws or DEFAULT_DRAWS
    progress = None
    bar = None
    if draws >= 2_000_000:
        from tqdm import tqdm
        bar = tqdm(total=draws, unit="draw", unit_scale=True, desc="Monte Carlo", file=sys.stderr)
        progress = bar.update
    result = analyse(analysis, args.noise, half_width, draws, args.seed, scale, progress=progress,
                     precision=args.precision, half_width_source=source, lang=lang)
    if bar is not None:
        bar.close()
    settings = result["settings"]
    with staged_output(out) as staging:
        for name, text in result_files(result).items():
            (staging / name).write_text(text, encoding="utf-8")
        write_manifest(staging, {"command": "sensitivity", "inputs_sha256": analysis.input_hashes(),
                                 "parameters": {k: settings[k] for k in ("noise", "half_width", "half_width_source",
                                                                         "draws", "precision", "seed", "scale")}})
    for m in result["moved_scores"].itertuples():
        print(f"note: {m.id}'s score {m.score:g} lies outside the scale {settings['scale']}; "
              f"moved to {m.new_score:g} (by {m.moved_by:+g}).")
    for note in result["notes"]:
        print(f"note: {note}")
    for note in analysis.example_notes():  # the template's example claims are not the student's conclusions
        print(f"template: {note}")
    shown = result["claims"][["claim", "holds", "p_holds", "break_even_text"]].copy()
    shown["p_holds"] = [f"{p:.3f} [{low:.3f}, {high:.3f}]" for p, low, high in
                        result["claims"][["p_holds", "p_holds_low", "p_holds_high"]].itertuples(index=False)]
    print(shown.rename(columns={"p_holds": "P(holds) [95 % interval]"}).to_string(index=False))
    print(f"Wrote claims.csv and sensitivity.json to {args.out}")
    return 0


#: ``repro sensitivity``'s defaults (named here: ``--half-width-from`` and ``--precision`` replace them).
DEFAULT_HALF_WIDTH = 0.5
DEFAULT_DRAWS = 100_000


def _half_width_from_raters(path: Path, analysis, lang: str = "en") -> tuple[float, str]:
    """h from a raters' file (:func:`repro.methods.compare.suggested_half_width`), and where it came from (in ``lang``)."""
    from repro.methods.compare import load_rater_scores, suggested_half_width

    raters = load_rater_scores(path, analysis)
    h, rule = suggested_half_width(raters, lang)
    if h is None:
        raise UsageError(f"--half-width-from {path}: {suggested_half_width(raters)[1]}; give a file with two raters or "
                         "more, or --half-width H.")
    return h, gettext(lang, "h_from_raters_file", file=path.name, rule=rule)


def cmd_template(args) -> int:
    from repro.pipeline.template import parse_scale, write_template
    try:
        scale = parse_scale(args.scale)
    except ValueError as exc:
        raise UsageError(f"--scale {exc}") from None
    written = write_template(args.folder, args.lang, scale=scale, theme=args.theme, workbook=args.workbook)
    for path in written:
        print(f"wrote {path}")
    theme = "the lotus flower's theme" if args.theme else "the lotus flower's theme (empty: write it there)"
    print(f"The score scale ({args.scale}) and {theme} are declared at the top of {args.folder / 'datapackage.json'}; "
          "replace its title, description and sources with yours.")
    print(f"Fill the {'sheets' if args.workbook else 'files'} in (a spreadsheet is fine), then check them with: "
          f"{_invoked_as()} validate --data {shlex.quote(str(args.folder))}")
    return 0


def cmd_compare(args) -> int:
    from repro.data import limits
    from repro.figures.compare import plot_comparison
    from repro.methods.compare import compare, load_rater_scores, result_files
    from repro.pipeline.outdir import check_output_folder, sha256, staged_output, write_manifest
    from repro.pipeline.outputs import publish_figure

    analysis = _load(args.data)
    if not analysis.has_scores:
        print(f"repro: {analysis.folder}: the force field has no scores to compare with.", file=sys.stderr)
        return EXIT_USER_ERROR
    scores_file = Path(args.scores)
    if not scores_file.is_file():
        print(f"repro: {args.scores}: no such file; expected a CSV with columns rater, id, score.", file=sys.stderr)
        return EXIT_USER_ERROR
    too_big = limits.file_size_problem(scores_file, limits.MAX_TABLE_BYTES, "scores file")
    if too_big:
        raise AnalysisError([too_big])
    out = check_output_folder(args.out, analysis.folder, note=_note)  # before any work: no file of the user's is at risk
    raters = load_rater_scores(scores_file, analysis)
    if len(raters) > limits.MAX_RATERS:
        raise AnalysisError([Problem(scores_file.name, f"holds {len(raters):,} raters; a comparison takes at most "
                                                        f"{limits.MAX_RATERS:,} (the limit of repro.data.limits).",
                                     column="rater")])
    lang = args.lang or analysis.language
    result = compare(analysis, raters, lang)
    with staged_output(out) as staging:
        for name, text in result_files(result).items():
            (staging / name).write_text(text, encoding="utf-8")
        ax = plot_comparison(result["raters"], analysis.forces, lang=lang, scale=analysis.scale,
                             scores_published=analysis.scores_published)
        publish_figure(ax.figure, staging, "compare_scores")
        inputs = {**analysis.input_hashes(), scores_file.name: sha256(scores_file)}
        write_manifest(staging, {"command": "compare", "inputs_sha256": inputs,
                                 "parameters": {"scores": scores_file.name}})
    for note in result["notes"]:
        print(f"note: {note}")
    print(result["support"][["claim", "holds_at_published_scores", "raters_supporting", "raters"]].to_string(index=False))
    w = result["kendalls_w"]
    shown_w = {k: ("undefined" if v is None else f"{v:.3f}") for k, v in w.items()}
    print(f"Kendall's W: {shown_w['all_forces']} over all forces, {shown_w['driving']} driving, "
          f"{shown_w['restraining']} restraining")
    spread = result["spread"]
    print("Raters' half-range per force: " + ", ".join(f"{r.id} {r.half_range:g}" for r in spread.itertuples()))
    if result["suggested_half_width"] is None:
        print(f"Noise half-width: {result['half_width_rule']}.")
    else:
        data = f" --data {shlex.quote(str(args.data))}" if args.data is not None else ""
        print(f"Suggested noise half-width: {result['half_width_rule']}. Use it with: {_invoked_as()} sensitivity"
              f"{data} --half-width-from {shlex.quote(str(args.scores))}")
    print(f"Wrote compare_claims.csv, compare.json and figures/compare_scores.* to {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="repro", description="Reproduce Zholdybayev & Utepova's SWOT, force field and lotus flower.")
    parser.add_argument("--version", action="version", version=f"repro {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check an analysis folder (default: the paper's data)")
    p.add_argument("--data", type=Path, default=None, help="analysis folder (default: the paper's data)")
    p.add_argument("folder", nargs="?", type=Path, default=None, help="the same as --data DIR (an older spelling)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("template", help="write an analysis to fill in: swot, force_field, lotus and claims with example "
                                        "rows (CSV files, or one workbook with --workbook), and their codebook")
    p.add_argument("folder", type=Path, help="folder to create; existing files are never overwritten")
    p.add_argument("--lang", choices=("ru", "en"), default="en", help="language of the example rows (default: en)")
    p.add_argument("--scale", default="1-5", metavar="MIN-MAX",
                   help="the score scale, e.g. 1-5, 0-5, 1-10 or -3..3 (default: 1-5)")
    p.add_argument("--theme", default="", help="the lotus flower's theme, shown at its centre")
    p.add_argument("--workbook", action="store_true",
                   help="write the tables as the sheets of one workbook, analysis.xlsx, instead of CSV files")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("summary", help="print the force-field totals, net and rankings")
    p.add_argument("--data", type=Path, default=None, help="analysis folder (default: the paper's data)")
    p.add_argument("folder", nargs="?", type=Path, default=None, help="the same as --data DIR (an older spelling)")
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("reproduce", help="run every notebook; write figures, numbers, notebooks, report and manifest")
    p.add_argument("--data", type=Path, default=None, help="analysis folder (default: the paper's data)")
    p.add_argument("--out", type=Path, default=Path("results"),
                   help="output folder: new, empty, or written by repro reproduce before (default: results)")
    p.add_argument("--lang", choices=LANGS, default=None,
                   help="language of the figures and the report (default: the analysis's own: ru for the paper, as "
                        "published; en for an analysis written in English)")
    p.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default: 2)")
    p.add_argument("--formats", type=_figure_formats, default=None, metavar="LIST",
                   help="figure formats, comma-separated, from png, pdf, svg (default: png,pdf; the reference "
                        "is made with the default)")
    p.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"time limit of each notebook, in seconds; a notebook that runs longer fails the run "
                        f"(default: {DEFAULT_TIMEOUT:g}, at most a day)")
    p.set_defaults(func=cmd_reproduce)

    p = sub.add_parser("verify", help="compare a results folder with the committed reference, file by file",
                       description="Compare a results folder with the committed reference (reference/): each file is "
                                   "identical, equivalent within the stated tolerance (numbers, figures' pixels), or "
                                   "different. Exit code 0: nothing differs beyond the tolerance (with --exact: every "
                                   "file identical); 1: something differs (each difference is named); 2: not a "
                                   "results folder, or no reference; 3: no reference for this analysis or these settings.")
    p.add_argument("results", nargs="?", type=Path, default=Path("results"), help="results folder (default: results)")
    p.add_argument("--update", action="store_true",
                   help="make RESULTS the new reference (only a default reproduction of the paper's data)")
    p.add_argument("--diff-dir", type=Path, default=None,
                   help="where difference images go (default: verify-diff beside RESULTS)")
    p.add_argument("--reference", type=Path, default=None,
                   help="the reference folder (default: reference/ in the repository, or the installed package's)")
    p.add_argument("--exact", action="store_true",
                   help="demand identical bytes: a file equivalent within the tolerance counts as differing")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("sensitivity", help="how sensitive the claims are to the scores; writes claims.csv and sensitivity.json")
    p.add_argument("--data", type=Path, default=None, help="analysis folder (default: the paper's data)")
    p.add_argument("--out", type=Path, default=Path("sensitivity-results"),
                   help="output folder: new, empty, or written by repro before (default: sensitivity-results)")
    how_many = p.add_mutually_exclusive_group()
    how_many.add_argument("--draws", type=int, default=None, help="Monte Carlo draws (default: 100000)")
    how_many.add_argument("--precision", type=float, default=None, metavar="EPS",
                          help="choose the draws so that every Monte Carlo interval is narrower than EPS (e.g. 0.01); "
                               "intervals still wider are named")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--noise", default="uniform", help="uniform, integer, ordinal or dirichlet (default: uniform)")
    width = p.add_mutually_exclusive_group()
    width.add_argument("--half-width", type=float, default=None, help="noise half-width h (default: 0.5)")
    width.add_argument("--half-width-from", type=Path, default=None, metavar="RATERS.csv",
                       help="h from raters' scores (columns rater, id, score): the median over the forces of the "
                            "raters' half-range")
    p.add_argument("--scale", type=float, nargs=2, metavar=("MIN", "MAX"), default=None,
                   help="score scale (default: the one the data declare); scores outside are moved onto it")
    p.add_argument("--lang", choices=LANGS, default=None,
                   help="language of the sentences in the files (notes, break-even texts; numbers stay numbers "
                        "with a decimal point); default: the analysis's own")
    p.set_defaults(func=cmd_sensitivity)

    p = sub.add_parser("compare", help="set a reviewer's (or several raters') scores beside the analysis's published ones")
    p.add_argument("scores", type=Path, help="CSV with columns rater, id, score (one row per rater and force)")
    p.add_argument("--data", type=Path, default=None, help="analysis folder (default: the paper's data)")
    p.add_argument("--out", type=Path, default=Path("compare-results"),
                   help="output folder: new, empty, or written by repro before (default: compare-results)")
    p.add_argument("--lang", choices=LANGS, default=None,
                   help="language of the figure and the notes (default: the analysis's own)")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("check-source", help="check the paper's data verbatim against the article's text")
    p.add_argument("text", nargs="?", default=None,
                   help="the article's text file (default: the copy beside the clone, where there is one)")
    p.add_argument("--data", type=Path, default=None, help="analysis folder (default: the paper's data)")
    p.set_defaults(func=cmd_check_source)
    return parser


def _system_failure(exc: OSError) -> str:
    """An error of the system (no permission, disk full, a read-only file system ...) in one line that
    names the file and the cause."""
    import errno

    where = f"{exc.filename}: " if exc.filename else ""
    code = errno.errorcode.get(exc.errno, "")
    return f"repro: {where}{exc.strerror or exc}{f' ({code})' if code else ''}."


class Terminated(BaseException):
    """SIGTERM arrived: like Ctrl-C, it unwinds the command, so that every staging folder is removed on
    the way out (without it, the process would end at once and leave them for the next run to tidy)."""


def _terminate(signum, frame):
    raise Terminated()


@contextlib.contextmanager
def _sigterm_unwinds():
    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    from repro.ownership import OwnershipKeyError
    from repro.pipeline.outdir import OutputFolderError

    args = build_parser().parse_args(argv)
    try:
        with _sigterm_unwinds():
            return args.func(args)
    except Terminated:
        print("repro: stopped by SIGTERM; nothing unfinished was left behind.", file=sys.stderr)
        return 128 + signal.SIGTERM
    except AnalysisError as exc:
        return _print_problems(exc)
    except (OutputFolderError, OwnershipKeyError, UsageError) as exc:
        print(f"repro: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("repro: interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`repro summary | head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:  # the system refused to read or write a file: its words, not a traceback
        print(_system_failure(exc), file=sys.stderr)
        return EXIT_USER_ERROR
    except MemoryError:
        print("repro: ran out of memory; nothing was written. Please report it: every input within the limits of "
              "repro.data.limits should fit.", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
