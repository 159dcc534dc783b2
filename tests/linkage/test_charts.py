"""The waterfall chart: bars follow the running match weight, and the SVG is safe and accessible."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from joinedup.linkage import charts

SVG = "{http://www.w3.org/2000/svg}"
EVIDENCE = [
    {"comparison": "prior", "label": "prior", "weight": -13.2},
    {"comparison": "first_name", "label": "exact match", "weight": 7.7},
    {"comparison": "surname", "label": "exact match", "weight": 9.1},
    {"comparison": "dob", "label": "dob missing", "weight": 0.0},
    {"comparison": "postcode", "label": "exact match", "weight": 10.2},
    {"comparison": "gender", "label": "all other comparisons", "weight": -3.4},
]


def _parse(evidence: list[dict[str, object]], threshold: float | None = 0.99) -> ET.Element:
    return ET.fromstring(
        str(charts.waterfall_svg(evidence, chart_id="c", threshold_probability=threshold))
    )


def _bars(root: ET.Element) -> list[tuple[str, float, float]]:
    """(kind, top, bottom) of each bar, in drawing order."""
    found = []
    for group in root.iter(f"{SVG}g"):
        kind = group.get("class", "")
        if "app-waterfall__step--" not in kind:
            continue
        rect = group.find(f"{SVG}rect")
        assert rect is not None
        top = float(rect.get("y", "nan"))
        found.append((kind.rsplit("--", 1)[1], top, top + float(rect.get("height", "nan"))))
    return found


def test_steps_follow_the_cumulative_sum() -> None:
    steps = charts.steps(EVIDENCE)
    running = 0.0
    for step, item in zip(steps, EVIDENCE, strict=False):
        assert step.start == pytest.approx(running)
        running += float(item["weight"])  # type: ignore[arg-type]
        assert step.end == pytest.approx(running)
    total = steps[-1]
    assert (total.kind, total.start, total.end) == ("total", 0.0, pytest.approx(10.4))
    assert [s.kind for s in steps] == ["prior", "for", "for", "for", "for", "against", "total"]


def test_each_bar_starts_where_the_previous_one_ended() -> None:
    root = _parse(EVIDENCE)
    bars = _bars(root)
    assert len(bars) == len(EVIDENCE) + 1
    steps = charts.steps(EVIDENCE)
    # The pixel edge at the running total after bar i is an edge of bar i + 1.
    for i in range(len(EVIDENCE) - 1):
        kind, top, bottom = bars[i]
        end_edge = top if steps[i].weight >= 0 else bottom
        next_top, next_bottom = bars[i + 1][1:]
        next_start = next_bottom if steps[i + 1].weight >= 0 else next_top
        if steps[i].weight and steps[i + 1].weight:
            assert end_edge == pytest.approx(next_start, abs=0.01), (i, kind)
    # The total bar ends level with the last comparison.
    last_top = bars[-2][1] if steps[-2].weight >= 0 else bars[-2][2]
    assert bars[-1][1] == pytest.approx(last_top, abs=0.01)


def test_negative_weights_go_down_and_positive_go_up() -> None:
    root = _parse(EVIDENCE)
    scale = charts.scale_for(charts.steps(EVIDENCE), charts.weight_of(0.99))
    groups = [g for g in root.iter(f"{SVG}g") if "step--" in g.get("class", "")]
    for group, (kind, top, bottom) in zip(groups, _bars(root), strict=True):
        rect = group.find(f"{SVG}rect")
        assert rect is not None and rect.get("fill") == charts.COLOURS[kind]
        start, end = float(rect.get("data-start", "0")), float(rect.get("data-end", "0"))
        if start == end:
            continue  # a weightless comparison is a hairline
        # Higher weight is higher on the page (smaller y), whichever way the bar goes.
        assert top == pytest.approx(scale.y(max(start, end)), abs=0.01)
        assert bottom == pytest.approx(scale.y(min(start, end)), abs=0.01)
        if kind == "against":
            assert end < start
    bars = _bars(root)
    prior, gender = bars[0], bars[5]
    zero_y = bars[-1][2]  # the total bar stands on zero
    assert prior[1] == pytest.approx(zero_y, abs=0.01)  # the prior (negative) hangs from zero
    assert prior[2] > zero_y
    assert gender[0] == "against"
    assert gender[1] == pytest.approx(bars[4][1], abs=0.01)  # starts at the postcode bar's top
    assert gender[2] > gender[1]


def test_the_threshold_line_sits_at_the_threshold_weight() -> None:
    root = _parse(EVIDENCE)
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "app-waterfall__threshold")
    line = group.find(f"{SVG}line")
    assert line is not None and line.get("stroke-dasharray")
    steps = charts.steps(EVIDENCE)
    scale = charts.scale_for(steps, charts.weight_of(0.99))
    assert float(line.get("y1", "0")) == pytest.approx(scale.y(math.log2(99)), abs=0.01)
    assert "99.0%" in "".join(group.itertext())
    assert not [
        g for g in _parse(EVIDENCE, None).iter(f"{SVG}g") if "threshold" in g.get("class", "")
    ]


def test_the_chart_is_an_image_with_a_title_and_description() -> None:
    root = _parse(EVIDENCE)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c-title c-desc"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.get("id") == "c-title"
    assert desc is not None and desc.get("id") == "c-desc"
    assert "99.9%" in (desc.text or "")  # the total's probability
    assert "first name: exact match +7.7" in (desc.text or "")
    labels = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "first name: exact match +7.7" in labels
    assert "gender: all other comparisons \u22123.4" in labels


def test_labels_are_escaped() -> None:
    nasty = [
        {"comparison": "prior", "label": "prior", "weight": -5.0},
        {"comparison": "<script>", "label": 'a & b "c" <d>', "weight": 2.0},
    ]
    text = str(charts.waterfall_svg(nasty, chart_id='x" onload="y', threshold_probability=0.99))
    assert "<script>" not in text and "<d>" not in text
    root = ET.fromstring(text)  # still well-formed XML
    assert root.get("id") == 'x" onload="y'
    assert root.get("onload") is None
    assert any('a & b "c" <d>' in "".join(t.itertext()) for t in root.iter(f"{SVG}text"))


def test_signs_use_a_true_minus_and_never_show_minus_zero() -> None:
    assert [charts.signed(w) for w in (7.71, -2.34, -0.01, 0.0)] == [
        "+7.7",
        "\u22122.3",
        "+0.0",
        "+0.0",
    ]
    assert charts.number(-12.66) == "\u221212.7" and charts.number(3.0) == "3.0"


def test_probability_and_weight_round_trip_and_percent_never_rounds_up_to_certainty() -> None:
    for p in (0.01, 0.5, 0.99, 0.999999):
        assert charts.probability_of(charts.weight_of(p)) == pytest.approx(p)
    assert charts.probability_of(-2000) == 0.0 and charts.probability_of(2000) == 1.0
    assert charts.percent(0.5) == "50.0%"
    assert charts.percent(0.99996) == "99.996%"
    assert charts.percent(0.9995) == "99.95%"
    assert charts.percent(1.0) == "100%"


def test_table_rows_give_the_same_figures() -> None:
    rows = charts.table_rows(EVIDENCE)
    assert [r.label for r in rows][:2] == ["prior: before comparing", "first name: exact match"]
    assert rows[1].weight == "+7.7" and rows[1].running == "\u22125.5"
    assert rows[3].label == "date of birth: missing"  # the model's "dob missing"
    assert (rows[-1].label, rows[-1].weight) == ("Total match weight", "10.4")


def test_no_evidence_still_draws_a_valid_chart() -> None:
    bars = _bars(_parse([]))
    assert [b[0] for b in bars] == ["total"]
