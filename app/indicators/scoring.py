"""Pure scoring rules of the Decision 766 scorecard (no database, no Flask).

points = max × min(1, ratio ÷ threshold), rounded to 2 decimals half-up; threshold 100 is linear.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

ZERO_DENOMINATOR_POLICIES = ("zero", "full", "none")
HUNDRED = Decimal(100)
CENT = Decimal("0.01")

Number = Decimal | int | float | str


def to_decimal(value: Number | None) -> Decimal | None:
    """Convert a number (float via its shortest repr) to Decimal; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, Decimal):
        result = value
    else:
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise ValueError(f"not a number: {value!r}") from exc
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def round2(value: Decimal) -> Decimal:
    """Round to 2 decimals, half-up (the portal's rounding)."""
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, value.adjusted() + 4)
        return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Score:
    """What a rule gives for one value: the ratio shown (percent, 2 decimals) and the points (None: not scored)."""

    ratio: Decimal | None
    points: Decimal | None


@dataclass(frozen=True)
class Rule:
    """The scoring rule of one indicator: max points, threshold (percent) and zero-denominator policy.

    The one implementation of the portal's scoring: imports, manual entry and the demo all score through it.
    """

    max_points: Decimal
    threshold: Decimal = HUNDRED
    zero_denominator: str = "zero"

    def __post_init__(self) -> None:
        object.__setattr__(self, "max_points", to_decimal(self.max_points))
        object.__setattr__(self, "threshold", to_decimal(self.threshold))
        if self.max_points is None or self.max_points < 0:
            raise ValueError("max_points must be >= 0")
        if self.threshold is None or not (0 < self.threshold <= HUNDRED):
            raise ValueError("threshold must be in (0, 100]")
        if self.zero_denominator not in ZERO_DENOMINATOR_POLICIES:
            raise ValueError(f"zero_denominator must be one of {ZERO_DENOMINATOR_POLICIES}")

    @classmethod
    def of(cls, rule) -> Rule:
        """The rule of a catalog row (anything with max_points, threshold and zero_denominator)."""
        return cls(rule.max_points, rule.threshold, rule.zero_denominator)

    @property
    def linear(self) -> bool:
        """True when full points need 100 %."""
        return self.threshold == HUNDRED

    def points(self, ratio: Number | None, *, denominator: Number | None = None) -> Decimal | None:
        """Points for a ratio (percent) under this rule."""
        return points(
            ratio,
            self.max_points,
            self.threshold,
            denominator=denominator,
            zero_denominator=self.zero_denominator,
        )

    def evaluate(
        self,
        *,
        numerator: Number | None = None,
        denominator: Number | None = None,
        ratio: Number | None = None,
    ) -> Score:
        """Ratio and points the way the portal gives them.

        - Nothing to measure (denominator 0): the policy decides. "full" gives the maximum and shows 100 %
          (no petitions: full 6 points), "zero" gives 0 and shows 0 % (a unit that received no dossier scores
          0 on indicator 4), "none" leaves it unscored; a ratio the file gives is kept as shown.
        - Counts known: points from the exact fraction (the portal rounds only the result).
        - Only a ratio: points from it. No ratio and no counts: not scored (a null ratio is not a zero).
        """
        num, den, given = to_decimal(numerator), to_decimal(denominator), to_decimal(ratio)
        if den is not None and den == 0:
            if self.zero_denominator == "full":
                return Score(given if given is not None else HUNDRED, round2(self.max_points))
            if self.zero_denominator == "none":
                return Score(given, None)
            return Score(given if given is not None else Decimal(0), round2(Decimal(0)))
        exact = exact_ratio(num, den)
        shown = given if given is not None else (round2(exact) if exact is not None else None)
        return Score(shown, self.points(exact if exact is not None else given))

    def score(
        self,
        *,
        numerator: Number | None = None,
        denominator: Number | None = None,
        ratio: Number | None = None,
    ) -> Decimal | None:
        """Points only (see evaluate)."""
        return self.evaluate(numerator=numerator, denominator=denominator, ratio=ratio).points


def points(
    ratio: Number | None,
    max_points: Number,
    threshold: Number = HUNDRED,
    *,
    denominator: Number | None = None,
    zero_denominator: str = "zero",
) -> Decimal | None:
    """Points = max × min(1, ratio ÷ threshold), 2 decimals half-up; None ratio → None (not scored)."""
    if zero_denominator not in ZERO_DENOMINATOR_POLICIES:
        raise ValueError(f"zero_denominator must be one of {ZERO_DENOMINATOR_POLICIES}")
    max_d = to_decimal(max_points)
    thr = to_decimal(threshold)
    if max_d is None or thr is None or thr <= 0:
        raise ValueError("max_points and a positive threshold are required")
    ratio_d = to_decimal(ratio)
    if ratio_d is None:
        return None
    den = to_decimal(denominator)
    if den is not None and den == 0:
        if zero_denominator == "full":
            return round2(max_d)
        if zero_denominator == "none":
            return None
        return round2(Decimal(0))
    share = min(Decimal(1), max(Decimal(0), ratio_d) / thr)
    return round2(max_d * share)


def ratio_of(numerator: Number | None, denominator: Number | None) -> Decimal | None:
    """Percent numerator ÷ denominator, 2 decimals half-up; None when either is None or denominator is 0."""
    num = to_decimal(numerator)
    den = to_decimal(denominator)
    if num is None or den is None or den == 0:
        return None
    return round2(num * HUNDRED / den)


def exact_ratio(numerator: Number | None, denominator: Number | None) -> Decimal | None:
    """Unrounded percent numerator ÷ denominator; None when either is None or denominator is 0."""
    num = to_decimal(numerator)
    den = to_decimal(denominator)
    if num is None or den is None or den == 0:
        return None
    return num * HUNDRED / den


def indicator_points(
    numerator: Number | None,
    denominator: Number | None,
    ratio: Number | None,
    max_points: Number,
    threshold: Number = HUNDRED,
    *,
    zero_denominator: str = "zero",
) -> Decimal | None:
    """Points the way the portal computes them (Rule.evaluate): exact fraction, else ratio, 0/0 by policy."""
    rule = Rule(max_points, threshold, zero_denominator)
    return rule.score(numerator=numerator, denominator=denominator, ratio=ratio)
