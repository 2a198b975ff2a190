"""CSV files as students' programs save them: read as written, or refused with a fix, never misread.

The files under tests/fixtures/clients/ were written by LibreOffice Calc itself or byte for byte as
Excel writes them (see its README). Each is put in a copy of the paper's folder in place of the
table it holds; what is read must be the paper's own cells, or the file is refused with exit 2 and a
message saying how to save it. The property tests write random tables of real words in every
encoding, delimiter and decimal mark a spreadsheet uses (read back cell for cell) and in encodings
this package does not take (refused, or read as the very same text: never misread).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import shutil

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repro import AnalysisError, load_analysis, paths
from repro.cli import main
from repro.data.csvfile import read_csv_table
from repro.data.encoding import SAVE_AS_UTF8, Undecided, decode
from repro.errors import Problem

from conftest import REPOSITORY, tree_snapshot

CLIENTS = REPOSITORY / "tests" / "fixtures" / "clients"


def put(folder, fixture: str, table: str):
    """The fixture ``fixture`` as the folder's ``table``.csv."""
    shutil.copyfile(CLIENTS / fixture, folder / f"{table}.csv")


def cells(analysis, table: str) -> pd.DataFrame:
    return getattr(analysis, table).drop(columns="file_row")


PAPER = load_analysis(paths.PAPER_DATA)


@pytest.mark.parametrize("fixture, table, encoding", [
    ("excel/swot.ru-windows-1251.csv", "swot", "Windows-1251"),
    ("excel/force_field.ru-windows-1251.csv", "force_field", "Windows-1251"),
    ("excel/force_field.utf-8-bom.csv", "force_field", "byte-order mark"),
    ("excel/swot.unicode-text.txt", "swot", "UTF-16"),
    ("libreoffice/swot.ru-windows-1251.csv", "swot", "Windows-1251"),
    ("libreoffice/force_field.ru-windows-1251.csv", "force_field", "Windows-1251"),
    ("libreoffice/force_field.ru-utf-8.csv", "force_field", "semicolons"),
    ("libreoffice/swot.en-utf-8.csv", "swot", None),
])
def test_a_spreadsheets_csv_reads_as_the_paper_s_own_cells(paper_copy, fixture, table, encoding):
    put(paper_copy, fixture, table)
    analysis = load_analysis(paper_copy)
    pd.testing.assert_frame_equal(cells(analysis, table), cells(PAPER, table))
    if encoding:
        assert any(encoding in note for note in analysis.notes), analysis.notes


def test_a_windows_1252_file_reads_as_written(tmp_path, capsys):
    # A French student's analysis from French Windows: Windows-1252, semicolons, decimal commas.
    for table in ("swot", "force_field"):
        shutil.copyfile(CLIENTS / f"excel/french.{table}.fr-windows-1252.csv", tmp_path / f"{table}.csv")
    analysis = load_analysis(tmp_path)
    assert list(analysis.swot["text"])[:2] == ["Équipe de bénévoles très motivée", "Budget réduit à zéro après l'été"]
    assert "« Le Télégramme »" in analysis.swot["text"].iloc[3]
    assert dict(zip(analysis.forces["id"], analysis.forces["score"])) == {"D1": 4.5, "D2": 2.5, "R1": 3.2}
    assert any("Windows-1252" in note for note in analysis.notes)
    assert main(["validate", "--data", str(tmp_path)]) == 0


@pytest.mark.parametrize("fixture", ["excel/swot.en-windows-1252.csv", "libreoffice/swot.en-windows-1252.csv"])
def test_letters_lost_as_question_marks_are_refused_with_how_to_save(paper_copy, capsys, fixture):
    # English Windows saves every Cyrillic letter as "?": the letters are gone, and must not be read as text.
    put(paper_copy, fixture, "swot")
    before = tree_snapshot(paper_copy)
    assert main(["validate", "--data", str(paper_copy)]) == 2
    assert tree_snapshot(paper_copy) == before  # the refused file is left as it was
    err = capsys.readouterr().err
    assert "swot.csv, row 2, column \"text\": '???????? ?????????? ???????" in err
    assert "question marks where letters should be" in err and "letters were lost" in err
    assert "'CSV UTF-8 (Comma delimited) (*.csv)'" in err and "Character set 'Unicode (UTF-8)'" in err
    assert "Traceback" not in err


def test_signs_lost_in_koi8_r_are_refused(paper_copy, capsys):
    # KOI8-R has no « »: LibreOffice writes "?" for them, which is not what the student typed.
    put(paper_copy, "libreoffice/swot.koi8-r.csv", "swot")
    assert main(["validate", "--data", str(paper_copy)]) == 2
    assert "'Концепция ?слышащего государства?' has question marks" in capsys.readouterr().err


def test_koi8_r_reads_as_written(paper_copy):
    path = paper_copy / "swot.csv"
    text = path.read_text(encoding="utf-8").translate(str.maketrans("«»“”’", '""""\''))
    path.write_bytes(text.encode("koi8_r"))
    analysis = load_analysis(paper_copy)
    assert analysis.swot["text"].iloc[0] == "Активное вовлечение граждан и институтов гражданского общества"
    assert any("KOI8-R" in note for note in analysis.notes)


def test_an_encoding_no_spreadsheet_of_ours_saves_is_refused(paper_copy, capsys):
    put(paper_copy, "excel/swot.mac-cyrillic.csv", "swot")
    assert main(["validate", "--data", str(paper_copy)]) == 2
    err = capsys.readouterr().err
    assert "swot.csv: is not UTF-8, and no encoding a spreadsheet saves in reads it as text" in err
    assert SAVE_AS_UTF8 in err


def test_a_windows_1252_file_with_too_few_accents_is_refused_for_that_reason(small_analysis, capsys):
    # "café" and "naïve" are 2 letters outside ASCII: Windows-1252 is the one reading that is text, but
    # too little to choose on. The message said "no encoding ... reads it as text", which was untrue.
    path = small_analysis / "force_field.csv"
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[1].split(",")[4]
    path.write_bytes(text.replace(first, "A café for naive and naïve", 1).encode("cp1252"))
    assert main(["validate", "--data", str(small_analysis)]) == 2
    err = capsys.readouterr().err
    assert "it reads as text only as Windows-1252 (Western European), with too few letters outside ASCII to be " \
           "sure" in err and "only 2 letters outside ASCII" in err and SAVE_AS_UTF8 in err


def test_a_utf_8_file_with_one_invalid_byte_is_refused_at_its_row_and_column(paper_copy, capsys):
    # The whole file was once read as Windows-1251 because of one bad byte (issue 17); now the byte is named.
    path = paper_copy / "force_field.csv"
    data = path.read_bytes()
    at = data.index("Повышение качества".encode())
    path.write_bytes(data[:at + 4] + b"\xff" + data[at + 4:])
    assert main(["validate", "--data", str(paper_copy)]) == 2
    err = capsys.readouterr().err
    assert 'force_field.csv, row 3, column "text": the file is UTF-8 text, but byte 0xff at character 3' in err
    assert "Пo" not in err and "Р”" not in err  # nothing decoded as another encoding
    assert "Retype the cell's text" in err


def test_text_garbled_by_an_earlier_wrong_conversion_is_refused(paper_copy, capsys):
    # "Р”РѕРІРµСЂРёРµ": UTF-8 read as Windows-1251 by some program, then saved as UTF-8.
    path = paper_copy / "swot.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Дебюрократизация", "Дебюрократизация".encode("utf-8").decode("cp1251")),
                    encoding="utf-8")
    assert main(["validate", "--data", str(paper_copy)]) == 2
    err = capsys.readouterr().err
    assert "row 5" in err and "is garbled: it is the text 'Дебюрократизация государственной власти'" in err


@pytest.mark.parametrize("text, meant", [
    ("CafГ©", "Café"),             # UTF-8 "é" read as Windows-1251
    ("CafÃ© au lait", "Café au lait"),   # ... as Windows-1252
    ("MГјller", "Müller"),         # a Cyrillic pair inside a Latin word
    ("её слабая сторона", None),   # "её" in KOI8-R is the UTF-8 of "ţ": a word, not a garbling
    ("«её», (ЕЁ)", None),          # "ЕЁ" in Windows-1251 is the UTF-8 of "Ũ"; quotes and brackets around
])
def test_one_garbled_latin_letter_is_told_from_a_short_russian_word(text, meant):
    from repro.data.cells import garbled

    assert garbled(text) == meant


def test_a_russian_text_with_the_word_её_is_read(paper_copy, capsys):
    # The paper's components.csv says "её слабая сторона"; the check for garbled text refused it (issue 18's data).
    path = paper_copy / "swot.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Дебюрократизация", "Её дебюрократизация", 1), encoding="utf-8")
    assert main(["validate", "--data", str(paper_copy)]) == 0, capsys.readouterr().err


def test_a_replacement_character_is_refused(paper_copy, capsys):
    edit = paper_copy / "lotus.csv"
    edit.write_text(edit.read_text(encoding="utf-8").replace("а", "\ufffd", 1), encoding="utf-8")
    assert main(["validate", "--data", str(paper_copy)]) == 2
    assert "holds U+FFFD" in capsys.readouterr().err


@pytest.mark.parametrize("data, expected", [
    (codecs.BOM_UTF32_LE + "id".encode("utf-32-le"), "UTF-32"),
    ("id,text\nS1,Доверие граждан\n".encode("utf-16-le"), "UTF-16 without the byte-order mark"),
    (b"id,text\nS1,\xd0\xd7", "is not UTF-8"),
])
def test_undecidable_bytes_say_why(data, expected):
    with pytest.raises(Undecided, match=expected) as info:
        decode(data)
    assert SAVE_AS_UTF8 in str(info.value)


# ---------------------------------------------------------------------------------------------------
# Property tests: random tables of real words.

def _words(*names: str) -> list[str]:
    """The Russian words of the paper's tables, as written (abbreviations in capitals)."""
    text = " ".join((paths.PAPER_DATA / name).read_text(encoding="utf-8") for name in names)
    return sorted(set(re.findall(r"[А-Яа-яЁё]{2,}", text)))


RUSSIAN = _words("swot.csv", "force_field.csv", "lotus.csv")
WESTERN = ("équipe bénévoles très motivée budget réduit zéro après été subvention régionale fête quartier "
           "intérêt presse locale météo défavorable août prévoir chapiteau repli élève naïve façade garçon "
           "déjà hôpital forêt château größere beteiligung bürger datenschutz bedenken über überwachung straße "
           "schön mädchen niño año señor canción corazón").split()
ENGLISH = "the council students vote online platform security budget trust volunteers festival".split()
#: Where a spreadsheet writes each encoding, the words it can hold.
ACCEPTED = {"utf-8": RUSSIAN + WESTERN, "utf-8-sig": RUSSIAN + WESTERN, "utf-16": RUSSIAN + WESTERN,
            "cp1251": RUSSIAN, "koi8_r": RUSSIAN, "cp1252": WESTERN}
OTHERS = {"mac_cyrillic": RUSSIAN, "cp866": RUSSIAN, "iso8859_5": RUSSIAN, "mac_roman": WESTERN, "cp850": WESTERN,
          "utf-16-le": RUSSIAN + WESTERN, "utf-16-be": RUSSIAN + WESTERN, "utf-32": RUSSIAN + WESTERN}


def sentences(words: list[str]):
    """An item as a student writes one: a few words, the first capitalised."""
    return st.lists(st.sampled_from(words), min_size=1, max_size=7).map(
        lambda ws: " ".join(ws)[:1].upper() + " ".join(ws)[1:])


@st.composite
def tables(draw, words: list[str]):
    """A header and rows: an id, a score and one or two texts (items and their English version)."""
    n = draw(st.integers(1, 8))
    scores = draw(st.lists(st.decimals(min_value=0, max_value=10, places=1, allow_nan=False), min_size=n, max_size=n))
    rows = [[f"X{i}", str(score), draw(sentences(words)), draw(sentences(ENGLISH))] for i, score in enumerate(scores)]
    return ["id", "score", "text", "text_en"], rows


def csv_bytes(header, rows, encoding: str, delimiter: str, decimal_comma: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[c.replace(".", ",") if decimal_comma and i == 1 else c for i, c in enumerate(row)]
                      for row in rows])
    return out.getvalue().encode(encoding)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(ACCEPTED)).flatmap(lambda e: st.tuples(st.just(e), tables(ACCEPTED[e]))),
       st.sampled_from([",", ";", "\t"]), st.booleans())
def test_any_table_in_an_accepted_encoding_delimiter_and_decimal_mark_reads_back_cell_for_cell(
        tmp_path, case, delimiter, decimal_comma):
    encoding, (header, rows) = case
    path = tmp_path / "table.csv"
    path.write_bytes(csv_bytes(header, rows, encoding, delimiter, decimal_comma))
    table = read_csv_table(path, {"score"})
    if isinstance(table, Problem) and encoding in ("cp1251", "koi8_r", "cp1252"):
        # A code page is told from the others by its text; too little of it is refused, never guessed.
        assert "cannot be told" in table.message or "too few to tell" in table.message, table.message
        return
    assert not isinstance(table, Problem), table
    assert table.header == header and table.rows == rows


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(OTHERS)).flatmap(lambda e: st.tuples(st.just(e), tables(OTHERS[e]))),
       st.sampled_from([",", ";"]))
def test_a_table_in_any_other_encoding_is_refused_rather_than_misread(tmp_path, case, delimiter):
    encoding, (header, rows) = case
    data = csv_bytes(header, rows, encoding, delimiter, False)
    text = data.decode(encoding)
    try:
        decoded = decode(data)
    except Undecided:
        return
    # Read at all, it is read as the very text written (ASCII text, say, is the same in every encoding).
    assert decoded.text == text, (encoding, decoded.encoding, decoded.text[:200])


def test_code_pages_are_told_apart_on_ordinary_text():
    # The word rules and the detector decide nearly every table of a few rows; the rest is refused.
    import random

    rng = random.Random(0)
    decided = 0
    for _ in range(200):
        encoding = rng.choice(["cp1251", "koi8_r"])
        items = [" ".join(rng.choice(RUSSIAN) for _ in range(rng.randint(2, 6))) for _ in range(rng.randint(3, 8))]
        rows = [[f"X{i}", "3", item[:1].upper() + item[1:], "Trust"] for i, item in enumerate(items)]
        data = csv_bytes(["id", "score", "text", "text_en"], rows, encoding, ";", False)
        try:
            decided += decode(data).text == data.decode(encoding)
        except Undecided:
            pass
    assert decided >= 190, decided
