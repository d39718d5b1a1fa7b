import pytest
from hypothesis import given, strategies as st

from isms.config import SettingsError, load_settings
from isms.matrix import PRESETS, MatrixError, RiskMatrix, from_settings

# Golden tables written out by hand from the definitions in the issue and NIST SP 800-30
# Table I-2 (rows likelihood from lowest, columns impact from lowest).
L, M, H, C = "Low", "Medium", "High", "Critical"
GOLDEN_5X5 = [
    [L, L, L, L, M],
    [L, L, M, M, H],
    [L, M, M, H, H],
    [L, M, H, H, C],
    [M, H, H, C, C],
]
VL, Lo, Mo, Hi, VH = "Very low", "Low", "Moderate", "High", "Very high"
GOLDEN_NIST = [
    [VL, VL, VL, Lo, Lo],  # likelihood Very low
    [VL, Lo, Lo, Lo, Mo],  # Low
    [VL, Lo, Mo, Mo, Hi],  # Moderate
    [VL, Lo, Mo, Hi, VH],  # High
    [VL, Lo, Mo, Hi, VH],  # Very high
]
GOLDEN_3X3 = [[L, L, M], [L, M, H], [M, H, H]]
GOLDEN_4X4 = [[L, L, L, M], [L, M, M, H], [L, M, H, C], [M, H, C, C]]


@pytest.mark.parametrize(
    "preset, golden",
    [("5x5", GOLDEN_5X5), ("nist-800-30", GOLDEN_NIST), ("3x3", GOLDEN_3X3), ("4x4", GOLDEN_4X4)],
)
def test_preset_levels_match_golden_table(preset, golden):
    m = PRESETS[preset]
    got = [[m.level(li, im) for im in range(1, m.steps_impact + 1)] for li in range(1, m.steps_likelihood + 1)]
    assert got == golden


def test_5x5_scores_and_bands():
    m = PRESETS["5x5"]
    assert m.score(4, 5) == 20 and m.level(4, 5) == "Critical"
    assert m.score(4, 4) == 16 and m.level(4, 4) == "High"
    assert m.score(3, 3) == 9 and m.level(3, 3) == "Medium"
    assert m.score(2, 2) == 4 and m.level(2, 2) == "Low"
    assert m.within_appetite("Medium") and not m.within_appetite("High")


def test_nist_levels_are_a_lookup_not_a_product():
    m = PRESETS["nist-800-30"]
    # Same product (5), different levels: only a lookup grid can say so.
    assert m.level(5, 1) == "Very low" and m.level(1, 5) == "Low"


def test_point_outside_scale_is_refused():
    with pytest.raises(ValueError, match="likelihood 6 is outside 1-5"):
        PRESETS["5x5"].level(6, 1)
    with pytest.raises(ValueError, match="impact 0"):
        PRESETS["3x3"].score(1, 0)


@st.composite
def matrices(draw):
    return PRESETS[draw(st.sampled_from(sorted(PRESETS)))]


@given(matrices(), st.data())
def test_level_never_falls_when_likelihood_or_impact_rises(m, data):
    li = data.draw(st.integers(1, m.steps_likelihood))
    im = data.draw(st.integers(1, m.steps_impact))
    li2 = data.draw(st.integers(li, m.steps_likelihood))
    im2 = data.draw(st.integers(im, m.steps_impact))
    assert m.rank(m.level(li2, im2)) >= m.rank(m.level(li, im))
    assert m.score(li2, im2) >= m.score(li, im)


@given(st.integers(3, 6), st.integers(3, 6), st.data())
def test_any_valid_custom_product_matrix_is_monotone(nl, ni, data):
    top = nl * ni
    cuts = sorted(data.draw(st.sets(st.integers(1, top - 1), min_size=1, max_size=3)))
    levels = tuple(f"L{i}" for i in range(len(cuts) + 1))
    m = RiskMatrix(name="c", likelihood_labels=tuple(map(str, range(nl))), impact_labels=tuple(map(str, range(ni))),
                   levels=levels, bands=(*cuts, top), appetite=levels[0])
    for li in range(1, nl + 1):
        for im in range(1, ni + 1):
            if li < nl:
                assert m.rank(m.level(li + 1, im)) >= m.rank(m.level(li, im))
            if im < ni:
                assert m.rank(m.level(li, im + 1)) >= m.rank(m.level(li, im))


def test_custom_grid_that_falls_is_refused():
    with pytest.raises(MatrixError, match="falls as impact rises"):
        from_settings({
            "likelihood": ["a", "b", "c"], "impact": ["x", "y", "z"], "levels": ["Low", "High"],
            "grid": [["Low", "High", "Low"], ["Low", "High", "High"], ["High", "High", "High"]],
            "appetite": "Low",
        })


def test_custom_grid_from_settings():
    m = from_settings({
        "likelihood": ["a", "b", "c"], "impact": ["x", "y", "z"], "levels": ["Low", "Medium", "High"],
        "grid": [["Low", "Low", "Medium"], ["Low", "Medium", "High"], ["Medium", "High", "High"]],
        "appetite": "Low",
    })
    assert m.method == "grid" and m.level(3, 1) == "Medium" and not m.within_appetite("Medium")


def test_preset_with_override_and_errors():
    assert from_settings({"preset": "5x5", "appetite": "High"}).within_appetite("High")
    assert from_settings({}).name == "5x5"
    with pytest.raises(MatrixError, match="unknown matrix preset"):
        from_settings({"preset": "7x7"})
    with pytest.raises(MatrixError, match="appetite 'Severe' is not one of the levels"):
        from_settings({"preset": "5x5", "appetite": "Severe"})
    with pytest.raises(MatrixError, match="needs 'bands'|band"):
        from_settings({"likelihood": ["a", "b", "c"], "impact": ["x", "y", "z"], "levels": ["L", "H"], "appetite": "L"})
    with pytest.raises(MatrixError, match="3 to 6 steps"):
        from_settings({"likelihood": ["a", "b"], "impact": ["x", "y", "z"], "levels": ["L", "H"], "bands": [3, 6], "appetite": "L"})


def test_settings_file_chooses_the_matrix(tmp_path):
    cfg = tmp_path / "isms.toml"
    cfg.write_text('[organisation]\nname = "Acme"\n[matrix]\npreset = "nist-800-30"\n')
    s = load_settings(cfg, db_path=str(tmp_path / "x.duckdb"))
    assert s.organisation == "Acme" and s.matrix.name == "nist-800-30" and s.matrix.appetite == "Moderate"
    cfg.write_text('[matrix]\npreset = "5x5"\nappetite = "Nope"\n')
    with pytest.raises(SettingsError, match="Nope"):
        load_settings(cfg)


def test_the_method_says_a_grid_row_by_row():
    """NIST SP 800-30 Table I-2 as the export's README writes it: impact from Very low to Very high
    along each likelihood's row (the table's rows Very low and Very high, read off the standard)."""
    from isms.method import levels

    text = levels(PRESETS["nist-800-30"], grid=True)
    assert text.startswith("lookup grid, by impact from Very low to Very high: "
                           "likelihood Very low: Very low, Very low, Very low, Low, Low; ")
    assert text.endswith("; likelihood Very high: Very low, Low, Moderate, High, Very high")
    assert levels(PRESETS["nist-800-30"]) == "lookup grid (see settings)"  # the pack's appendix, as before
    assert levels(PRESETS["4x4"]) == "Low up to 3, Medium up to 6, High up to 9, Critical up to 16"
