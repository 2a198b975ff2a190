"""Claims as data: the vocabulary evaluated against hand-worked cases, the method's default claims on
any analysis, and bad claims files refused by file, row and column before anything is evaluated."""

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from repro import AnalysisError, load_analysis, paths
from repro.cli import main
from repro.data.codebook import CLAIM_PARAMETERS, reference, resource
from repro.methods.claims import (Claim, chain_holds, claims_for, compile_claim, default_claims, evaluate,
                                  holds_at)

from conftest import write_csv

CLAIMS_HEADER = ["id", "kind", "side", "force", "other", "k", "statement", "origin", "quote", "source_line", "note"]


def make_analysis(folder, driving, restraining, scale=(1, 10), claims=None, texts_en=False):
    """An analysis folder with the given scores: D1.. driving (opportunities O1..), R1.. restraining
    (threats T1..), no lotus, ``scale`` declared in its own datapackage.json, and ``claims`` rows
    (lists in CLAIMS_HEADER order) written to claims.csv when given."""
    folder.mkdir(parents=True, exist_ok=True)
    swot = [[f"O{i}", "O", i, f"Opportunity {i}"] for i in range(1, len(driving) + 1)]
    swot += [[f"T{i}", "T", i, f"Threat {i}"] for i in range(1, len(restraining) + 1)]
    write_csv(folder / "swot.csv", ["id", "quadrant", "number", "text"], swot)
    rows = [[f"D{i}", "force", "driving", s, f"Driving force {i}", f"O{i}"] for i, s in enumerate(driving, 1)]
    rows += [[f"R{i}", "force", "restraining", s, f"Restraining force {i}", f"T{i}"] for i, s in enumerate(restraining, 1)]
    rows.append(["C1", "change", "", "", "A proposed change", ""])
    write_csv(folder / "force_field.csv", ["id", "kind", "direction", "score", "text", "swot_id"], rows)
    descriptor = reference()
    for field in resource(descriptor, "force_field")["schema"]["fields"]:
        if field["name"] == "score":
            field["constraints"] = {"minimum": scale[0], "maximum": scale[1]}
    (folder / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    if claims is not None:
        write_csv(folder / "claims.csv", CLAIMS_HEADER, claims)
    return folder


def claim(id, kind, side="", force="", other="", k="", statement="a claim", origin="method"):
    return [id, kind, side, force, other, k, statement, origin, "", "", ""]


#: The student's case of issue 9: 5 driving forces against 3 restraining on 1-10,
#: driving 7 + 5 + 9 + 8 + 6 = 35 against restraining 8 + 9.5 + 6 = 23.5, net +11.5.
STUDENT = dict(driving=[7, 5, 9, 8, 6], restraining=[8, 9.5, 6], scale=(1, 10))

#: One claim of every kind, about the student's case (which hold is worked out in the tests).
EVERY_KIND = [
    claim("driving_wins", "side_outweighs", side="driving"),
    claim("restraining_wins", "side_outweighs", side="restraining"),
    claim("d3_strongest", "strongest", force="D3"),
    claim("d1_strongest", "strongest", force="D1"),
    claim("d2_weakest", "weakest", force="D2"),
    claim("d3_weakest", "weakest", force="D3"),
    claim("d2_over_r3", "outweighs", force="D2", other="R3"),
    claim("r2_over_d3", "outweighs", force="R2", other="D3"),
    claim("d1_top2", "top_k", force="D1", k=2),
    claim("d1_top3", "top_k", force="D1", k=3),
    claim("chain", "chain", origin="authors"),
]


@pytest.fixture
def student(tmp_path):
    return make_analysis(tmp_path / "student", **STUDENT)


# ---------------------------------------------------------------- the vocabulary
def test_the_vocabulary_is_the_codebooks():
    kinds = next(f for f in resource(reference(), "claims")["schema"]["fields"] if f["name"] == "kind")
    assert kinds["constraints"]["enum"] == list(CLAIM_PARAMETERS)
    for kind in CLAIM_PARAMETERS:  # every kind is documented in the field's description
        assert kind in kinds["description"]


def test_every_kind_at_the_students_scores(tmp_path):
    analysis = load_analysis(make_analysis(tmp_path / "s", **STUDENT, claims=EVERY_KIND))
    values = holds_at(claims_for(analysis).claims, analysis.forces, chain_holds(analysis))
    assert values == {
        "driving_wins": True, "restraining_wins": False,   # 35 against 23.5
        "d3_strongest": True, "d1_strongest": False,       # D3 = 9 tops 8, 7, 6, 5; D1 = 7 does not
        "d2_weakest": True, "d3_weakest": False,           # D2 = 5 is below 6, 7, 8, 9
        "d2_over_r3": False, "r2_over_d3": True,           # 5 < 6 (across sides); 9.5 > 9
        "d1_top2": False, "d1_top3": True,                 # D3 = 9 and D4 = 8 score at least 7: 2 rivals
        "chain": True,
    }


def test_ties_do_not_hold_for_any_kind():
    forces = pd.DataFrame({"id": ["A", "B", "C", "X"], "direction": ["driving"] * 3 + ["restraining"],
                           "score": [4.0, 4.0, 1.0, 9.0]})
    claims = [Claim("a", "strongest", "", force="A"), Claim("b", "outweighs", "", force="A", other="B"),
              Claim("c", "top_k", "", force="A", k=1), Claim("d", "top_k", "", force="A", k=2),
              Claim("e", "weakest", "", force="C"), Claim("f", "side_outweighs", "", side="driving")]
    # A ties B at 4: not strongest, not above B, not in a top 1; in a top 2 (only B scores as much);
    # C = 1 is strictly weakest; 4 + 4 + 1 = 9 ties X = 9, so no side outweighs.
    assert holds_at(claims, forces) == {"a": False, "b": False, "c": False, "d": True, "e": True, "f": False}


def test_a_claim_about_a_dropped_force_is_left_out():
    forces = pd.DataFrame({"id": ["A", "B"], "direction": ["driving", "driving"], "score": [2.0, 1.0]})
    claims = [Claim("a", "strongest", "", force="A"), Claim("total", "side_outweighs", "", side="driving")]
    assert set(evaluate(claims, forces.iloc[1:].reset_index(drop=True), [[1.0]])) == {"total"}
    assert compile_claim(claims[0], forces.iloc[1:]) is None


def test_the_chain_claim_follows_the_chain():
    paper = load_analysis()
    assert chain_holds(paper)
    # Link D1 to a threat, bypassing validation: the chain no longer holds, nor does the claim.
    broken = paper.force_field.assign(swot_id=paper.force_field["swot_id"].where(paper.force_field["id"] != "D1", "T1"))
    broken = replace(paper, force_field=broken)
    assert not chain_holds(broken)
    chain = [c for c in claims_for(broken).claims if c.kind == "chain"]
    assert evaluate(chain, broken.forces, np.zeros((3, 8)), chain_holds(broken))["chain"].tolist() == [False] * 3


# ---------------------------------------------------------------- the method's defaults
def test_defaults_on_the_students_case_are_true_and_named_from_the_data(student):
    analysis = load_analysis(student)
    registry = claims_for(analysis)
    statements = {c.id: c.text("en") for c in registry.claims}
    assert statements == {
        "balance": "the driving side outweighs the restraining side (sum of scores)",   # 35 against 23.5
        "strongest_driving": "Driving force 3 (D3) is the strongest driving force",      # 9
        "weakest_driving": "Driving force 2 (D2) is the weakest driving force",          # 5
        "strongest_restraining": "Restraining force 2 (R2) is the strongest restraining force",  # 9.5
        "weakest_restraining": "Restraining force 3 (R3) is the weakest restraining force",      # 6
    }
    # The same verdicts in Russian (the outputs' default language), the forces named by their text.
    assert {c.id: c.text("ru") for c in registry.claims} == {
        "balance": "движущие силы перевешивают силы сопротивления (сумма баллов)",
        "strongest_driving": "Driving force 3 (D3) — сильнейшая движущая сила",
        "weakest_driving": "Driving force 2 (D2) — слабейшая движущая сила",
        "strongest_restraining": "Restraining force 2 (R2) — сильнейшая сила сопротивления",
        "weakest_restraining": "Restraining force 3 (R3) — слабейшая сила сопротивления",
    }
    assert all(holds_at(registry.claims, analysis.forces).values())
    assert "No claims.csv" in registry.notes[0]


def test_defaults_name_forces_by_their_english_text_in_english_and_their_text_in_russian():
    paper = load_analysis()
    registry = default_claims(paper.forces)
    assert [c.force for c in registry.claims] == [None, "D1", "D3", "R2", "R4"]
    assert registry.claims[3].text("en") == "Citizens’ distrust of the projects being implemented (R2) is the strongest restraining force"
    assert registry.claims[3].text("ru") == "Недоверие граждан на реализуемые проекты (R2) — сильнейшая сила сопротивления"
    # The paper's claims.csv states them in the same words (ours), in both languages.
    written = {c.id: c for c in claims_for(paper).claims}
    for claim in registry.claims:
        assert (claim.text("ru"), claim.text("en")) == (written[claim.id].text("ru"), written[claim.id].text("en"))
    # The paper's own claims.csv says the same about the same forces.
    assert holds_at(registry.claims, paper.forces) == dict.fromkeys(registry.ids, True)


def test_defaults_say_ties_instead_of_claiming(small_analysis):
    # Driving 8, 6, 6 against restraining 9, 4: D2 and D3 tie for the weakest driving force.
    registry = claims_for(load_analysis(small_analysis))
    assert registry.ids == ["balance", "strongest_driving", "strongest_restraining", "weakest_restraining"]
    assert any("D2 and D3 tie for the weakest driving force (6 each)" in n for n in registry.notes)


def test_defaults_with_a_tied_balance_and_a_single_force(tmp_path):
    # 4 + 3 = 7 against 7: no balance claim; one restraining force: no strongest or weakest of it.
    registry = claims_for(load_analysis(make_analysis(tmp_path / "t", [4, 3], [7], scale=(1, 10))))
    assert registry.ids == ["strongest_driving", "weakest_driving"]
    notes = " ".join(registry.notes)
    assert "The sides tie (7 against 7)" in notes
    assert "The restraining side has a single force (R1)" in notes


def test_defaults_with_every_force_of_a_side_tied(tmp_path):
    registry = claims_for(load_analysis(make_analysis(tmp_path / "t", [5, 5], [2, 3], scale=(1, 10))))
    assert registry.ids == ["balance", "strongest_restraining", "weakest_restraining"]
    assert sum("tie for the" in n and "driving" in n for n in registry.notes) == 2


def test_a_claim_that_cannot_fail_is_noted(tmp_path):
    folder = make_analysis(tmp_path / "t", [4, 3], [7], claims=[claim("r1_top", "strongest", force="R1", statement="R1 tops"),
                                                                  claim("d1_top2", "top_k", force="D1", k=2, statement="D1 in the top 2")])
    # A note names the claim by its statement, the reader's words, never by its id (a code key).
    notes = " ".join(claims_for(load_analysis(folder)).notes)
    assert "“R1 tops” cannot fail: R1 is the only restraining force" in notes
    assert "“D1 in the top 2” cannot fail: the driving side has 2 forces, so D1 is always among its top 2" in notes
    assert "r1_top" not in notes and "d1_top2" not in notes
    # The same in Russian, with Russian plural forms (2 силы), the statements as written.
    notes = " ".join(claims_for(load_analysis(folder), lang="ru").notes)
    assert "«R1 tops» не может нарушиться: R1 — единственная сила сопротивления" in notes
    assert "«D1 in the top 2» не может нарушиться: на стороне движущих сил всего 2 силы, поэтому D1 всегда среди первых 2" in notes


# ---------------------------------------------------------------- bad claims files
BAD = {
    # name: (rows, the parts the message must contain)
    "unknown kind": ([claim("x", "strongest_of_all", force="D1")], ["row 2 (id x)", 'column "kind"', "expected one of side_outweighs"]),
    "unknown force": ([claim("x", "strongest", force="D9")], ["row 2 (id x)", 'column "force"', "'D9'", "not an id in force_field.csv"]),
    "unknown other": ([claim("x", "outweighs", force="D1", other="R7")], ['column "other"', "'R7'", "not an id in force_field.csv"]),
    "a change, not a force": ([claim("x", "weakest", force="C1")], ['column "force"', "'C1' is a proposed change, not a force"]),
    "missing parameter": ([claim("x", "outweighs", force="D1")], ['column "other"', "a claim of kind outweighs needs other"]),
    "missing side": ([claim("x", "side_outweighs")], ['column "side"', "needs side"]),
    "unknown side": ([claim("x", "side_outweighs", side="left")], ['column "side"', "expected one of driving, restraining"]),
    "stray parameter": ([claim("x", "strongest", force="D1", k=2)], ['column "k"', "takes force, not k"]),
    "stray parameter on chain": ([claim("x", "chain", side="driving")], ['column "side"', "takes no parameter, not side"]),
    "k too large": ([claim("x", "top_k", force="R1", k=4)], ['column "k"', "the restraining side has 3 force(s); expected k from 1 to 3"]),
    "k below 1": ([claim("x", "top_k", force="R1", k=0)], ['column "k"', "expected at least 1"]),
    "k not a number": ([claim("x", "top_k", force="R1", k="two")], ['column "k"', "expected a whole number"]),
    "outweighs itself": ([claim("x", "outweighs", force="D1", other="D1")], ['column "other"', "cannot outweigh itself"]),
    # drop-one and conventions tables hold a column per claim beside their own "net": the claim would overwrite it
    "id of a table column": ([claim("net", "side_outweighs", side="driving")],
                             ['row 2 (id net)', 'column "id"', "'net' names a column of the sensitivity tables",
                              "give the claim another id (e.g. claim_net)"]),
    "unknown origin": ([claim("x", "chain", origin="me")], ['column "origin"', "expected one of authors, method"]),
    "no statement": ([claim("x", "chain", statement="")], ['column "statement"', "a value is required"]),
    "duplicate id": ([claim("x", "chain"), claim("x", "strongest", force="D1")], ["row 3 (id x)", "duplicate id 'x'"]),
    "quote without its line": ([["x", "chain", "", "", "", "", "a claim", "authors", "Some sentence.", "", ""]],
                               ['column "source_line"', "a quote needs the line"]),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_claims_file_is_refused_by_file_row_and_column(case, tmp_path, capsys):
    rows, expected = BAD[case]
    folder = make_analysis(tmp_path / "bad", **STUDENT, claims=rows)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "claims.csv" in err and "Traceback" not in err
    for part in expected:
        assert part in err, f"{part!r} missing from:\n{err}"
    # Nothing is evaluated until the file is valid: the sensitivity analysis refuses it the same way.
    assert main(["sensitivity", "--data", str(folder), "--out", str(tmp_path / "out"), "--draws", "100"]) == 2
    assert not (tmp_path / "out").exists()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_claims_about_scores_need_scores(tmp_path):
    folder = make_analysis(tmp_path / "t", [1], [1], claims=[claim("x", "strongest", force="D1"), claim("c", "chain")])
    text = (folder / "force_field.csv").read_text().replace(",1,Driving", ",,Driving").replace(",1,Restraining", ",,Restraining")
    (folder / "force_field.csv").write_text(text)
    with pytest.raises(AnalysisError) as info:
        load_analysis(folder)
    assert [(p.file, p.row, p.column) for p in info.value.problems] == [("claims.csv", 2, "kind")]
    assert "the force field has none" in str(info.value)


def test_paper_claims_evaluate_as_before():
    paper = load_analysis()
    registry = claims_for(paper)
    assert registry.ids == ["balance", "strongest_driving", "weakest_driving", "strongest_restraining",
                            "weakest_restraining", "chain"]
    assert holds_at(registry.claims, paper.forces, chain_holds(paper)) == dict.fromkeys(registry.ids, True)
    sources = {c.id: c.source for c in registry.claims}
    assert sources["strongest_restraining"].endswith("«Необходимо устранить недоверие граждан к проводимой "
                                                     "государственной политике посредством открытости и диалога "
                                                     "со стороны органов власти.» (line 156)")
    assert [c.origin for c in registry.claims].count("authors") == 1  # the chain


def test_library_names_no_paper_id_and_quotes_no_article_line():
    # The paper's specifics live in data/: the library speaks only of methods. (D1 and R1 stay: they
    # are the template's example ids.)
    source = "\n".join(p.read_text(encoding="utf-8") for p in paths.PACKAGE.rglob("*.py"))
    for forbidden in ("of_the_paper", "PAPER_DATA.resolve", "Метод силового поля", "Цифровая инфраструктура",
                      "недоверие граждан", '"R2"', '"D3"', '"R4"', "COMPONENTS"):
        assert forbidden not in source, forbidden
