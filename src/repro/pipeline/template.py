"""``repro template DIR``: the files of an empty analysis (a few example rows each) and their
codebook, ready to fill in with a spreadsheet and check with ``repro validate DIR``.

The example ``claims.csv`` shows three kinds of claim; edit it to state your own conclusions, or
delete it to let the method's verdicts on your scores serve as the claims."""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
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
HEADERS = {
    "swot": ["id", "quadrant", "number", "text"],
    "force_field": ["id", "kind", "direction", "score", "text", "swot_id", "published_row"],
    "lotus": ["id", "centre_id", "block", "cell_row", "cell_col", "text"],
    "claims": ["id", "kind", "side", "force", "other", "k", "statement", "origin", "quote", "source_line", "note"],
}
#: Resources of the codebook a template leaves out: the components of a discussion are rare in a
#: student's analysis (add components.csv and this resource when you need them).
OPTIONAL_LEFT_OUT = ("components",)
# A driving force is an opportunity and a restraining force a threat, so the examples link up;
# the template needs one opportunity and one threat at least, hence three SWOT rows.


#: Field descriptions that, in the paper's codebook, speak of the article.
OWN_DESCRIPTIONS = {
    "score": "Strength of the force on your scale; change minimum and maximum to declare another scale (e.g. 1 to 10).",
    "text_en": "Optional: an English version of `text`, if you write your items in another language.",
    "source_line": "Optional: the line of your source's text file that holds the item or quote.",
    "source_table": "Optional: the table of your source the row comes from.",
}

def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue()


def _codebook_text(scale: tuple[float, float]) -> str:
    descriptor = codebook.reference()
    descriptor.update(name="my-analysis", title="My analysis", version="0.1.0",
                      description="Describe your analysis here: the goal, who scored the forces and how.",
                      sources=[{"title": "Say where your items and scores come from."}])
    for key in ("title_en", "description_en"):  # the paper's English versions; a student writes their own
        descriptor.pop(key, None)
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] not in OPTIONAL_LEFT_OUT]
    for resource in descriptor["resources"]:
        resource["caption"] = ""
        resource.pop("caption_en", None)
        for field in resource["schema"]["fields"]:
            # The paper's codebook speaks of the article; the report quotes these descriptions, so a
            # student's codebook says the same things of the student's own analysis.
            field.pop("scale_note", None)
            field.pop("scale_note_en", None)
            if field["name"] in OWN_DESCRIPTIONS:
                field["description"] = OWN_DESCRIPTIONS[field["name"]]
            if field["name"] == "score":
                field["constraints"] = {"minimum": scale[0], "maximum": scale[1]}
    return json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"


def _refusal(folder: Path, names: list[str]) -> AnalysisError:
    return AnalysisError([Problem(n, f"already exists in {folder}; choose an empty folder (nothing was written).")
                          for n in names])


def _write_new_files(folder: Path, contents: dict[str, bytes]) -> list[Path]:
    """Write each file of ``contents`` into ``folder``, all or none, never replacing or writing through
    anything already there (a file, a folder, a symbolic link, even one that points nowhere).

    Every file is first written whole under a temporary name of its own (created exclusively, never
    through a link), then renamed to its name by a rename that refuses to replace anything; if one
    name was taken in between, the files already renamed are taken back."""
    from repro.pipeline.outdir import _rename_no_replace

    temporary: dict[str, Path] = {}
    done: list[Path] = []
    try:
        for name, data in contents.items():
            path = folder / f".{name}.partial-{secrets.token_hex(6)}"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
            temporary[name] = path
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        for name, path in temporary.items():
            try:
                _rename_no_replace(path, folder / name)
            except FileExistsError:
                raise _refusal(folder, [name]) from None
            done.append(folder / name)
        return done
    except BaseException:
        for path in done:
            path.unlink(missing_ok=True)
        raise
    finally:
        for path in temporary.values():
            path.unlink(missing_ok=True)


def write_template(folder: str | Path, lang: str = "en", scale: tuple[float, float] = (1, 5)) -> list[Path]:
    """Write swot.csv, force_field.csv, lotus.csv, claims.csv and datapackage.json into ``folder``.

    Refuses (AnalysisError) to overwrite anything already there under those names, a symbolic link
    included (nothing is written through one); ``folder`` itself may be a link to a folder, which is
    followed. All five files are written, or none.
    """
    folder = Path(folder)
    if folder.is_symlink() and not folder.exists():
        raise AnalysisError([Problem(str(folder), f"is a symbolic link to {os.readlink(folder)}, which does not "
                                                  "exist; create that folder or name another (nothing was written).")])
    if folder.exists() and not folder.is_dir():
        raise AnalysisError([Problem(str(folder), "is a file, not a folder; name a folder (nothing was written).")])
    names = [f"{name}.csv" for name in HEADERS] + ["datapackage.json"]
    existing = [n for n in names if os.path.lexists(folder / n)]
    if existing:
        raise _refusal(folder, existing)
    contents = {f"{name}.csv": _csv_text(header, EXAMPLES[lang][name]).encode("utf-8") for name, header in HEADERS.items()}
    contents["datapackage.json"] = _codebook_text(scale).encode("utf-8")
    made = [] if folder.is_dir() else [p for p in [folder, *folder.parents] if not os.path.lexists(p)]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return _write_new_files(folder, contents)
    except OSError as exc:
        from repro.pipeline.outdir import OutputFolderError, describe_failure

        for path in made:  # the folders this call created, deepest first: nothing is left half-done
            try:
                path.rmdir()
            except OSError:
                break
        raise OutputFolderError(f"{folder}: the template could not be written: {describe_failure(exc)}; "
                                "nothing was written.") from None
