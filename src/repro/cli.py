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
    from repro.chain import chain_links, chain_summary
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
    from repro.force_field import balance, rank_forces
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
    from repro.transcription import check_against_text
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="repro", description="Reproduce Zholdybayev & Utepova's SWOT, force field and lotus flower.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check an analysis folder (default: the paper's data)")
    p.add_argument("folder", nargs="?", type=Path, default=None, help="folder with swot.csv, force_field.csv[, lotus.csv]")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("summary", help="print the force-field totals, net and rankings")
    p.add_argument("folder", nargs="?", type=Path, default=None)
    p.set_defaults(func=cmd_summary)

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
