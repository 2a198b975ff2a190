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
from repro.labels import check_lang, label
from repro.methods.force_field import balance, rank_forces
from repro.methods.swot import quadrant_table
from repro.pipeline.outputs import read_numbers

#: The page's own words. The Russian and English versions say the same; neither is a translation
#: of the article.
WORDS = {
    "en": {
        "report": "Reproduction report", "sources": "Source", "data": "Data", "package": "Package",
        "no_codebook": "This folder has no datapackage.json of its own: the package's default codebook applies, "
                       "and there is no source to cite.",
        "scale": "scale", "scale_declared": "The scale is declared in the analysis's datapackage.json.",
        "scale_default": "The scale is the package codebook's default (the folder declares none).",
        "headline": "Headline",
        "checks": "Checks", "check": "check", "links": "links", "result": "result", "holds": "holds", "fails": "fails",
        "claims": "Conclusions and their robustness", "claim": "claim", "source": "source",
        "holds_at": "holds at the given scores", "p_holds": "P(holds) under noise [95 % interval]",
        "break_even": "break-even (one score)",
        "joint_flip": "joint flip (largest move; total)",
        "assumptions": "What each noise model assumes, and cannot show",
        "yes": "yes", "no": "no", "figures": "Figures", "also": "also SVG and PDF",
        "swot": "SWOT", "force_field": "Force field", "lotus": "Lotus flower",
        "id": "id", "original": "text", "translation": "English (translation)", "becomes": "becomes",
        "source_line": "source line", "direction": "direction", "score": "score", "rank": "rank",
        "change": "change", "centre": "centre", "cell": "block, row, column",
        "no_lotus": "This analysis has no lotus flower (no lotus.csv).",
        "translations": "Translations", "source_lines": "Source lines",
        "placeholders": "The {fields} of this report are still the template's placeholders, not the author's words: "
                        "write them in the analysis's datapackage.json.",
        "examples": "The analysis still holds the template's example rows, unchanged ({where}): what follows "
                    "describes the examples, not the author's analysis.",
        "example_claims": "The conclusions tested are the template's example claims ({where}), not the author's.",
        "fields": {"title": "title", "description": "description", "sources": "source"},
        "rows": "rows", "row": "row", "and": "and", "sheet": "sheet",
    },
    "ru": {
        "report": "Отчёт о воспроизведении", "sources": "Источник", "data": "Данные", "package": "Пакет",
        "no_codebook": "В папке нет собственного datapackage.json: действует кодовая книга пакета по умолчанию, "
                       "источника для ссылки нет.",
        "scale": "шкала", "scale_declared": "Шкала объявлена в datapackage.json анализа.",
        "scale_default": "Шкала взята по умолчанию из кодовой книги пакета (папка своей не объявляет).",
        "headline": "Главное",
        "checks": "Проверки", "check": "проверка", "links": "связей", "result": "результат",
        "holds": "выполняется", "fails": "не выполняется",
        "claims": "Выводы и их устойчивость", "claim": "вывод", "source": "источник",
        "holds_at": "верен при данных баллах", "p_holds": "P(верен) при шуме [95-процентный интервал]",
        "break_even": "точка перелома (один балл)",
        "joint_flip": "совместный перелом (наибольший сдвиг; сумма)",
        "assumptions": "Что предполагает каждая модель шума и чего она не может показать", "yes": "да", "no": "нет", "figures": "Рисунки", "also": "также SVG и PDF",
        "swot": "SWOT", "force_field": "Силовое поле", "lotus": "Цветок лотоса",
        "id": "id", "original": "текст", "translation": "по-английски (перевод)", "becomes": "становится",
        "source_line": "строка источника", "direction": "направление", "score": "балл", "rank": "ранг",
        "change": "изменение", "centre": "центр", "cell": "блок, строка, столбец",
        "no_lotus": "В этом анализе нет «цветка лотоса» (нет lotus.csv).",
        "translations": "Переводы", "source_lines": "Строки источника",
        "placeholders": "{fields} этого отчёта — ещё заготовки шаблона, а не слова автора: впишите свои в "
                        "datapackage.json анализа.",
        "examples": "В анализе остались неизменённые строки-примеры шаблона ({where}): всё, что ниже, описывает "
                    "примеры, а не анализ автора.",
        "example_claims": "Проверяемые выводы — примеры из шаблона ({where}), а не выводы автора.",
        "fields": {"title": "заголовок", "description": "описание", "sources": "источник"},
        "rows": "строки", "row": "строка", "and": "и", "sheet": "лист",
    },
}

FIGURE_CAPTIONS = {
    "en": {
        "swot": "SWOT grid; opportunities and threats marked with the force they become.",
        "force_field": "Force field in the order of the data; arrow length = score on one shared axis.",
        "force_field_sorted": "Force field sorted within each side, strongest first.",
        "lotus_published": "Lotus flower in the layout of the data; empty cells kept.",
        "lotus_canonical": "Lotus flower, canonical view cropped to the blocks that exist: theme in the middle, restraining forces as petals.",
        "sensitivity_net_histogram": "Net force (driving − restraining) over the Monte Carlo draws of noisy scores; "
                                     "the given net dashed.",
        "sensitivity_robustness_curves": "One panel per claim: how often it holds as the noise half-width h grows (lines, with their 95 % intervals); models without a width as dashed levels.",
        "sensitivity_tornado": "Net force when one score runs over the whole scale, the others as given.",
        "sensitivity_rank_acceptability": "Rank acceptability (SMAA-2): the probability of each place within its side; tied forces share the places they tie for, so each row and each column sums to 1.",
        "sensitivity_drop_one": "Drop one force: the net force without it.",
        "sensitivity_force_field_whiskers": "Force field with the spread of each score under the noise: whiskers from the 5th to the 95th percentile of the noisy scores.",
        "sensitivity_convergence": "Convergence: each claim's running estimate of P(holds) against the draws, with its 95 % interval.",
    },
    "ru": {
        "swot": "Матрица SWOT; возможности и угрозы отмечены силой, которой они становятся.",
        "force_field": "Силовое поле в порядке данных; длина стрелки = балл на общей оси.",
        "force_field_sorted": "Силовое поле, силы каждой стороны по убыванию.",
        "lotus_published": "«Цветок лотоса» в раскладке данных; пустые клетки сохранены.",
        "lotus_canonical": "«Цветок лотоса», канонический вид, только существующие блоки: тема в центре, силы сопротивления — лепестки.",
        "sensitivity_net_histogram": "Чистая сила (движущие − сопротивления) в испытаниях Монте-Карло с шумом в баллах; "
                                     "данная — пунктиром.",
        "sensitivity_robustness_curves": "По панели на утверждение: как часто оно верно при росте полуширины шума h "
                                         "(линии с 95-процентными интервалами); модели без ширины — пунктирные уровни.",
        "sensitivity_tornado": "Чистая сила, когда один балл пробегает всю шкалу, а остальные — как даны.",
        "sensitivity_rank_acceptability": "Приемлемость рангов (SMAA-2): вероятность каждого места внутри своей стороны; равные силы делят места, на которые претендуют, поэтому каждая строка и каждый столбец в сумме дают 1.",
        "sensitivity_drop_one": "Исключение одной силы: чистая сила без неё.",
        "sensitivity_force_field_whiskers": "Силовое поле с разбросом каждого балла под шумом: усы от 5-го до 95-го процентиля зашумлённых баллов.",
        "sensitivity_convergence": "Сходимость: текущая оценка P(верен) для каждого утверждения по мере роста числа испытаний, с 95-процентным интервалом.",
    },
}

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


def _in_lang(entry: dict, key: str, lang: str) -> str:
    """``entry[key + "_en"]`` for English where the data give one, else ``entry[key]`` ('' if neither)."""
    if lang == "en" and entry.get(f"{key}_en"):
        return str(entry[f"{key}_en"])
    return str(entry.get(key) or "")


def describe_analysis(analysis, lang: str, data_label: str) -> dict:
    """What the report says about the analysis, all read from the folder's own ``datapackage.json``.

    Returns title, citations (the sources' titles), description, the note on the scale (the score
    field's ``scale_note``, or ``scale_note_en`` in English, else a plain statement of where the
    scale is declared) and the notes on translations and source lines (those fields' descriptions).
    """
    words = WORDS[lang]
    own = analysis.folder / "datapackage.json"
    if not own.is_file():
        return {"title": data_label, "citations": [], "description": words["no_codebook"],
                "scale_note": words["scale_default"], "translation_note": "", "source_line_note": ""}
    descriptor = codebook.folder_codebook(analysis.folder)
    score = _field(descriptor, "force_field", "score")
    sources = descriptor.get("sources") or []
    return {
        "title": _in_lang(descriptor, "title", lang) or data_label,
        "citations": [str(s["title"]) for s in sources if isinstance(s, dict) and s.get("title")],
        "description": _in_lang(descriptor, "description", lang),
        "scale_note": _in_lang(score, "scale_note", lang) or words["scale_declared"],
        "translation_note": str(_field(descriptor, "swot", "text_en").get("description") or ""),
        "source_line_note": str(_field(descriptor, "swot", "source_line").get("description") or ""),
    }


def unfinished(analysis, lang: str) -> list[str]:
    """What the report says at its top when the analysis is still partly the template's: placeholder
    title, description or source, unchanged example rows and example claims ([] otherwise)."""
    words = WORDS[lang]

    def where(names) -> str:
        parts = []
        for name in names:
            rows, source = analysis.examples[name], analysis.source(name)
            sheet = f", {words['sheet']} {source.sheet}" if source.sheet else ""
            parts.append(f"{source.file}{sheet}, {words['row' if len(rows) == 1 else 'rows']} "
                         + ", ".join(map(str, rows)))
        return "; ".join(parts)

    said = []
    if analysis.placeholders:
        named = [words["fields"][f] for f in analysis.placeholders]
        fields = ", ".join(named[:-1]) + f" {words['and']} " + named[-1] if len(named) > 1 else named[0]
        said.append(words["placeholders"].format(fields=fields[:1].upper() + fields[1:] if lang == "ru" else fields))
    tables = [name for name in analysis.examples if name != "claims"]
    if tables:
        said.append(words["examples"].format(where=where(tables)))
    if "claims" in analysis.examples:
        said.append(words["example_claims"].format(where=where(["claims"])))
    return said


def _figures(out_dir: Path, lang: str) -> list[dict]:
    captions = FIGURE_CAPTIONS[lang]
    figures = []
    for path in sorted((out_dir / "figures").glob("*.png")):
        figures.append({"name": path.stem, "data": base64.b64encode(path.read_bytes()).decode("ascii"),
                        "caption": captions.get(path.stem, path.stem.replace("_", " "))})
    order = list(captions)
    return sorted(figures, key=lambda f: (order.index(f["name"]) if f["name"] in order else len(order), f["name"]))


def render_report(analysis, out_dir: Path, lang: str = "ru", data_label: str | None = None) -> str:
    """The report page as HTML text, from the analysis and what the notebooks wrote to ``out_dir``.

    Parameters
    ----------
    analysis
        The validated analysis (:func:`repro.data.load_analysis`).
    out_dir
        The folder the notebooks wrote their figures and numbers to.
    lang
        ``ru`` or ``en``: the page's headings, captions and the items' texts.
    data_label
        How the page names the data folder (default: :func:`repro.paths.shown_folder`).
    """
    lang = check_lang(lang)
    out_dir = Path(out_dir)
    data_label = data_label or paths.shown_folder(analysis.folder)
    forces = analysis.forces
    ranks = rank_forces(forces)[["id", "rank"]] if analysis.has_scores else pd.DataFrame({"id": forces["id"], "rank": ""})
    force_rows = forces.merge(ranks, on="id", how="left")
    force_rows["score"] = force_rows["score"].map(lambda s: f"{s:g}" if pd.notna(s) else "")
    swot = analysis.swot.merge(quadrant_table(analysis.swot, forces)[["id", "force_id"]], on="id")
    b = balance(forces) if analysis.has_scores else None
    numbers = read_numbers(out_dir) if (out_dir / "numbers").exists() else {}
    claims = numbers.get("claims", {}).get("claims", [])
    tables = [analysis.swot, analysis.force_field, analysis.lotus]
    return _env.get_template("report.html.j2").render(
        lang=lang, t=WORDS[lang], about=describe_analysis(analysis, lang, data_label), version=__version__,
        unfinished=unfinished(analysis, lang),
        data_folder=data_label, description=analysis.describe(), scale=str(analysis.scale),
        show_translation=_has_values(tables, "text_en"), show_source_line=_has_values(tables, "source_line"),
        captions={k: analysis.caption(k, lang) for k in ("swot", "force_field", "lotus")},
        balance=None if b is None else {"driving_total": f"{b.driving_total:g}", "restraining_total": f"{b.restraining_total:g}",
                                        "net": f"{b.net:g}", "verdict": label(f"verdict_{b.verdict}", lang),
                                        "driving": label("driving_total", lang),
                                        "restraining": label("restraining_total", lang), "net_label": label("net", lang)},
        chain=_records(chain_summary(chain_links(analysis.swot, forces, analysis.lotus))),
        claims=claims, claims_note=numbers.get("claims", {}).get("note", ""),
        claims_notes=numbers.get("claims", {}).get("notes", []),
        model_assumptions=numbers.get("claims", {}).get("model_assumptions", []),
        figures=_figures(out_dir, lang), swot=_records(swot), forces=_records(force_rows),
        changes=_records(analysis.changes), lotus=None if analysis.lotus is None else _records(analysis.lotus),
    )


def write_report(analysis, out_dir: str | Path, lang: str = "ru", data_label: str | None = None) -> Path:
    """Write ``out_dir/report.html`` (see :func:`render_report`) and return its path."""
    out_dir = Path(out_dir)
    path = out_dir / "report.html"
    path.write_text(render_report(analysis, out_dir, lang, data_label), encoding="utf-8")
    return path
