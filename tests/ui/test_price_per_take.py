"""The price line for several takes (issue 18): the total is the per-take price times the takes
as read, both with the fractions of a cent they have."""

from __future__ import annotations

from wan_desktop.core.pricing import PriceQuote, format_usd
from wan_desktop.ui.cost_label import CostLabel


def test_exact_amounts_keep_the_fractions_of_a_cent():
    assert format_usd(0.375) == "$0.38"  # a bill's rounding, where one amount stands alone
    assert format_usd(0.375, exact=True) == "$0.375"
    assert format_usd(1.125, exact=True) == "$1.125"
    assert format_usd(1.5, exact=True) == "$1.50"
    assert format_usd(0.0, exact=True) == "$0.00"
    assert format_usd(12.34567, exact=True) == "$12.3457"


def test_three_takes_add_up_as_read(qtbot):
    label = CostLabel()
    qtbot.addWidget(label)
    label.update_estimate("1080p", 5, price=PriceQuote.bundled())
    assert label.estimate().amount_usd == 0.375
    assert "$0.38 · 5 s · 1080p" in label.text()  # one take: cents
    label.set_takes(3)
    assert "$1.125 for 3 takes ($0.375 · 5 s · 1080p each)" in label.text()
    assert label.total_usd() == 1.125
