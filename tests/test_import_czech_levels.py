"""Levels written in Czech: the file's and the matrix's are read alike when they are compared."""

import datetime as dt

from isms.importing.pipeline import build_plan

AS_OF = dt.date(2026, 9, 30)


def test_a_matrix_that_names_its_levels_in_czech_agrees_with_a_file_that_does():
    """The file's level and the matrix's are read alike: a Czech matrix (as isms.toml may name its
    levels) agrees with 'Vysoká' where its own level is Vysoká, and disagrees only where it is not."""
    from isms.matrix import RiskMatrix

    matrix = RiskMatrix(name="cz", likelihood_labels=("1", "2", "3"), impact_labels=("1", "2", "3"),
                        levels=("Nízká", "Střední", "Vysoká"), appetite="Střední", bands=(2, 4, 9))
    data = ("Risk ID,Title,Likelihood,Impact,Risk level\n"
            "R-1,Výpadek napájení,3,3,Vysoká\n"      # 9: Vysoká, as the file says
            "R-2,Ztráta notebooku,1,1,Nízká\n"       # 1: Nízká, as the file says
            "R-3,Únik dat,1,2,Vysoká\n").encode()    # 2: Nízká on this matrix, not Vysoká
    plan = build_plan(data, "cz.csv", matrix, as_of=AS_OF)
    assert plan.ok and plan.row_counts["risks"] == 3
    disagree = [p for p in plan.problems if "the matrix wins" in p.message]
    assert [(p.row, p.value) for p in disagree] == [(4, "Vysoká")]
    assert "gives 'Nízká'" in disagree[0].message
