"""``repro template DIR``: the three files of an empty analysis, one example row each, and their
codebook, ready to fill in with a spreadsheet and check with ``repro validate DIR``."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from repro.data import codebook
from repro.errors import AnalysisError, Problem

#: One example row per file, in each language. Replace them with your own items.
EXAMPLES = {
    "ru": {
        "swot": [["S1", "S", "1", "Пример сильной стороны"], ["O1", "O", "1", "Пример возможности"],
                 ["T1", "T", "1", "Пример угрозы"]],
        "force_field": [["D1", "force", "driving", "3", "Пример возможности", "O1", "1"],
                        ["R1", "force", "restraining", "2", "Пример угрозы", "T1", "1"],
                        ["C1", "change", "", "", "Пример предлагаемого изменения", "", "1"]],
        "lotus": [["P1", "R1", "1", "1", "1", "Пример предложения по угрозе R1"]],
    },
    "en": {
        "swot": [["S1", "S", "1", "An example strength"], ["O1", "O", "1", "An example opportunity"],
                 ["T1", "T", "1", "An example threat"]],
        "force_field": [["D1", "force", "driving", "3", "An example opportunity", "O1", "1"],
                        ["R1", "force", "restraining", "2", "An example threat", "T1", "1"],
                        ["C1", "change", "", "", "An example proposed change", "", "1"]],
        "lotus": [["P1", "R1", "1", "1", "1", "An example proposal against threat R1"]],
    },
}
HEADERS = {
    "swot": ["id", "quadrant", "number", "text"],
    "force_field": ["id", "kind", "direction", "score", "text", "swot_id", "published_row"],
    "lotus": ["id", "centre_id", "block", "cell_row", "cell_col", "text"],
}
# A driving force is an opportunity and a restraining force a threat, so the examples link up;
# the template needs one opportunity and one threat at least, hence three SWOT rows.


def write_template(folder: str | Path, lang: str = "en", scale: tuple[float, float] = (1, 5)) -> list[Path]:
    """Write swot.csv, force_field.csv, lotus.csv and datapackage.json into ``folder``.

    Refuses (AnalysisError) to overwrite any file already there.
    """
    folder = Path(folder)
    names = [f"{name}.csv" for name in HEADERS] + ["datapackage.json"]
    existing = [n for n in names if (folder / n).exists()]
    if existing:
        raise AnalysisError([Problem(n, f"already exists in {folder}; choose an empty folder (nothing was written).")
                             for n in existing])
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, header in HEADERS.items():
        path = folder / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(EXAMPLES[lang][name])
        written.append(path)
    descriptor = codebook.reference()
    descriptor.update(name="my-analysis", title="My analysis", version="0.1.0",
                      description="Describe your analysis here: the goal, who scored the forces and how.",
                      sources=[{"title": "Say where your items and scores come from."}])
    for resource in descriptor["resources"]:
        resource["caption"] = ""
        resource.pop("caption_en", None)
        for field in resource["schema"]["fields"]:
            if field["name"] == "score":
                field["constraints"] = {"minimum": scale[0], "maximum": scale[1]}
                field["description"] = ("Strength of the force on your scale; change minimum and maximum "
                                        "to declare another scale (e.g. 1 to 10).")
    path = folder / "datapackage.json"
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    written.append(path)
    return written
