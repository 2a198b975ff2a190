"""One self-contained HTML page for a reviewer, an editor or a student: figures embedded, the three
tables in the original and in translation, totals, checks, and where each value came from.

Everything said about the analysis comes from the analysis folder itself: its title, description,
sources and the note on its scale are read from its own ``datapackage.json`` (a folder without one
is named by its folder name and cites nothing). Headings and captions follow ``lang``.

Jinja2 escapes every value taken from the data files, so an item whose text is
``<script>alert(1)</script>`` shows as that text.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from repro import __version__, paths
from repro.data import codebook
from repro.data.chain import chain_links, chain_summary
from repro.i18n import format_interval, format_list, format_number, format_scale, gettext, ngettext
from repro.labels import check_lang, label
from repro.methods.claims import claims_for
from repro.methods.force_field import balance, mean_rule_text, rank_forces
from repro.methods.intervals import interval_text
from repro.methods.joint_flip import moves_shown
from repro.methods.swot import quadrant_table
from repro.pipeline.outputs import read_numbers

#: The figures in the order the page shows them (each captioned by the message ``caption_<name>``);
#: a figure this list lacks comes after them, named by its file.
FIGURE_ORDER = ("swot", "force_field", "force_field_sorted", "lotus_published", "lotus_canonical",
                "sensitivity_net_histogram", "sensitivity_robustness_curves", "sensitivity_break_even",
                "sensitivity_rank_acceptability", "sensitivity_drop_one", "sensitivity_force_field_whiskers",
                "sensitivity_convergence")
#: Which figures each section of the page cites by number.
CITED_BY = {"swot": ("swot",), "force_field": ("force_field", "force_field_sorted"),
            "lotus": ("lotus_published", "lotus_canonical"),
            "claims": ("sensitivity_net_histogram", "sensitivity_robustness_curves", "sensitivity_break_even",
                       "sensitivity_rank_acceptability", "sensitivity_drop_one", "sensitivity_force_field_whiskers",
                       "sensitivity_convergence")}


class Words:
    """The page's words in one language: ``t.claims`` is the message ``report_claims``."""

    def __init__(self, lang: str):
        self.lang = lang

    def __getattr__(self, key: str) -> str:
        if key.startswith("_"):
            raise AttributeError(key)
        return gettext(self.lang, f"report_{key}")


# The template ships inside the package (repro/pipeline/templates), found the way importlib.resources finds it.
_env = Environment(loader=PackageLoader("repro.pipeline", "templates"),
                   autoescape=select_autoescape(["html", "j2"]), trim_blocks=False)


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), "").to_dict("records")


def _has_values(frames: list[pd.DataFrame | None], column: str) -> bool:
    """Whether any of ``frames`` has a non-empty cell in ``column``."""
    def filled(values: pd.Series) -> bool:
        return bool((values.notna() & values.astype(object).map(lambda v: str(v).strip() != "")).any())
    return any(f is not None and column in f and filled(f[column]) for f in frames)


def _field(descriptor: dict, resource: str, name: str) -> dict:
    """A field's descriptor from ``descriptor`` ({} when the codebook lacks the resource or the field)."""
    try:
        fields = codebook.resource(descriptor, resource)["schema"]["fields"]
    except (KeyError, StopIteration, TypeError):
        return {}
    return next((f for f in fields if isinstance(f, dict) and f.get("name") == name), {})


def _in_lang(entry: dict, key: str, lang: str, language: str) -> dict:
    """What the data say under ``key`` for a reader of ``lang``, with the language it is written in:
    ``entry[key + "_en"]`` for English where the data give one, else ``entry[key]``, which is in the
    analysis's ``language``. A dict with text ('' if neither) and lang."""
    if lang == "en" and entry.get(f"{key}_en"):
        return {"text": str(entry[f"{key}_en"]), "lang": "en"}
    return {"text": str(entry.get(key) or ""), "lang": language}


def _ours(text: str, lang: str) -> dict:
    """The package's own words, in the page's language."""
    return {"text": text, "lang": lang}


def describe_analysis(analysis, lang: str, data_label: str) -> dict:
    """What the report says about the analysis, read from the folder's own ``datapackage.json``: each
    passage with the language it is written in (the page marks those in another language).

    Returns title, citations (each source's title as written, with its English version where the
    codebook gives one), description and the note on the scale (the score field's ``scale_note``, or
    ``scale_note_en`` in English, else a plain statement of where the scale is declared).
    """
    language = analysis.language
    own = analysis.folder / "datapackage.json"
    if not own.is_file():
        return {"title": {"text": data_label, "lang": ""}, "citations": [],
                "description": _ours(gettext(lang, "report_no_codebook"), lang),
                "scale_note": _ours(gettext(lang, "report_scale_default"), lang)}
    descriptor = codebook.folder_codebook(analysis.folder)
    score = _field(descriptor, "force_field", "score")
    sources = descriptor.get("sources") or []
    title = _in_lang(descriptor, "title", lang, language)
    scale_note = _in_lang(score, "scale_note", lang, language)
    return {
        "title": title if title["text"] else {"text": data_label, "lang": ""},
        "citations": [{"text": str(s["title"]), "lang": language,
                       "english": str(s.get("title_en") or "") if lang == "en" else ""}
                      for s in sources if isinstance(s, dict) and s.get("title")],
        "description": _in_lang(descriptor, "description", lang, language),
        "scale_note": scale_note if scale_note["text"] else _ours(gettext(lang, "report_scale_declared"), lang),
    }


def unfinished(analysis, lang: str) -> list[str]:
    """What the report says at its top, in ``lang``, when the analysis is still partly the template's:
    placeholder title, description or source, unchanged example rows and example claims ([] otherwise)."""
    def where(names) -> str:
        parts = []
        for name in names:
            rows, source = analysis.examples[name], analysis.source(name)
            file = gettext(lang, "report_in_sheet", file=source.file, sheet=source.sheet) if source.sheet else source.file
            # a list of row numbers, not a count: "rows" however many (Russian "строки 2, 3", never "строк")
            shown = gettext(lang, "report_row" if len(rows) == 1 else "report_rows", rows=", ".join(map(str, rows)))
            parts.append(f"{file}, {shown}")
        return "; ".join(parts)

    said = []
    if analysis.placeholders:
        fields = format_list([gettext(lang, f"report_field_{f}") for f in analysis.placeholders], lang)
        text = ngettext(lang, "report_placeholders", len(analysis.placeholders), fields=fields)
        said.append(text[:1].upper() + text[1:])  # the sentence may begin with the fields (Russian does)
    tables = [name for name in analysis.examples if name != "claims"]
    if tables:
        said.append(gettext(lang, "report_examples", where=where(tables)))
    if "claims" in analysis.examples:
        said.append(gettext(lang, "report_example_claims", where=where(["claims"])))
    return said


def _figures(out_dir: Path, lang: str) -> list[dict]:
    """The PNG figures, embedded, in :data:`FIGURE_ORDER` and numbered in that order (Figure 1, ...),
    each with its caption and its alt text (what it shows) in ``lang``, and the other formats it was
    actually written in."""
    figures = []
    for path in sorted((out_dir / "figures").glob("*.png")):
        try:
            caption = gettext(lang, f"caption_{path.stem}")
            alt = gettext(lang, f"alt_{path.stem}")
        except KeyError:  # a figure the package does not know by name (a notebook of the user's)
            caption = alt = path.stem.replace("_", " ")
        others = sorted(p.suffix[1:].upper() for p in path.parent.glob(f"{path.stem}.*") if p.suffix != ".png")
        figures.append({"name": path.stem, "data": base64.b64encode(path.read_bytes()).decode("ascii"),
                        "caption": caption, "alt": alt,
                        "also": gettext(lang, "report_also", formats=format_list(others, lang)) if others else ""})
    order = list(FIGURE_ORDER)
    figures.sort(key=lambda f: (order.index(f["name"]) if f["name"] in order else len(order), f["name"]))
    for number, figure in enumerate(figures, 1):
        figure["number"] = gettext(lang, "report_figure_number", n=number)
    return figures


def _citations(figures: list[dict], lang: str) -> dict[str, str]:
    """Per section of the page (:data:`CITED_BY`), the sentence that cites its figures by number
    ("See Figures 2 and 3."), or '' where none of them was drawn."""
    numbers = {f["name"]: f["number"] for f in figures}
    cited = {}
    for section, names in CITED_BY.items():
        shown = [numbers[n] for n in names if n in numbers]
        cited[section] = gettext(lang, "report_see_figures", figures=format_list(shown, lang)) if shown else ""
    return cited


def global_indices(out_dir: Path, analysis, lang: str) -> dict:
    """The Sobol and PAWN indices the sensitivity notebook wrote (``sensitivity/sensitivity.json``),
    as rows for the page: each output (the net force, or a claim by its statement), each force, the
    index and its 95 % interval; {} where they were not computed."""
    path = out_dir / "sensitivity" / "sensitivity.json"
    if not path.is_file():
        return {}
    import json

    data = json.loads(path.read_text(encoding="utf-8"))
    statements = {c.id: c.text(lang) for c in claims_for(analysis, lang=lang).claims}

    def output(name) -> str:
        text = gettext(lang, "report_net_force") if name == "net" else statements.get(name, str(name))
        return text[:1].upper() + text[1:]

    def interval(row, key, low, high) -> str:
        value = row.get(key)
        if not isinstance(value, (int, float)):
            return ""
        shown = format_number(value, lang, 3)
        if isinstance(row.get(low), (int, float)) and isinstance(row.get(high), (int, float)):
            return f"{shown} [{format_interval(row[low], row[high], lang, 3)}]"
        return shown

    sobol = [{"output": output(r.get("output")), "id": r.get("id"), "s1": interval(r, "S1", "S1_low", "S1_high"),
              "st": interval(r, "ST", "ST_low", "ST_high")} for r in data.get("sobol") or []]
    pawn = [{"output": output(r.get("output")), "id": r.get("id"),
             "pawn": interval(r, "pawn_median", "pawn_low", "pawn_high"),
             "above": gettext(lang, "report_yes" if r.get("above_noise") else "report_no")} for r in data.get("pawn") or []]
    return {"sobol": sobol, "pawn": pawn} if sobol or pawn else {}


def _significant(value: float, lang: str, digits: int = 4) -> str:
    """``value`` to ``digits`` significant digits, as a reader of ``lang`` writes it."""
    return format_number(float(f"{value:.{digits}g}"), lang)


def _claims(analysis, numbers: dict, lang: str) -> list[dict]:
    """The rows of the claims table: the numbers the sensitivity notebook wrote (``numbers/claims.json``)
    beside each claim's words from the analysis's registry, each passage with its language."""
    registry = {c.id: c for c in claims_for(analysis, lang=lang).claims}
    language = analysis.language
    rows = []
    for row in numbers.get("claims", []):
        claim = registry.get(row.get("claim"))
        statement = claim.text(lang) if claim else str(row.get("statement") or "")
        said_in = lang if claim and (dict(claim.generated).get(lang) or lang == language
                                     or (lang == "en" and claim.statement_en)) else language
        note_lang = "en" if claim and lang == "en" and claim.note_en else language
        p, low, high = (row.get(k) for k in ("p_holds", "p_holds_low", "p_holds_high"))
        flip = row.get("flip_max_change")
        rows.append({
            "id": row.get("claim"), "statement": {"text": statement, "lang": said_in},
            "note": {"text": claim.note_text(lang) if claim else "", "lang": note_lang},
            "quote": {"text": claim.quoted(lang) if claim else "", "lang": language},
            "fallback_source": "" if claim is None or claim.note or claim.quote else claim.source_text(lang),
            "holds": row.get("holds"),
            "p_holds": interval_text(p, low, high, lang=lang) if isinstance(p, (int, float)) else str(p or ""),
            "break_even": str(row.get("break_even_text") or ""),
            "flip": "" if not isinstance(flip, (int, float)) or flip != flip else
                    f"{_significant(flip, lang)}; {_significant(row['flip_total_change'], lang)}"
                    f" ({moves_shown(row.get('flip_total_moves', ''), lang)})",
        })
    return rows


def render_report(analysis, out_dir: Path, lang: str = "ru", data_label: str | None = None) -> str:
    """The report page as HTML text, from the analysis and what the notebooks wrote to ``out_dir``.

    Parameters
    ----------
    analysis
        The validated analysis (:func:`repro.data.load_analysis`).
    out_dir
        The folder the notebooks wrote their figures and numbers to.
    lang
        One of :data:`repro.i18n.LANGS`: the page's language (its headings, captions, sentences and
        numbers); every passage in another language (the original in an English page, our English
        translation in a Russian one) is marked with its ``lang`` attribute.
    data_label
        How the page names the data folder (default: :func:`repro.paths.shown_folder`).
    """
    lang = check_lang(lang)
    out_dir = Path(out_dir)
    data_label = data_label or paths.shown_folder(analysis.folder)
    forces = analysis.forces
    ranks = rank_forces(forces)[["id", "rank"]] if analysis.has_scores else pd.DataFrame({"id": forces["id"], "rank": ""})
    force_rows = forces.merge(ranks, on="id", how="left")
    force_rows["score"] = force_rows["score"].map(lambda s: format_number(s, lang) if pd.notna(s) else "")
    force_rows["direction"] = force_rows["direction"].map(lambda d: label(f"direction_{d}", lang) if d else "")
    swot = analysis.swot.merge(quadrant_table(analysis.swot, forces)[["id", "force_id"]], on="id")
    b = balance(forces) if analysis.has_scores and forces["score"].notna().all() else None
    numbers = read_numbers(out_dir) if (out_dir / "numbers").exists() else {}
    claims_numbers = numbers.get("claims", {})
    tables = [analysis.swot, analysis.force_field, analysis.lotus]
    language = analysis.language
    figures = _figures(out_dir, lang)
    return _env.get_template("report.html.j2").render(
        lang=lang, source_lang=language, t=Words(lang), about=describe_analysis(analysis, lang, data_label),
        version=__version__, unfinished=unfinished(analysis, lang), data_folder=data_label,
        description=analysis.describe(lang), scale=format_scale(analysis.scale, lang),
        show_translation=_has_values(tables, "text_en"), show_source_line=_has_values(tables, "source_line"),
        captions={k: _caption(analysis, k, lang) for k in ("swot", "force_field", "lotus")},
        balance=None if b is None else {"driving_total": format_number(b.driving_total, lang),
                                        "restraining_total": format_number(b.restraining_total, lang),
                                        "net": format_number(b.net, lang), "verdict": label(f"verdict_{b.verdict}", lang),
                                        "driving": label("driving_total", lang),
                                        "restraining": label("restraining_total", lang), "net_label": label("net", lang),
                                        "mean_rule": mean_rule_text(forces, lang) if b.n_driving != b.n_restraining else ""},
        chain=_records(chain_summary(chain_links(analysis.swot, forces, analysis.lotus), lang)),
        claims=_claims(analysis, claims_numbers, lang), claims_note=claims_numbers.get("note", ""),
        claims_notes=claims_numbers.get("notes", []),
        model_assumptions=claims_numbers.get("model_assumptions", []),
        figures=figures, cite=_citations(figures, lang), indices=global_indices(out_dir, analysis, lang),
        swot=_records(swot), forces=_records(force_rows),
        changes=_records(analysis.changes), lotus=None if analysis.lotus is None else _records(analysis.lotus),
    )


def _caption(analysis, table: str, lang: str) -> dict:
    """A table's caption for ``lang`` with the language it is written in (the English one is ours)."""
    if lang == "en" and analysis.captions.get(f"{table}_en"):
        return {"text": analysis.captions[f"{table}_en"], "lang": "en"}
    return {"text": analysis.captions.get(table, ""), "lang": analysis.language}


def write_report(analysis, out_dir: str | Path, lang: str = "ru", data_label: str | None = None) -> Path:
    """Write ``out_dir/report.html`` (see :func:`render_report`) and return its path."""
    out_dir = Path(out_dir)
    path = out_dir / "report.html"
    path.write_text(render_report(analysis, out_dir, lang, data_label), encoding="utf-8")
    return path
