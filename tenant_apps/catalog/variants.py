"""Variants from spec axes: colour × size … → one spec dict per combination."""

from itertools import product as cartesian

MAX_VARIANTS = 200


def spec_combinations(axes: list[tuple[str, list[str]]]) -> list[dict[str, str]]:
    """[("colour", ["黑", "白"]), ("size", ["M", "L"])] → [{colour: 黑, size: M}, {黑, L}, {白, M}, {白, L}].
    Empty axes give one empty spec (a product without variants)."""
    axes = [(name, values) for name, values in axes if name and values]
    if not axes:
        return [{}]
    names = [name for name, _values in axes]
    return [dict(zip(names, combo, strict=True)) for combo in cartesian(*(values for _name, values in axes))]


def parse_axes(text: str) -> list[tuple[str, list[str]]]:
    """Console input, one axis a line: `colour: 黑色, 白色` (also ：，、 as separators)."""
    axes: list[tuple[str, list[str]]] = []
    for line in (text or "").splitlines():
        line = line.replace("：", ":").replace("，", ",").replace("、", ",")
        if ":" not in line:
            continue
        name, _sep, values = line.partition(":")
        cleaned = list(dict.fromkeys(v.strip() for v in values.split(",") if v.strip()))
        if name.strip() and cleaned:
            axes.append((name.strip(), cleaned))
    return axes
