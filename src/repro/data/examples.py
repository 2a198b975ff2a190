"""What ``repro template`` writes as examples, and how an analysis is seen to still hold them.

The template's rows and its title and description are placeholders for the student's own. While
one of them is left as written, validation and the report say so, so that an example is never taken
for the student's analysis (nor an example claim for the student's conclusion).
"""

from __future__ import annotations

#: The columns of each file the template writes, in order.
HEADERS = {
    "swot": ["id", "quadrant", "number", "text"],
    "force_field": ["id", "kind", "direction", "score", "text", "swot_id", "published_row"],
    "lotus": ["id", "centre_id", "block", "cell_row", "cell_col", "text"],
    "claims": ["id", "kind", "side", "force", "other", "k", "statement", "origin", "quote", "source_line", "note"],
}

#: One example row or a few per file, in each language. A driving force is an opportunity and a
#: restraining force a threat, so the examples link up; the template needs one opportunity and one
#: threat at least, hence three SWOT rows. The example claims show three kinds of claim.
EXAMPLES = {
    "ru": {
        "swot": [["S1", "S", "1", "Пример сильной стороны"], ["O1", "O", "1", "Пример возможности"],
                 ["T1", "T", "1", "Пример угрозы"]],
        "force_field": [["D1", "force", "driving", "3", "Пример возможности", "O1", "1"],
                        ["R1", "force", "restraining", "2", "Пример угрозы", "T1", "1"],
                        ["C1", "change", "", "", "Пример предлагаемого изменения", "", "1"]],
        "lotus": [["P1", "R1", "1", "1", "1", "Пример предложения по угрозе R1"]],
        "claims": [["balance", "side_outweighs", "driving", "", "", "", "Движущие силы перевешивают силы сопротивления",
                    "method", "", "", "Пример: вывод метода (сумма баллов). Замените своими выводами или удалите файл."],
                   ["d1_over_r1", "outweighs", "", "D1", "R1", "", "Пример возможности (D1) сильнее примера угрозы (R1)",
                    "authors", "", "", "Пример: ваш собственный вывод; в quote можно привести фразу источника."],
                   ["chain", "chain", "", "", "", "", "Движущие силы - возможности, силы сопротивления - угрозы",
                    "method", "", "", ""]],
    },
    "en": {
        "swot": [["S1", "S", "1", "An example strength"], ["O1", "O", "1", "An example opportunity"],
                 ["T1", "T", "1", "An example threat"]],
        "force_field": [["D1", "force", "driving", "3", "An example opportunity", "O1", "1"],
                        ["R1", "force", "restraining", "2", "An example threat", "T1", "1"],
                        ["C1", "change", "", "", "An example proposed change", "", "1"]],
        "lotus": [["P1", "R1", "1", "1", "1", "An example proposal against threat R1"]],
        "claims": [["balance", "side_outweighs", "driving", "", "", "",
                    "the driving side outweighs the restraining side (sum of scores)", "method", "", "",
                    "An example: the method's verdict. Replace with your own conclusions, or delete this file."],
                   ["d1_over_r1", "outweighs", "", "D1", "R1", "", "An example opportunity (D1) outweighs an example threat (R1)",
                    "authors", "", "", "An example of your own conclusion; quote your source's sentence in quote."],
                   ["chain", "chain", "", "", "", "",
                    "driving forces are the opportunities, restraining forces the threats, lotus centres the restraining forces",
                    "method", "", "", ""]],
    },
}

#: The template's title and description of the analysis, in each language: placeholders to replace.
PLACEHOLDERS = {
    "ru": {"title": "Мой анализ (замените своим заголовком)",
           "description": "Опишите здесь свой анализ: цель, кто и как оценивал силы.",
           "sources": "Укажите, откуда взяты пункты и баллы."},
    "en": {"title": "My analysis (replace this title with yours)",
           "description": "Describe your analysis here: the goal, who scored the forces and how.",
           "sources": "Say where your items and scores come from."},
}


def placeholder_fields(descriptor: dict) -> list[str]:
    """Which of ``title``, ``description`` and ``sources`` in ``descriptor`` are still the template's
    placeholders."""
    left = []
    sources = descriptor.get("sources")
    first_source = sources[0].get("title") if isinstance(sources, list) and sources and isinstance(sources[0], dict) else ""
    for key, value in (("title", descriptor.get("title")), ("description", descriptor.get("description")),
                       ("sources", first_source)):
        if str(value or "").strip() in {PLACEHOLDERS[lang][key] for lang in PLACEHOLDERS}:
            left.append(key)
    return left


def example_rows(name: str, header: list[str], rows: list[list[str]], row_numbers: list[int]) -> list[int]:
    """The row numbers of the rows of table ``name`` that are the template's example rows, unchanged."""
    if name not in HEADERS:
        return []
    examples = {tuple(row) for lang in EXAMPLES for row in EXAMPLES[lang][name]}
    index = {h: i for i, h in enumerate(header)}
    found = []
    for cells, number in zip(rows, row_numbers):
        seen = tuple(cells[index[c]] if c in index else "" for c in HEADERS[name])
        extra = any(cells[i] for h, i in index.items() if h not in HEADERS[name])
        if seen in examples and not extra:
            found.append(number)
    return found
