"""Scoring rule table (points, ratio_of, Rule) and the default 766 catalog data."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from app.indicators import catalog_data
from app.indicators.scoring import Rule, exact_ratio, indicator_points, points, ratio_of

D = Decimal
SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seeds" / "002_960c4041b5d6a5c8.txt"


@pytest.mark.parametrize(("ratio", "max_points", "threshold", "expected"), [
    # linear (threshold 100)
    (D("4.35"), 4, 100, D("0.17")),
    (D("50"), 6, 100, D("3.00")),
    (D("100"), 6, 100, D("6.00")),
    (D("0"), 6, 100, D("0.00")),
    (D("86.76"), 20, 100, D("17.35")),
    (D("96.89"), 20, 100, D("19.38")),
    (D("97.75"), 2, 100, D("1.96")),
    # thresholds: full points at or above T, proportional below
    (D("96.89"), 6, 90, D("6.00")),
    (D("90"), 6, 90, D("6.00")),
    (D("78.52"), 6, 90, D("5.23")),
    (D("13.86"), 2, 80, D("0.35")),
    (D("80"), 2, 80, D("2.00")),
    (D("92.86"), 2, 80, D("2.00")),
    (D("98.80"), 6, D("98.8"), D("6.00")),
    (D("98.79"), 6, D("98.8"), D("6.00")),  # 5.9994 rounds up
    (D("98.00"), 6, D("98.8"), D("5.95")),
    # half-up rounding
    (D("0.125"), 4, 100, D("0.01")),  # 0.005 → 0.01
    (D("13.25"), 2, 100, D("0.27")),  # 0.265 → 0.27
    (D("1.125"), 4, 100, D("0.05")),  # 0.045 → 0.05
    # inputs of other types; values above 100 are capped, negative floored
    (87.5, 4, 100, D("3.50")),
    ("41.38", "2", "100", D("0.83")),
    (D("120"), 6, 100, D("6.00")),
    (D("-5"), 6, 100, D("0.00")),
])
def test_points_rule_table(ratio, max_points, threshold, expected) -> None:
    assert points(ratio, max_points, threshold) == expected


def test_null_ratio_is_not_scored() -> None:
    assert points(None, 6, 100) is None
    assert points(None, 6, 90, denominator=0, zero_denominator="full") is None
    assert points(None, 6, 100, denominator=0) is None


@pytest.mark.parametrize(("policy", "expected"), [("zero", D("0.00")), ("full", D("6.00")), ("none", None)])
def test_zero_denominator_policies(policy: str, expected: Decimal | None) -> None:
    assert points(0, 6, 100, denominator=0, zero_denominator=policy) == expected
    assert points(D("100"), 6, 100, denominator=D("0"), zero_denominator=policy) == expected
    # a non-zero or unknown denominator uses the ratio
    assert points(50, 6, 100, denominator=10, zero_denominator=policy) == D("3.00")
    assert points(50, 6, 100, denominator=None, zero_denominator=policy) == D("3.00")


@pytest.mark.parametrize("bad", [
    {"zero_denominator": "max"},
    {"threshold": 0},
    {"threshold": -10},
])
def test_points_rejects_bad_rules(bad: dict) -> None:
    kwargs = {"threshold": 100, **bad}
    threshold = kwargs.pop("threshold")
    with pytest.raises(ValueError):
        points(50, 6, threshold, **kwargs)


@pytest.mark.parametrize("ratio", [True, "abc", "nan", float("inf")])
def test_points_rejects_non_numbers(ratio: object) -> None:
    with pytest.raises(ValueError):
        points(ratio, 6, 100)


@pytest.mark.parametrize(("numerator", "denominator", "expected"), [
    (7, 161, D("4.35")),
    (156, 161, D("96.89")),
    (1, 32, D("3.13")),  # 3.125 → 3.13 half-up
    (0, 10, D("0.00")),
    (10, 10, D("100.00")),
    (5, 0, None),
    (None, 10, None),
    (5, None, None),
])
def test_ratio_of(numerator, denominator, expected) -> None:
    assert ratio_of(numerator, denominator) == expected


def test_exact_fraction_beats_rounded_ratio() -> None:
    # Portal: 51 / 385 = 13.2468 % of 2 points → 0.26, while the rounded 13.25 % would give 0.27.
    assert indicator_points(51, 385, D("13.25"), 2, 100) == D("0.26")
    assert points(D("13.25"), 2, 100) == D("0.27")
    assert exact_ratio(51, 385) is not None and ratio_of(51, 385) == D("13.25")
    # without counts the ratio is used; zero denominator follows the policy
    assert indicator_points(None, None, 100, 2, 100, zero_denominator="full") == D("2.00")
    assert indicator_points(0, 0, 0, 6, 100, zero_denominator="full") == D("6.00")
    assert indicator_points(0, 0, 0, 20, 100) == D("0.00")
    assert indicator_points(None, None, None, 6, 100) is None  # a null ratio is not scored


# (policy, numerator, denominator, ratio given) → (ratio shown, points): the portal's 0/0 and missing-ratio cases
ZERO_AND_MISSING = [
    ("zero", 0, 0, None, D("0"), D("0.00")),          # indicator 4 / 10: nothing received → 0, not "no score"
    ("zero", 0, 0, D("0"), D("0"), D("0.00")),
    ("full", 0, 0, None, D("100"), D("6.00")),        # no petitions → full points, 100 %
    ("full", None, 0, D("100"), D("100"), D("6.00")),  # ELECTRONIC_CERTIFIED_COPY shows 100 %
    ("none", 0, 0, None, None, None),
    ("zero", None, None, None, None, None),           # a null ratio without counts: not scored
    ("zero", 3, 4, None, D("75.00"), D("4.50")),
    ("zero", None, None, D("75"), D("75"), D("4.50")),
]


@pytest.mark.parametrize(("policy", "num", "den", "ratio", "shown", "expected"), ZERO_AND_MISSING)
def test_rule_evaluate_zero_denominator_and_missing_ratio(policy, num, den, ratio, shown, expected) -> None:
    result = Rule(6, 100, policy).evaluate(numerator=num, denominator=den, ratio=ratio)
    assert (result.ratio, result.points) == (shown, expected)


def test_rule_dataclass() -> None:
    rule = Rule(6, 90)
    assert rule.max_points == D(6) and rule.threshold == D(90) and not rule.linear
    assert rule.points(D("96.89")) == D("6.00")
    assert rule.score(numerator=156, denominator=161) == D("6.00")
    petitions = Rule(D(6), zero_denominator="full")
    assert petitions.linear and petitions.points(0, denominator=0) == D("6.00")
    with pytest.raises(ValueError):
        Rule(6, 0)
    with pytest.raises(ValueError):
        Rule(6, 100, "sometimes")


def test_catalog_groups_and_totals() -> None:
    groups = [g["code"] for g in catalog_data.GROUPS]
    assert groups == ["I", "II", "III.1", "III.2", "IV.1", "IV.2", "V"]
    assert sum(g["max_points"] for g in catalog_data.GROUPS) == 100
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for ind in catalog_data.INDICATORS:
        sums[ind["group"]] += ind["max_points"]
        assert ind["zero_denominator"] in catalog_data.ZERO_POLICIES
        assert ind["value_source"] in catalog_data.VALUE_SOURCES
        assert set(ind["levels"]) <= set(catalog_data.LEVELS)
        Rule(ind["max_points"], ind["threshold"], ind["zero_denominator"])  # valid rule
    assert {g["code"]: g["max_points"] for g in catalog_data.GROUPS} == dict(sums)
    numbers = [i["number"] for i in catalog_data.INDICATORS if i["number"]]
    assert numbers == [str(n) for n in range(1, 17)] + ["16b", "17", "18", "19"]
    assert len({i["code"] for i in catalog_data.INDICATORS}) == len(catalog_data.INDICATORS) == 21
    assert not set(catalog_data.INFO_ONLY_CODES) & set(catalog_data.INDICATORS_BY_PORTAL_CODE)


@pytest.mark.parametrize(("code", "max_points", "threshold", "zero"), [
    ("PUBLISH_ON_TIME", 6, 100, "none"),     # metric indicators: 0/0 is not scored (as the portal shows)
    ("PROGRESS_ON_TIME", 20, 100, "zero"),
    ("ONLINE_PROVIDED", 2, 80, "zero"),
    ("ONLINE_SUBMITTED", 6, 50, "zero"),      # the year file gives the full 6 at 98,60 %
    ("PAYMENT_FORMALITY_TRANSACTIONS", 2, 80, "zero"),
    ("PAYMENT_DOSSIERS", 6, 100, "zero"),
    ("REUSED_DIGITIZED_DATA", 2, 80, "none"),
    ("ELECTRONIC_CERTIFIED_COPY", 2, 100, "full"),
    ("PETITION_PROCESSING_ON_TIME", 6, 100, "full"),
    ("PETITION_HANDLING_SATISFACTION", 6, 100, "full"),
    ("DOSSIER_RECEIVING_SATISFACTION", 6, 90, "zero"),
])
def test_catalog_rules(code: str, max_points, threshold, zero: str) -> None:
    ind = catalog_data.INDICATORS_BY_CODE[code]
    expected = (D(max_points), D(threshold), zero)
    assert (ind["max_points"], ind["threshold"], ind["zero_denominator"]) == expected


def test_catalog_names_follow_the_ninh_son_table() -> None:
    table = SEED.read_text(encoding="utf-8").split("BẢNG PHÂN CÔNG", 1)[1]
    lines = {line.split("\t")[1].strip() for line in table.splitlines() if line.count("\t") >= 2}
    for ind in catalog_data.INDICATORS:
        if ind["number"]:
            assert ind["name"] in lines, ind["number"]
    for grp in catalog_data.GROUPS:
        assert grp["name"] in lines, grp["code"]
