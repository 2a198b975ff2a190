"""The ``repro`` command. User mistakes end with a message and exit code 2, never a traceback."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from repro import paths
from repro.errors import AnalysisError

EXIT_USER_ERROR = 2


def _print_problems(exc: AnalysisError) -> int:
    print(f"repro: {len(exc.problems)} problem(s) found:", file=sys.stderr)
    for problem in exc.problems:
        print(f"  - {problem}", file=sys.stderr)
    return EXIT_USER_ERROR


def _load(folder):
    from repro.data import load_analysis
    return load_analysis(folder)


def cmd_validate(args) -> int:
    from repro.data.chain import chain_links, chain_summary
    analysis = _load(args.folder)
    for note in analysis.notes:
        print(f"note: {note}")
    print(f"OK: {analysis.folder} holds {analysis.describe()}.")
    links = chain_links(analysis.swot, analysis.forces, analysis.lotus)
    for check in chain_summary(links).itertuples():
        if check.links:
            print(f"chain: {check.check}: {'holds' if check.holds else 'FAILS'} ({check.links} links)")
    return 0


def cmd_summary(args) -> int:
    from repro.methods.force_field import balance, rank_forces
    analysis = _load(args.folder)
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
    from repro.data.transcription import check_against_text
    analysis = _load(args.data)
    text = Path(args.text)
    if not text.is_file():
        print(f"repro: {text}: no such file; give the path of the article's text.", file=sys.stderr)
        return EXIT_USER_ERROR
    checked, problems = check_against_text(analysis, text)
    if problems:
        raise AnalysisError(problems)
    print(f"OK: {checked} transcribed values stand verbatim at their recorded lines of {text}.")
    return 0


def cmd_reproduce(args) -> int:
    from repro.pipeline.reproduce import ParameterError, ReproduceError, reproduce
    try:
        out = reproduce(args.data, args.out, lang=args.lang, jobs=args.jobs)
    except ReproduceError as exc:
        print(f"repro: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR if isinstance(exc, ParameterError) else 1
    print(f"Results in {out}: figures/, notebooks/, report.html, manifest.json")
    return 0


def _atomic_write(path: Path, text: str) -> None:
    """Write next to the target, then rename: a reader never sees half a file."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def cmd_sensitivity(args) -> int:
    import json

    from repro.data.codebook import Scale
    from repro.methods.sensitivity import NOISE_MODELS, analyse

    problems = []
    if args.draws < 1:
        problems.append(f"--draws must be a positive whole number, got {args.draws}.")
    if args.half_width < 0:
        problems.append(f"--half-width must not be negative, got {args.half_width:g}.")
    if args.noise not in NOISE_MODELS:
        problems.append(f"--noise must be one of {', '.join(NOISE_MODELS)}, got {args.noise!r}.")
    scale = None
    if args.scale is not None:
        low, high = args.scale
        if not low < high:
            problems.append(f"--scale needs MIN < MAX, got {low:g} {high:g} (an empty or inverted scale).")
        else:
            scale = Scale(low, high)
    if problems:
        for problem in problems:
            print(f"repro: {problem}", file=sys.stderr)
        return EXIT_USER_ERROR
    analysis = _load(args.data)
    if not analysis.has_scores:
        print(f"repro: {analysis.folder}: the force field has no scores, so there is nothing to perturb.", file=sys.stderr)
        return EXIT_USER_ERROR
    progress = None
    bar = None
    if args.draws >= 2_000_000:
        from tqdm import tqdm
        bar = tqdm(total=args.draws, unit="draw", unit_scale=True, desc="Monte Carlo", file=sys.stderr)
        progress = bar.update
    result = analyse(analysis, args.noise, args.half_width, args.draws, args.seed, scale, progress=progress)
    if bar is not None:
        bar.close()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    columns = ["claim", "holds", "p_holds", "p_holds_se", "break_even", "ties", "statement", "origin", "source"]
    _atomic_write(out / "claims.csv", result["claims"][columns].to_csv(index=False, lineterminator="\n"))
    rest = {k: (v.to_dict("records") if hasattr(v, "to_dict") and not isinstance(v, dict) else v)
            for k, v in result.items() if k not in ("claims", "net_sample", "forces", "rank_acceptability")}
    rest["rank_acceptability"] = result["rank_acceptability"].reset_index().to_dict("records")
    _atomic_write(out / "sensitivity.json", json.dumps(rest, ensure_ascii=False, indent=2, default=_json_default) + "\n")
    for m in result["moved_scores"].itertuples():
        print(f"note: {m.id}'s score {m.score:g} lies outside the scale {result['settings']['scale']}; "
              f"moved to {m.new_score:g} (by {m.moved_by:+g}).")
    print(result["claims"][["claim", "holds", "p_holds", "p_holds_se", "break_even"]].to_string(index=False))
    print(f"Wrote {out / 'claims.csv'} and {out / 'sensitivity.json'}")
    return 0


def _json_default(value):
    import numpy as np
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def cmd_template(args) -> int:
    from repro.pipeline.template import write_template
    written = write_template(args.folder, args.lang)
    for path in written:
        print(f"wrote {path}")
    print(f"Fill the files in (a spreadsheet is fine), then check them with: repro validate {args.folder}")
    return 0


def cmd_compare(args) -> int:
    import json

    from repro.methods.compare import compare, load_rater_scores
    from repro.figures.compare import plot_comparison
    from repro.pipeline.outputs import publish_figure

    analysis = _load(args.data)
    if not analysis.has_scores:
        print(f"repro: {analysis.folder}: the force field has no scores to compare with.", file=sys.stderr)
        return EXIT_USER_ERROR
    if not Path(args.scores).is_file():
        print(f"repro: {args.scores}: no such file; expected a CSV with columns rater, id, score.", file=sys.stderr)
        return EXIT_USER_ERROR
    raters = load_rater_scores(args.scores, analysis)
    result = compare(analysis, raters)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    _atomic_write(out / "compare_claims.csv", result["support"].to_csv(index=False, lineterminator="\n"))
    _atomic_write(out / "compare.json", json.dumps({
        "scores": result["scores"].reset_index(names="rater").to_dict("records"),
        "claims_by_rater": result["claims_by_rater"].reset_index(names="rater").to_dict("records"),
        "kendalls_w": result["kendalls_w"]}, ensure_ascii=False, indent=2, default=_json_default) + "\n")
    ax = plot_comparison(result["scores"], analysis.forces)
    publish_figure(ax.figure, out, "compare_scores")
    print(result["support"][["claim", "holds_for_paper", "raters_supporting", "raters"]].to_string(index=False))
    w = result["kendalls_w"]
    print(f"Kendall's W: {w['all_forces']:.3f} over all forces, {w['driving']:.3f} driving, {w['restraining']:.3f} restraining")
    print(f"Wrote {out / 'compare_claims.csv'}, {out / 'compare.json'} and {out / 'figures'}/compare_scores.*")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="repro", description="Reproduce Zholdybayev & Utepova's SWOT, force field and lotus flower.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check an analysis folder (default: the paper's data)")
    p.add_argument("folder", nargs="?", type=Path, default=None, help="folder with swot.csv, force_field.csv[, lotus.csv]")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("template", help="write an empty analysis (three files and their codebook) to fill in")
    p.add_argument("folder", type=Path, help="folder to create; existing files are never overwritten")
    p.add_argument("--lang", choices=("ru", "en"), default="en", help="language of the example rows (default: en)")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("summary", help="print the force-field totals, net and rankings")
    p.add_argument("folder", nargs="?", type=Path, default=None)
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("reproduce", help="run every notebook; write figures, notebooks, report and manifest")
    p.add_argument("--data", type=Path, default=None, help="analysis folder (default: the paper's data)")
    p.add_argument("--out", type=Path, default=Path("results"), help="output folder (default: results)")
    p.add_argument("--lang", choices=("ru", "en"), default="ru", help="language of the figures (default: ru, as published)")
    p.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default: 2)")
    p.set_defaults(func=cmd_reproduce)

    p = sub.add_parser("sensitivity", help="how sensitive the claims are to the scores; writes claims.csv and sensitivity.json")
    p.add_argument("--data", type=Path, default=None, help="analysis folder (default: the paper's data)")
    p.add_argument("--out", type=Path, default=Path("results/sensitivity"), help="output folder (default: results/sensitivity)")
    p.add_argument("--draws", type=int, default=100_000, help="Monte Carlo draws (default: 100000)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--noise", default="uniform", help="uniform, integer, ordinal or dirichlet (default: uniform)")
    p.add_argument("--half-width", type=float, default=0.5, help="noise half-width h (default: 0.5)")
    p.add_argument("--scale", type=float, nargs=2, metavar=("MIN", "MAX"), default=None,
                   help="score scale (default: the one the data declare); scores outside are moved onto it")
    p.set_defaults(func=cmd_sensitivity)

    p = sub.add_parser("compare", help="set a reviewer's (or several raters') scores beside the paper's")
    p.add_argument("scores", type=Path, help="CSV with columns rater, id, score (one row per rater and force)")
    p.add_argument("--data", type=Path, default=None, help="analysis folder (default: the paper's data)")
    p.add_argument("--out", type=Path, default=Path("results/compare"), help="output folder (default: results/compare)")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("check-source", help="check the paper's data verbatim against the article's text")
    p.add_argument("text", nargs="?", default=str(paths.SHARED_PAPER_TEXT), help="the article's text file")
    p.add_argument("--data", type=Path, default=None, help="analysis folder (default: the paper's data)")
    p.set_defaults(func=cmd_check_source)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except AnalysisError as exc:
        return _print_problems(exc)


if __name__ == "__main__":
    sys.exit(main())
