"""The paper's tables as transcribed: counts, ids, scores and links, against the article."""

import pytest
from frictionless import Package

from conftest import ARTICLE_TEXT
from repro import load_analysis, paths
from repro.data.chain import chain_links, chain_summary
from repro.data.transcription import check_against_text


@pytest.fixture(scope="module")
def paper():
    return load_analysis()


def test_codebook_is_a_valid_data_package_and_the_data_conform_to_it():
    # The Frictionless reference validator: descriptor, types, constraints, unique ids, foreign keys.
    report = Package(str(paths.CODEBOOK)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_swot_has_four_numbered_items_per_quadrant(paper):
    # Table 1 prints items 1-4 in each of S, W, O, T.
    assert list(paper.swot["id"]) == [f"{q}{n}" for q in "SWOT" for n in range(1, 5)]
    assert paper.swot.groupby("quadrant")["number"].apply(list).to_dict() == {q: [1, 2, 3, 4] for q in "SWOT"}


def test_force_scores_are_the_published_ones(paper):
    # Table 2, "Баллы" columns: 5; 3,2; 0,6; 2,5 and 3; 4; 3; 1,5.
    scores = dict(zip(paper.forces["id"], paper.forces["score"]))
    assert scores == {"D1": 5, "D2": 3.2, "D3": 0.6, "D4": 2.5, "R1": 3, "R2": 4, "R3": 3, "R4": 1.5}
    printed = dict(zip(paper.forces["id"], paper.forces["score_as_printed"]))
    assert printed["D2"] == "3,2" and printed["R4"] == "1,5"


def test_forces_come_from_opportunities_and_threats_in_order(paper):
    links = dict(zip(paper.forces["id"], paper.forces["swot_id"]))
    assert links == {f"D{i}": f"O{i}" for i in range(1, 5)} | {f"R{i}": f"T{i}" for i in range(1, 5)}
    assert list(paper.changes["id"]) == ["C1", "C2", "C3", "C4"]
    assert list(paper.changes["published_row"]) == [1, 2, 3, 4]


def test_lotus_blocks_are_r1_r4_r3_r2_with_5_5_6_5_proposals(paper):
    blocks = paper.lotus.groupby("block")
    assert list(blocks["centre_id"].first()) == ["R1", "R4", "R3", "R2"]
    assert list(blocks.size()) == [5, 5, 6, 5]


def test_lotus_keeps_the_published_gaps(paper):
    # Left and right of every centre are empty; bottom-middle is filled only in block 3.
    positions = set(zip(paper.lotus["block"], paper.lotus["cell_row"], paper.lotus["cell_col"]))
    for block in (1, 2, 3, 4):
        assert (block, 2, 1) not in positions and (block, 2, 3) not in positions
        assert ((block, 3, 2) in positions) == (block == 3)


def test_chain_holds_for_the_paper(paper):
    summary = chain_summary(chain_links(paper.swot, paper.forces, paper.lotus))
    assert summary["holds"].all()
    assert list(summary["links"]) == [4, 4, 4]


def test_every_text_is_in_the_table_and_language_columns_are_filled(paper):
    for table in (paper.swot, paper.force_field, paper.lotus):
        assert table["text"].str.len().gt(0).all()
        assert table["text_en"].str.len().gt(0).all()


@pytest.mark.skipif(not ARTICLE_TEXT.exists(), reason="the article's text is not beside the repository")
def test_transcription_is_verbatim_against_the_article(paper):
    checked, problems = check_against_text(paper, ARTICLE_TEXT)
    assert problems == []
    # 16 SWOT + 12 force-field texts + 8 printed scores + 21 lotus texts + 4 lotus centres
    # + 6 claims' quotes + 3 components named (lines 124-126) + 3 sentences opening their sections
    assert checked == 16 + 12 + 8 + 21 + 4 + 6 + 3 + 3


def test_transcription_check_catches_a_changed_letter(paper_copy, tmp_path):
    if not ARTICLE_TEXT.exists():
        pytest.skip("the article's text is not beside the repository")
    text = ARTICLE_TEXT.read_text(encoding="utf-8").replace("Проактивные услуги", "Проактивные услуг")
    altered = tmp_path / "altered.txt"
    altered.write_text(text, encoding="utf-8")
    checked, problems = check_against_text(load_analysis(paper_copy), altered)
    flagged = {(p.file, p.item_id) for p in problems}
    assert ("swot.csv", "O1") in flagged and ("force_field.csv", "D1") in flagged


def test_claims_and_components_are_the_papers(paper):
    claims = paper.claims.set_index("id")
    # Today's six claims, by id, with the force each names and where it comes from.
    assert list(claims.index) == ["balance", "strongest_driving", "weakest_driving", "strongest_restraining",
                                  "weakest_restraining", "chain"]
    assert claims["force"].to_dict() == {"balance": "", "strongest_driving": "D1", "weakest_driving": "D3",
                                         "strongest_restraining": "R2", "weakest_restraining": "R4", "chain": ""}
    assert claims.loc["balance", "side"] == "restraining" and claims.loc["chain", "origin"] == "authors"
    assert claims["source_line"].tolist() == [60, 60, 128, 156, 60, 60]
    # The Discussion's list (lines 124-126) and the sections that open on lines 128, 138, 150.
    components = paper.components.set_index("id")
    assert components["order"].tolist() == [1, 2, 3]
    assert components["source_line"].tolist() == [124, 125, 126]
    assert components["quote_line"].tolist() == [128, 138, 150]
    assert components.loc["digital_infrastructure", "items"] == "O3 D3 W1"


@pytest.mark.parametrize("file, original, changed", [
    ("claims", "Необходимо устранить недоверие граждан", "Необходимо устранить доверие граждан"),
    ("claims", "показал приоритетность проблем", "показал приоритетность проблемы"),
    ("components", "транспарентность институтов власти,", "транспарентность институтов власть,"),
])
def test_check_source_catches_one_changed_letter_in_a_quote(file, original, changed, paper_copy, tmp_path):
    if not ARTICLE_TEXT.exists():
        pytest.skip("the article's text is not beside the repository")
    path = paper_copy / f"{file}.csv"
    text = path.read_text(encoding="utf-8")
    assert original in text
    path.write_text(text.replace(original, changed, 1), encoding="utf-8")
    checked, problems = check_against_text(load_analysis(paper_copy), ARTICLE_TEXT)
    assert [p.file for p in problems] == [f"{file}.csv"], problems
    assert problems[0].column in ("quote", "text") and "does not stand verbatim" in problems[0].message


def test_check_source_asks_for_the_text_where_none_lies_beside_the_clone(monkeypatch, capsys):
    # Installed from a wheel there is no clone, so no workplace copy of the article: the path is asked for.
    from repro.cli import main

    monkeypatch.setattr(paths, "SHARED_PAPER_TEXT", None)
    assert main(["check-source"]) == 2
    assert "give the path of the article's text file" in capsys.readouterr().err


@pytest.mark.parametrize("content, expected", [
    # "Таблица" in Windows-1251: 0xd2 starts line 2, and no UTF-8 sequence begins with it and goes on with 0xe0
    ("SWOT\n".encode() + "Таблица 1".encode("cp1251"), "line 2 holds byte 0xd2, which is not UTF-8"),
    (b"", "is empty"),
    (b"%PDF-1.4\n\x00\x00", "holds NUL bytes, so it is not a plain text file"),
])
def test_check_source_refuses_a_text_it_cannot_read_in_one_line(content, expected, tmp_path, capsys):
    # These ended in a UnicodeDecodeError traceback (exit 1) before.
    from repro.cli import main

    text = tmp_path / "article.txt"
    text.write_bytes(content)
    assert main(["check-source", str(text)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("repro: article.txt: ") and expected in err and "Traceback" not in err
    assert text.read_bytes() == content


def test_check_source_on_a_short_text_names_the_lines_it_lacks(tmp_path, capsys):
    # A text shorter than the lotus's blocks ended in an IndexError traceback: every value is a problem now.
    from repro.cli import main

    text = tmp_path / "notes.txt"
    text.write_text("SWOT\n" * 30, encoding="utf-8")
    assert main(["check-source", str(text)]) in (1, 2)
    err = capsys.readouterr().err
    assert "Traceback" not in err and "is beyond the text's 31 lines" in err


def test_check_source_given_a_folder_says_it_is_a_folder(tmp_path, capsys):
    from repro.cli import main

    assert main(["check-source", str(tmp_path)]) == 2
    assert "is a folder, not a file" in capsys.readouterr().err
