"""The waterfall chart of a pair's evidence, drawn on the server as inline SVG (no JavaScript).

Each comparison adds its weight (a log2 Bayes factor) to the running match weight: the prior
first, then one bar per comparison starting where the previous one ended (up for evidence that
the records are the same person, down for evidence against), and a last bar for the total. A
dashed line marks the automatic-link threshold. The figures are also given as a table on every
page that shows the chart, so the picture is never the only way to read them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

BarKind = Literal["prior", "for", "against", "total"]

# GOV.UK Design System colours.
COLOURS: dict[str, str] = {
    "prior": "#1d70b8",  # blue
    "for": "#00703c",  # green
    "against": "#d4351c",  # red
    "total": "#0b0c0c",  # black
}
TEXT = "#0b0c0c"
GRID = "#b1b4b6"
THRESHOLD = "#505a5f"

COMPARISON_NAMES = {
    "prior": "before comparing",
    "first_name": "first name",
    "surname": "surname",
    "dob": "date of birth",
    "postcode": "postcode",
    "gender": "gender",
    "address": "address",
    "birth_place": "place of birth",
    "identifier": "identifier",
}

# Drawing geometry, in SVG user units.
BAR_STEP = 64
BAR_WIDTH = 40
AXIS_SPACE = 56  # left of the plot, for the axis and its title
TOP = 24
PLOT_HEIGHT = 240
RIGHT = 24
CHAR_WIDTH = 6.6  # an average Arial character at 12 units: to keep slanted labels in view
SLANT = math.sqrt(0.5)  # labels are rotated 45 degrees


def weight_of(probability: float) -> float:
    """The match weight (log2 odds) of a match probability."""
    p = min(max(probability, 1e-12), 1 - 1e-12)
    return math.log2(p / (1 - p))


def probability_of(weight: float) -> float:
    """The match probability of a match weight, without overflow."""
    if weight >= 0:
        return 1 / (1 + math.pow(2.0, -weight))
    odds = math.pow(2.0, weight)
    return odds / (1 + odds)


def percent(probability: float) -> str:
    """A probability as a percentage with just enough decimals not to round up to 100%."""
    if probability >= 1:
        return "100%"
    value = probability * 100
    for decimals in range(1, 7):
        shown = round(value, decimals)
        if shown < 100:
            return f"{shown:.{decimals}f}%"
    return f"{value:.6f}%"


def signed(weight: float) -> str:
    """A weight with its sign and one decimal: "+7.7", "−2.3" (a true minus sign)."""
    return "+" + number(weight) if round(weight, 1) >= 0 else number(weight)


def number(weight: float) -> str:
    """A weight with one decimal and a true minus sign when negative: "7.7", "−2.3"."""
    text = f"{abs(weight):.1f}"
    return text if round(weight, 1) >= 0 else "\u2212" + text


def describe(item: Mapping[str, Any]) -> str:
    """How a piece of evidence reads to a person: "first name: exact match"."""
    comparison = str(item.get("comparison", ""))
    name = COMPARISON_NAMES.get(comparison, comparison.replace("_", " "))
    if comparison == "prior":
        return "prior: before comparing"
    label = str(item.get("label", ""))
    if label == f"{comparison} missing":  # the model's level name, e.g. "dob missing"
        label = "missing"
    return f"{name}: {label}"


@dataclass(frozen=True, slots=True)
class Step:
    """One bar of the waterfall: where the running match weight starts and ends."""

    label: str
    weight: float
    start: float
    end: float
    kind: BarKind


def steps(evidence: Iterable[Mapping[str, Any]]) -> list[Step]:
    """The bars of the waterfall: the evidence in order, each from the running total, then the
    total from zero."""
    out: list[Step] = []
    running = 0.0
    for item in evidence:
        weight = float(item.get("weight", 0.0))
        kind: BarKind
        if item.get("comparison") == "prior":
            kind = "prior"
        else:
            kind = "for" if weight >= 0 else "against"
        out.append(Step(describe(item), weight, running, running + weight, kind))
        running += weight
    out.append(Step("total match weight", running, 0.0, running, "total"))
    return out


@dataclass(frozen=True, slots=True)
class Scale:
    """Match weight to vertical position: higher weight, higher on the page."""

    low: float
    high: float

    def y(self, weight: float) -> float:
        """The SVG y of a match weight."""
        return TOP + (self.high - weight) / (self.high - self.low) * PLOT_HEIGHT

    def ticks(self) -> list[int]:
        """Whole-number weights for the axis, about six of them."""
        span = self.high - self.low
        step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500) if span / s <= 8)
        first = math.ceil(self.low / step) * step
        return list(range(first, math.floor(self.high) + 1, step))


def scale_for(items: Sequence[Step], threshold: float | None) -> Scale:
    """A scale that fits every bar, zero and the threshold, with a little room."""
    values = [0.0] + [s.start for s in items] + [s.end for s in items]
    if threshold is not None:
        values.append(threshold)
    low, high = min(values), max(values)
    pad = max((high - low) * 0.08, 1.0)
    return Scale(math.floor(low - pad), math.ceil(high + pad))


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True, slots=True)
class Frame:
    """Where the plot sits: room on the left and below for the slanted labels."""

    left: float
    label_space: float
    bars: int

    @property
    def width(self) -> float:
        return self.left + self.bars * BAR_STEP + RIGHT

    @property
    def height(self) -> float:
        return TOP + PLOT_HEIGHT + self.label_space

    def x(self, index: int) -> float:
        """The left edge of bar ``index``."""
        return self.left + index * BAR_STEP + (BAR_STEP - BAR_WIDTH) / 2


def frame_for(items: Sequence[Step]) -> Frame:
    """Margins wide enough for every slanted label (they run down and to the left)."""
    lengths = [len(_axis_label(s)) * CHAR_WIDTH * SLANT for s in items]
    left = max(
        [float(AXIS_SPACE)] + [n - (i * BAR_STEP + BAR_STEP / 2) + 8 for i, n in enumerate(lengths)]
    )
    return Frame(math.ceil(left), math.ceil(max(lengths, default=0) + 24), len(items))


def _axis_label(step: Step) -> str:
    return f"{step.label} {signed(step.weight)}"


def _bar(index: int, step: Step, scale: Scale, frame: Frame) -> str:
    x = frame.x(index)
    top = scale.y(max(step.start, step.end))
    height = max(abs(scale.y(step.start) - scale.y(step.end)), 1.0)
    label_x = x + BAR_WIDTH / 2
    value_y = top - 6 if step.weight >= 0 else top + height + 14
    axis_y = TOP + PLOT_HEIGHT + 14
    text = _axis_label(step)
    return (
        f'<g class="app-waterfall__step app-waterfall__step--{step.kind}">'
        f'<rect x="{_fmt(x)}" y="{_fmt(top)}" width="{BAR_WIDTH}" height="{_fmt(height)}" '
        f'fill="{COLOURS[step.kind]}" data-start="{_fmt(step.start)}" '
        f'data-end="{_fmt(step.end)}"/>'
        f'<text x="{_fmt(label_x)}" y="{_fmt(value_y)}" text-anchor="middle" font-size="12" '
        f'fill="{TEXT}">{escape(signed(step.weight))}</text>'
        f"{_probability_label(label_x, value_y, step)}"
        f'<text transform="translate({_fmt(label_x)} {_fmt(axis_y)}) rotate(-45)" '
        f'text-anchor="end" font-size="12" fill="{TEXT}">{escape(text)}</text>'
        "</g>"
    )


def _probability_label(x: float, value_y: float, step: Step) -> str:
    """Over the total bar: the match probability the total weight means."""
    if step.kind != "total":
        return ""
    y = value_y - 16 if step.weight >= 0 else value_y + 16
    return (
        f'<text x="{_fmt(x)}" y="{_fmt(y)}" text-anchor="middle" font-size="12" '
        f'font-weight="bold" fill="{TEXT}">{escape(percent(probability_of(step.end)))}</text>'
    )


def _connectors(items: Sequence[Step], scale: Scale, frame: Frame) -> list[str]:
    """Thin lines carrying each bar's end across to where the next one starts."""
    lines = []
    for index, step in enumerate(items[:-1]):
        y = _fmt(scale.y(step.end))
        x1 = frame.x(index) + BAR_WIDTH
        lines.append(
            f'<line x1="{_fmt(x1)}" y1="{y}" x2="{_fmt(x1 + BAR_STEP - BAR_WIDTH)}" y2="{y}" '
            f'stroke="{THRESHOLD}" stroke-width="1"/>'
        )
    return lines


def _axis(scale: Scale, frame: Frame) -> list[str]:
    parts = []
    left, right = _fmt(frame.left), _fmt(frame.width - RIGHT)
    for tick in scale.ticks():
        y = _fmt(scale.y(tick))
        stroke = TEXT if tick == 0 else GRID
        parts.append(
            f'<line x1="{left}" y1="{y}" x2="{right}" y2="{y}" '
            f'stroke="{stroke}" stroke-width="1"/>'
            f'<text x="{_fmt(frame.left - 6)}" y="{y}" dy="4" text-anchor="end" font-size="12" '
            f'fill="{TEXT}">{tick}</text>'
        )
    middle = _fmt(TOP + PLOT_HEIGHT / 2)
    parts.append(
        f'<text transform="translate({_fmt(frame.left - 36)} {middle}) rotate(-90)" '
        f'text-anchor="middle" font-size="12" fill="{TEXT}">Match weight</text>'
    )
    return parts


def _threshold_line(scale: Scale, threshold: float, probability: float, frame: Frame) -> str:
    y = _fmt(scale.y(threshold))
    right = _fmt(frame.width - RIGHT)
    label = f"automatic link at {percent(probability)} (weight {threshold:.1f})"
    return (
        f'<g class="app-waterfall__threshold"><line x1="{_fmt(frame.left)}" y1="{y}" '
        f'x2="{right}" y2="{y}" stroke="{THRESHOLD}" stroke-width="2" '
        f'stroke-dasharray="6 4"/><text x="{_fmt(frame.left + 4)}" y="{y}" dy="-5" '
        f'font-size="12" fill="{TEXT}">{escape(label)}</text></g>'
    )


def waterfall_svg(
    evidence: Iterable[Mapping[str, Any]],
    *,
    chart_id: str,
    threshold_probability: float | None = None,
    title: str = "How the evidence adds up",
) -> Markup:
    """An accessible inline SVG waterfall of ``evidence`` (the prior first, then each
    comparison); ``threshold_probability`` draws the automatic-link line."""
    items = steps(evidence)
    threshold = None if threshold_probability is None else weight_of(threshold_probability)
    scale = scale_for(items, threshold)
    frame = frame_for(items)
    total = items[-1].end
    summary = (
        f"Total match weight {total:.1f}: a {percent(probability_of(total))} probability that "
        "the two records are the same person. "
        + "; ".join(f"{s.label} {signed(s.weight)}" for s in items[:-1])
        + "."
    )
    body = _axis(scale, frame) + _connectors(items, scale, frame)
    body += [_bar(i, s, scale, frame) for i, s in enumerate(items)]
    if threshold is not None and threshold_probability is not None:
        body.append(_threshold_line(scale, threshold, threshold_probability, frame))
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-waterfall" id={quoteattr(chart_id)} '
        f'viewBox="0 0 {_fmt(frame.width)} {_fmt(frame.height)}" role="img" '
        f"aria-labelledby={quoteattr(f'{title_id} {desc_id}')} "
        f'font-family="arial, sans-serif">'
        f"<title id={quoteattr(title_id)}>{escape(title)}</title>"
        f"<desc id={quoteattr(desc_id)}>{escape(summary)}</desc>" + "".join(body) + "</svg>"
    )
    return Markup(svg)


@dataclass(frozen=True, slots=True)
class Row:
    """A line of the evidence table that accompanies the chart."""

    label: str
    weight: str
    running: str


def table_rows(evidence: Iterable[Mapping[str, Any]]) -> list[Row]:
    """The chart's figures as table rows: each piece of evidence and the running total."""
    items = steps(evidence)
    rows = [Row(s.label, signed(s.weight), number(s.end)) for s in items[:-1]]
    total = number(items[-1].end)
    rows.append(Row("Total match weight", total, total))
    return rows


@dataclass(frozen=True, slots=True)
class Figure:
    """What a page shows for a pair's evidence: the chart and the same figures as a table."""

    svg: Markup
    rows: list[Row]
    threshold: str


def figure(
    evidence: Sequence[Mapping[str, Any]], chart_id: str, threshold_probability: float
) -> Figure:
    """The waterfall chart of ``evidence`` with its table, for a page."""
    return Figure(
        waterfall_svg(evidence, chart_id=chart_id, threshold_probability=threshold_probability),
        table_rows(evidence),
        percent(threshold_probability),
    )
