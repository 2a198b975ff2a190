"""The whole-unit points of a declared scale, and the package's one rounding rule.

The integer noise model re-scores on these points and the rounding conventions round to them. Both
use :func:`round_half_up`, in decimal arithmetic, so that a half is decided on the score as typed:
0.15 on a grid of tenths is exactly half way and goes up to 0.2 (binary floating point would hold it
as 0.1499999... and take it down).

The grid is described by its step and the indices of its first and last points (point = index x
step), never listed: a 0..1e300 scale costs what a 0..5 one does.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal, localcontext

from repro.i18n import gettext

#: The package's one rounding rule, by name. A half goes up, towards +infinity, wherever it lies:
#: 2.5 -> 3, -0.5 -> 0, -2.5 -> -2. Unlike "half away from zero" it does not depend on where the
#: scale's zero is: the same ratings on -3..3 and on 0..6 round to the same points.
ROUNDING_RULE = gettext("en", "rounding_rule")


def rounding_rule(lang: str = "en") -> str:
    """:data:`ROUNDING_RULE` in ``lang``."""
    return gettext(lang, "rounding_rule")


#: The rounding modes the conventions compare: the package's rule and half-even (banker's rounding).
ROUNDING_MODES = ("half-up", "half-even")

# Enough digits for any float written out in decimal (17 significant digits) divided by a power of ten.
_PRECISION = 60


def decimal(x: float) -> Decimal:
    """A float as the decimal number it was typed as (repr is the shortest text that reads back as it)."""
    return Decimal(repr(float(x)))


def round_half_up(x: Decimal) -> int:
    """``x`` rounded to a whole number by :data:`ROUNDING_RULE` (floor of x + 1/2)."""
    with localcontext() as context:
        context.prec = _PRECISION
        return int((x + Decimal("0.5")).to_integral_value(rounding=ROUND_FLOOR))


def round_half_even(x: Decimal) -> int:
    """``x`` rounded to a whole number, a half to the even neighbour (2.5 -> 2, 3.5 -> 4)."""
    with localcontext() as context:
        context.prec = _PRECISION
        return int(x.to_integral_value(rounding=ROUND_HALF_EVEN))


def grid_step(scale) -> Decimal:
    """The step of the scale's whole-unit points: 1 on any scale at least 2 units wide (0-5, 1-5,
    1-10, -3..3, 0-100), else the largest power of ten that divides it into at least two steps
    (0.1 on 0-1, 0.01 on 0-0.05)."""
    width = decimal(scale.maximum) - decimal(scale.minimum)
    if width >= 2:
        return Decimal(1)
    return Decimal(1).scaleb((width / 2).adjusted())  # 10 ** floor(log10(width / 2))


@dataclass(frozen=True)
class Grid:
    """The points index x ``step`` for index ``first`` .. ``last``: the multiples of the step on the scale."""

    step: Decimal
    first: int
    last: int

    @classmethod
    def of(cls, scale) -> "Grid":
        step = grid_step(scale)
        with localcontext() as context:
            context.prec = _PRECISION
            first = int((decimal(scale.minimum) / step).to_integral_value(rounding=ROUND_CEILING))
            last = int((decimal(scale.maximum) / step).to_integral_value(rounding=ROUND_FLOOR))
        return cls(step, first, last)

    @property
    def size(self) -> int:
        """How many points (a Python int: 10**300 + 1 on 0..1e300)."""
        return self.last - self.first + 1

    def nearest_index(self, score: float, mode: str = "half-up") -> int:
        """The index of the point nearest ``score`` (a half by ``mode``: 'half-up', the package's
        rule, or 'half-even'), kept on the scale: a score beyond its last point goes to that point."""
        with localcontext() as context:
            context.prec = _PRECISION
            ratio = decimal(score) / self.step
        index = round_half_up(ratio) if mode == "half-up" else round_half_even(ratio)
        return min(max(index, self.first), self.last)

    def value(self, index: int) -> float:
        """The point of ``index`` as a float (exact where the decimal has a float: 0.3, not 0.30000000000000004)."""
        with localcontext() as context:
            context.prec = _PRECISION
            return float(index * self.step)

    def points(self, limit: int = 1000) -> list[float]:
        """Every point, ascending, for display; refused beyond ``limit`` points (the models never list them)."""
        if self.size > limit:
            raise ValueError(f"the grid has {self.size} points; listing more than {limit} is refused")
        return [self.value(i) for i in range(self.first, self.last + 1)]

    def round(self, score: float, mode: str = "half-up") -> float:
        """``score`` rounded to the nearest point on the scale (see :meth:`nearest_index`)."""
        return self.value(self.nearest_index(score, mode))

