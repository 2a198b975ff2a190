"""Every kind of bad file a user can hand in gets one clear message and exit code 2.

Each case breaks one thing in a copy of the paper's data and names what the message must say:
the file, the row (spreadsheet numbering: the header is row 1) and the column.
"""

import hashlib
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repro import AnalysisError, load_analysis
from repro.cli import main


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def tree_digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


CASES = {
    # name: (how to break the folder, the parts the message must contain)
    "missing file": (lambda d: (d / "swot.csv").unlink(), ["swot.csv", "file not found"]),
    "empty file": (lambda d: (d / "force_field.csv").write_bytes(b""), ["force_field.csv", "empty"]),
    "header only": (lambda d: (d / "lotus.csv").write_text("id,centre_id,block,cell_row,cell_col,text\n"),
                    ["lotus.csv", "no rows"]),
    "missing column": (lambda d: edit(d / "swot.csv", "id,quadrant,", "id,"), ["swot.csv", "row 1", 'column "quadrant"', "lacks required"]),
    "duplicate id": (lambda d: edit(d / "swot.csv", "W1,W,1", "S1,W,1"), ["swot.csv", "row 6 (id S1)", 'column "id"', "duplicate id 'S1'", "row 2"]),
    "score not a number": (lambda d: edit(d / "force_field.csv", "D2,force,driving,3.2", "D2,force,driving,high"),
                           ["force_field.csv", "row 3 (id D2)", 'column "score"', "expected a number", "'high'"]),
    "score below the scale": (lambda d: edit(d / "force_field.csv", "R4,force,restraining,1.5", "R4,force,restraining,-1.5"),
                              ["force_field.csv", "row 9 (id R4)", 'column "score"', "declared scale 0-5", "found -1.5"]),
    "score beyond the scale": (lambda d: edit(d / "force_field.csv", "D1,force,driving,5", "D1,force,driving,7"),
                               ["force_field.csv", "row 2 (id D1)", 'column "score"', "declared scale 0-5", "found 7"]),
    "link to a missing SWOT id": (lambda d: edit(d / "force_field.csv", ",T3,", ",T9,"),
                                  ["force_field.csv", "row 8 (id R3)", 'column "swot_id"', "'T9'", "not an id in swot.csv"]),
    "link to a missing force": (lambda d: edit(d / "lotus.csv", "L01,R1,", "L01,R7,"),
                                ["lotus.csv", "row 2 (id L01)", 'column "centre_id"', "'R7'", "not an id in force_field.csv"]),
    "unknown quadrant": (lambda d: edit(d / "swot.csv", "S3,S,3", "S3,X,3"), ["swot.csv", "row 4 (id S3)", 'column "quadrant"', "one of S, W, O, T"]),
    "driving force from a threat": (lambda d: edit(d / "force_field.csv", "Проактивные услуги,Proactive services,O1", "Проактивные услуги,Proactive services,T1"),
                                    ["force_field.csv", "row 2 (id D1)", 'column "swot_id"', "expected an item of quadrant O"]),
    "lotus centred on a driving force": (lambda d: edit(d / "lotus.csv", "L01,R1,", "L01,D1,"),
                                         ["lotus.csv", 'column "centre_id"', "expected a restraining force"]),
    "proposal in the centre cell": (lambda d: edit(d / "lotus.csv", "L01,R1,1,1,1", "L01,R1,1,2,2"),
                                    ["lotus.csv", "row 2 (id L01)", "centre"]),
    "claim about an unknown force": (lambda d: edit(d / "claims.csv", "strongest,,D1,", "strongest,,D9,"),
                                     ["claims.csv", "row 3 (id strongest_driving)", 'column "force"', "'D9'",
                                      "not an id in force_field.csv"]),
    "claim of an unknown kind": (lambda d: edit(d / "claims.csv", "weakest_driving,weakest,", "weakest_driving,weakest_of_all,"),
                                 ["claims.csv", "row 4 (id weakest_driving)", 'column "kind"', "expected one of"]),
    "component with an unknown item": (lambda d: edit(d / "components.csv", "O3 D3 W1", "O3 D9 W1"),
                                       ["components.csv", "row 2 (id digital_infrastructure)", 'column "items"', "'D9'"]),
    "unquoted comma": (lambda d: edit(d / "swot.csv", '"Повышение атак социальной инженерии и скимминга, которые могут привести к потере данных"',
                                      "Повышение атак социальной инженерии и скимминга, которые могут привести к потере данных"),
                       ["swot.csv", "row 8", "double quotes"]),
    "not text at all": (lambda d: (d / "swot.csv").write_bytes(b"\x00\x01\x02binary"), ["swot.csv", "not a CSV text file"]),
    "broken codebook": (lambda d: (d / "datapackage.json").write_text("{not json"), ["datapackage.json", "not valid JSON"]),
    "codebook without a scale": (lambda d: (d / "datapackage.json").write_text(json.dumps({"resources": []})),
                                 ["datapackage.json", "declares no score scale"]),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_folder_gets_a_clear_message_and_exit_2(case, paper_copy, capsys):
    breaker, expected = CASES[case]
    breaker(paper_copy)
    before = tree_digest(paper_copy)
    code = main(["validate", str(paper_copy)])
    out, err = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in out + err
    for part in expected:
        assert part in err, f"{part!r} missing from:\n{err}"
    assert tree_digest(paper_copy) == before  # the input is never modified


def test_windows_1251_file_is_read_correctly(paper_copy):
    swot = paper_copy / "swot.csv"
    text = swot.read_text(encoding="utf-8")
    swot.write_bytes(text.replace("“", '"').replace("”", '"').encode("cp1251"))
    analysis = load_analysis(paper_copy)
    assert analysis.swot.loc[analysis.swot["id"] == "T3", "text"].item() == "Слабая разъяснительная работа ЦГО и МИО"
    assert any("Windows-1251" in note for note in analysis.notes)


def test_byte_order_mark_is_read_correctly(paper_copy):
    swot = paper_copy / "swot.csv"
    swot.write_bytes(b"\xef\xbb\xbf" + swot.read_bytes())
    analysis = load_analysis(paper_copy)
    assert analysis.swot["id"].iloc[0] == "S1"
    assert any("byte-order mark" in note for note in analysis.notes)


def test_russian_locale_spreadsheet_csv_is_read_correctly(paper_copy):
    # Semicolons between columns, decimal commas in numbers, as Excel saves "CSV" in a Russian locale.
    import csv
    import io
    path = paper_copy / "force_field.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    for row in rows[1:]:
        row[3] = row[3].replace(".", ",")
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    analysis = load_analysis(paper_copy)
    assert dict(zip(analysis.forces["id"], analysis.forces["score"]))["D2"] == 3.2
    assert any("semicolons" in note for note in analysis.notes)
    assert any("decimal comma" in note for note in analysis.notes)


def test_partial_scores_are_refused(paper_copy):
    edit(paper_copy / "force_field.csv", "D2,force,driving,3.2", "D2,force,driving,")
    with pytest.raises(AnalysisError) as info:
        load_analysis(paper_copy)
    assert "score every force, or none" in str(info.value)


def test_missing_folder(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nowhere")]) == 2
    assert "is not a folder" in capsys.readouterr().err


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["swot.csv", "force_field.csv", "lotus.csv", "claims.csv", "components.csv"]), st.binary(max_size=400))
def test_any_bytes_give_a_table_or_a_validation_error(paper_copy, name, data):
    (paper_copy / name).write_bytes(data)
    try:
        load_analysis(paper_copy)
    except AnalysisError as exc:
        assert exc.problems and all(p.file for p in exc.problems)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12), min_size=1, max_size=12), max_size=6))
def test_any_cells_under_the_real_header_give_a_table_or_a_validation_error(paper_copy, rows):
    import csv
    import io
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "kind", "direction", "score", "text", "swot_id"])
    writer.writerows(rows)
    (paper_copy / "force_field.csv").write_text(out.getvalue(), encoding="utf-8")
    try:
        load_analysis(paper_copy)
    except AnalysisError as exc:
        assert exc.problems


def test_a_declared_negative_scale_holds_negative_scores(small_analysis, capsys):
    # Only the declared scale bounds a score: on -3..3, -1.5 is a score like any other.
    codebook = small_analysis / "datapackage.json"
    descriptor = json.loads(codebook.read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        for field in resource["schema"]["fields"]:
            if field["name"] == "score":
                field["constraints"] = {"minimum": -3, "maximum": 3}
    codebook.write_text(json.dumps(descriptor), encoding="utf-8")
    path = small_analysis / "force_field.csv"
    text = path.read_text()
    for old, new in (("driving,8,", "driving,2.5,"), ("driving,6,Council", "driving,-1.5,Council"),
                     ("driving,6,Local", "driving,0,Local"), ("restraining,9,", "restraining,-3,"),
                     ("restraining,4,", "restraining,3,")):
        assert old in text
        text = text.replace(old, new)
    path.write_text(text)
    assert main(["validate", str(small_analysis)]) == 0
    assert "scores on a −3 to 3 scale" in capsys.readouterr().out  # a range with a negative end in words, a true minus
    path.write_text(text.replace("restraining,-3,", "restraining,-3.5,"))
    assert main(["validate", str(small_analysis)]) == 2
    assert "expected a score on the declared scale -3 to 3, found -3.5" in capsys.readouterr().err


def test_a_lotus_of_more_than_eight_blocks_is_refused_with_the_limit(small_analysis, capsys):
    # Nine restraining forces, each the centre of its own block: one block more than 8 petals hold.
    write = lambda name, header, rows: (small_analysis / name).write_text(
        "\n".join([",".join(header)] + [",".join(map(str, r)) for r in rows]) + "\n", encoding="utf-8")
    write("swot.csv", ["id", "quadrant", "number", "text"],
          [["O1", "O", 1, "Chance"]] + [[f"T{i}", "T", i, f"Threat {i}"] for i in range(1, 10)])
    write("force_field.csv", ["id", "kind", "direction", "score", "text", "swot_id"],
          [["D1", "force", "driving", 5, "Chance", "O1"]] +
          [[f"R{i}", "force", "restraining", 2, f"Threat {i}", f"T{i}"] for i in range(1, 10)])
    write("lotus.csv", ["id", "centre_id", "block", "cell_row", "cell_col", "text"],
          [[f"P{i}", f"R{i}", i, 1, 1, f"Idea {i}"] for i in range(1, 10)])
    assert main(["validate", str(small_analysis)]) == 2
    err = capsys.readouterr().err
    assert 'lotus.csv, row 10 (id P9), column "block": the lotus has 9 blocks; a lotus flower holds at most 8' in err
    assert "8 petals around its theme" in err
    (small_analysis / "lotus.csv").write_text("\n".join((small_analysis / "lotus.csv").read_text().splitlines()[:-1]) + "\n")
    assert main(["validate", str(small_analysis)]) == 0  # 8 blocks are fine


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.sampled_from(["", "D1", "R2", "C1", "D9", "driving", "side_outweighs", "top_k", "chain",
                                          "outweighs", "strongest", "0", "3", "x y", "method", "authors", "-1"]),
                         min_size=1, max_size=11), max_size=5))
def test_any_claims_cells_give_claims_or_a_validation_error(paper_copy, rows):
    import csv
    import io
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "kind", "side", "force", "other", "k", "statement", "origin", "quote", "source_line", "note"])
    writer.writerows(rows)
    (paper_copy / "claims.csv").write_text(out.getvalue(), encoding="utf-8")
    try:
        analysis = load_analysis(paper_copy)
    except AnalysisError as exc:
        assert exc.problems and all(p.file == "claims.csv" for p in exc.problems)
        return
    from repro.methods.claims import claims_for, holds_at
    holds_at(claims_for(analysis).claims, analysis.forces)  # a valid file always evaluates


# ---------------------------------------------------------------------------------------------------
# Messages a student can act on (issue 17): the column first, the letter that is not what it seems,
# the character that cannot be seen, and never a blank where a value belongs.

def validate_err(folder, capsys) -> str:
    assert main(["validate", "--data", str(folder)]) == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return err


def drop_column(path, name):
    import csv
    import io
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    at = rows[0].index(name)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([r[:at] + r[at + 1:] for r in rows])
    path.write_text(out.getvalue(), encoding="utf-8")


def test_a_deleted_column_is_named_once_and_nothing_that_follows_from_it(paper_copy, capsys):
    # With `direction` deleted, validate once printed 15 problems, none naming the column, some with
    # blanks ("expected an item of quadrant ?").
    drop_column(paper_copy / "force_field.csv", "direction")
    err = validate_err(paper_copy, capsys)
    assert err.startswith("repro: 1 problem found:")
    assert 'force_field.csv, row 1, column "direction": the header lacks required column direction' in err
    assert "?" not in err


def test_a_misspelt_column_is_named_first_with_the_name_meant(paper_copy, capsys):
    # `scor` once passed as "no scores", with only a note; an optional column misspelt is simply absent.
    (paper_copy / "claims.csv").unlink()
    edit(paper_copy / "force_field.csv", "id,kind,direction,score,", "id,kind,direction,scor,")
    err = validate_err(paper_copy, capsys)
    assert err.startswith("repro: 1 problem found:")
    assert 'force_field.csv, row 1, column "scor": did you mean "score"?' in err


@pytest.mark.parametrize("header, expected", [
    ("ID,quadrant,number,text", 'column "ID": did you mean "id"?'),
    ("id,quadrant,number,text,text en", 'column "text en": did you mean "text_en"?'),
    ("id,quadrant,number,text,comments", 'column "comments": is not a column of the swot table; its columns are id, '
                                         "quadrant, number, text, text_en, source_table, source_line"),
    ("id,quadrant,number,txet", 'column "txet": did you mean "text"?'),
])
def test_an_unknown_column_is_refused_with_the_closest_name(small_analysis, capsys, header, expected):
    path = small_analysis / "swot.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    extra = header.count(",") - 3
    path.write_text("\n".join([header] + [line + ",x" * extra for line in lines[1:]]) + "\n", encoding="utf-8")
    err = validate_err(small_analysis, capsys)
    assert expected in err and err.startswith("repro: 1 problem found:")


def test_a_cyrillic_letter_in_an_id_is_named_with_its_position(paper_copy, capsys):
    # "О3" typed for "O3" looks identical on screen; the message once said only "not an id".
    edit(paper_copy / "force_field.csv", ",O3,", ",О3,")
    err = validate_err(paper_copy, capsys)
    assert ('force_field.csv, row 4 (id D3), column "swot_id": refers to \'О3\', which is not an id in swot.csv: '
            "it looks like O3, but its letter 1, 'О', is Cyrillic (U+041E) where O3 has Latin 'O' (U+004F)") in err


def test_a_value_of_a_list_typed_in_the_other_script_is_named(paper_copy, capsys):
    edit(paper_copy / "swot.csv", "O1,O,1", "O1,О,1")  # Cyrillic О as the quadrant
    err = validate_err(paper_copy, capsys)
    assert "expected one of S, W, O, T, found 'О': it looks like O, but its letter 1, 'О', is Cyrillic" in err


def test_an_id_mixing_scripts_is_named_as_such(small_analysis, capsys):
    edit(small_analysis / "swot.csv", "S2,S,2", "Sе2,S,2")  # a Cyrillic е inside a Latin id
    err = validate_err(small_analysis, capsys)
    assert "swot.csv, row 3, column \"id\": 'Sе2' mixes scripts: letter 2, 'е', is Cyrillic (U+0435) among Latin letters" in err


def test_a_byte_order_mark_inside_the_file_is_named_and_shown_as_a_code(paper_copy, capsys):
    # A BOM at the start of a data row (two files pasted together) once gave "refers to 'O1', which is
    # not an id" with O1 visibly there.
    edit(paper_copy / "swot.csv", "\nO1,", "\n\ufeffO1,")
    err = validate_err(paper_copy, capsys)
    assert ("swot.csv, row 10, column \"id\": '<U+FEFF>O1' holds an invisible character U+FEFF (byte-order mark) "
            "at position 1") in err
    assert "\ufeff" not in err


def test_a_byte_order_mark_inside_the_header_is_named_and_shown_as_a_code(paper_copy, capsys):
    edit(paper_copy / "swot.csv", "id,quadrant,", "id,\ufeffquadrant,")
    err = validate_err(paper_copy, capsys)
    assert 'swot.csv, row 1, column "<U+FEFF>quadrant": did you mean "quadrant"?' in err
    assert "U+FEFF (byte-order mark)" in err and "\ufeff" not in err


def test_a_non_breaking_space_in_an_id_is_named(small_analysis, capsys):
    # (Around a cell, spaces of any kind are trimmed, as a spreadsheet's eye would.)
    edit(small_analysis / "force_field.csv", ",O1,", ",O\u00a01,")
    err = validate_err(small_analysis, capsys)
    assert "'O<U+00A0>1' holds an invisible character U+00A0 (non-breaking space) at position 2" in err


@pytest.mark.parametrize("breaker", [
    lambda d: edit(d / "force_field.csv", "D1,force,driving,", "D1,force,,"),
    lambda d: edit(d / "force_field.csv", "R1,force,restraining,", "R1,force,,"),
    lambda d: edit(d / "swot.csv", "S1,S,1,", "S1,,1,"),
    lambda d: edit(d / "lotus.csv", "L01,R1,", "L01,,"),
    lambda d: edit(d / "claims.csv", "strongest,,D1,", "strongest,,,"),
    lambda d: drop_column(d / "force_field.csv", "swot_id"),
], ids=["force without direction", "lotus centre without direction", "no quadrant", "no centre", "no force",
        "no swot_id column"])
def test_no_message_has_a_blank_where_a_value_belongs(paper_copy, capsys, breaker):
    breaker(paper_copy)
    err = validate_err(paper_copy, capsys)
    for blank in ("quadrant ?", " ?", "''", "found None", "found .", " ;", "()", "is ;", "is ."):
        assert blank not in err, f"{blank!r} in:\n{err}"
