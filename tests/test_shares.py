"""A change of shares is taken between the percents shown beside it, so a row adds up
(a review trial read '62% | 55% | +6 pts' as an arithmetic error)."""

import math

from isms.packs.content import _share_row
from isms.packs.model import ScorecardRow
from isms.shares import percent_text, points, points_text


def test_the_change_is_the_difference_of_the_shown_percents():
    # 62.4% shows as 62%, 55.6% as 56%: the row reads 62 - 56 = +6, where the unrounded
    # difference (6.8) rounded to +7
    assert points(0.624, 0.556) == 6
    assert points(0.556, 0.624) == -6
    # 4.4% and 23.6% show as 4% and 24%: -20, where the unrounded difference (-19.2) gave -19
    assert points(0.044, 0.236) == -20
    assert points(0.5, 0.5) == 0


def test_a_missing_share_has_no_change():
    assert points(None, 0.5) is None
    assert points(0.5, math.nan) is None
    assert percent_text(None) == "n/a"
    assert percent_text(math.nan, "–") == "–"


def test_points_are_written_with_their_number():
    assert [points_text(c) for c in (6, 1, 0, -1, -20)] == ["+6 pts", "+1 pt", "no change", "-1 pt", "-20 pts"]
    assert points_text(None) is None


def test_a_pack_row_of_shares_adds_up():
    assert _share_row("Within appetite", 0.624, 0.556, False) == ScorecardRow("Within appetite", "62%", "56%", "+6 pts", "better")
    assert _share_row("Share red", 0.044, 0.236, True) == ScorecardRow("Share red", "4%", "24%", "-20 pts", "better")
    assert _share_row("Share red", 0.501, 0.499, True) == ScorecardRow("Share red", "50%", "50%", "no change", "")


def test_a_headline_keeps_ids_whole_and_typed_text_literal():
    from ui.scorecard import headline_markdown

    said = headline_markdown("The worst is R-016 \u201c<b>Bad</b> $5 *x*\u201d; KRI-16 red; ISO-2026-RC starts.")
    assert '<span style="white-space: nowrap">R-016</span>' in said
    assert '<span style="white-space: nowrap">KRI-16</span>' in said
    assert "ISO-2026-RC starts" in said  # ends in letters: no register id
    assert "\\<b\\>Bad\\</b\\>" in said and "\\$5 \\*x\\*" in said  # a title's markup stays text


def test_days_to_go_in_words():
    from isms.dates import days_to_go

    assert [days_to_go(d) for d in (-30, -1, 0, 1, 9, 1200, None)] == \
        ["30 days ago", "1 day ago", "today", "in 1 day", "in 9 days", "in 1,200 days", ""]


def test_a_count_change_in_words():
    from isms.shares import change_text

    assert [change_text(c) for c in (3, -1, 0, 1200, None)] == ["+3", "-1", "no change", "+1,200", None]
