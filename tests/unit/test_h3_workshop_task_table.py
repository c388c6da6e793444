"""The workshop report's table of preparatory tasks keeps a date on one line in its "Hạn" and "Ngày nộp" columns
(at 21 mm, "25/12/2026" broke as "25/12/202" over "6"), within the same page width as before."""
from __future__ import annotations

import pytest

from notifications.documents.decree30 import GRID_PADDING_MM, TABLE_SIZE, estimate_width_mm
from notifications.documents.workshop import TASK_WIDTHS_MM

DUE, HANDED_IN = 3, 4  # the columns "Hạn" and "Ngày nộp"


@pytest.mark.parametrize("column", [DUE, HANDED_IN])
def test_a_date_fits_its_column_on_one_line(column: int) -> None:
    assert estimate_width_mm("25/12/2026", TABLE_SIZE) <= TASK_WIDTHS_MM[column] - GRID_PADDING_MM


def test_the_table_is_as_wide_as_before() -> None:
    assert sum(TASK_WIDTHS_MM) == pytest.approx(165.0)
