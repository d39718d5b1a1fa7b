"""The 2013 -> 2022 Annex A correspondence, checked against facts about the two editions that do
not come from the table itself: 114 controls in 2013 (14 clauses with known control counts), 93
in 2022, of which exactly these 11 are new and so are nobody's successor."""

from isms.annex_a_2013 import SUCCESSORS, successors
from isms.models import normalise_annex_a_control

# controls per 2013 clause, A.5 .. A.18 (ISO/IEC 27001:2013 Annex A)
PER_CLAUSE_2013 = {5: 2, 6: 7, 7: 6, 8: 10, 9: 14, 10: 2, 11: 15, 12: 14, 13: 7, 14: 13, 15: 5, 16: 7, 17: 4, 18: 8}
NEW_IN_2022 = {"A.5.7", "A.5.23", "A.5.30", "A.7.4", "A.8.9", "A.8.10", "A.8.11", "A.8.12", "A.8.16", "A.8.23", "A.8.28"}


def test_every_2013_control_has_a_successor_and_no_other_id_is_listed():
    counts: dict[int, int] = {}
    for old in SUCCESSORS:
        counts[int(old.split(".")[0])] = counts.get(int(old.split(".")[0]), 0) + 1
    assert counts == PER_CLAUSE_2013 and sum(counts.values()) == 114


def test_successors_are_the_2022_controls_that_are_not_new():
    all_2022 = {f"A.{t}.{n}" for t, k in ((5, 37), (6, 8), (7, 14), (8, 34)) for n in range(1, k + 1)}
    reached = {normalise_annex_a_control(c) for v in SUCCESSORS.values() for c in v}
    assert reached == all_2022 - NEW_IN_2022


def test_ids_are_read_in_the_forms_registers_write_them():
    assert successors("A.9.4.5") == ("A.8.4",) and successors("a.12.6.1") == ("A.8.8",)
    assert successors("18.2.3") == ("A.5.36", "A.8.8")
    assert successors("A.8.2") is None and successors("A.19.1.1") is None and successors("A.9") is None
