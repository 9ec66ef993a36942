"""Durations: parse_duration reads what people write, format_duration writes it back."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from psa_sim.durations import format_duration, parse_duration
from psa_sim.errors import InvalidInput, PsaError


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (0, 0.0),
        (90, 90.0),
        (2.5, 2.5),
        ("0", 0.0),
        ("90", 90.0),
        ("2.5", 2.5),
        (".5", 0.5),
        ("90s", 90.0),
        ("0s", 0.0),
        ("3m", 180.0),
        ("1.5h", 5400.0),
        ("2d", 172800.0),
        ("1h30m", 5400.0),
        ("1d12h", 129600.0),
        ("1d1h1m1s", 90061.0),
        ("1m30.5s", 90.5),
        ("1h 30m", 5400.0),
        ("  45s  ", 45.0),
        ("10 s", 10.0),
    ],
)
def test_accepted_forms(value: object, seconds: float) -> None:
    result = parse_duration(value, field="f")
    assert result == seconds
    assert isinstance(result, float)


@pytest.mark.parametrize("word", ["never", "inf", "Infinity", "NEVER"])
def test_infinite_words_only_when_allowed(word: str) -> None:
    assert parse_duration(word, field="lifetime", allow_infinite=True) == math.inf
    with pytest.raises(InvalidInput) as info:
        parse_duration(word, field="lifetime")
    assert str(info.value).startswith(f"lifetime: {word!r} ")
    assert "finite duration is required" in str(info.value)


def test_float_infinity_only_when_allowed() -> None:
    assert parse_duration(math.inf, field="x", allow_infinite=True) == math.inf
    with pytest.raises(InvalidInput, match=r"^x: inf is not allowed here"):
        parse_duration(math.inf, field="x")


def test_exact_message_of_the_brief() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_duration("3 parsecs", field="duration")
    assert str(info.value) == "duration: '3 parsecs' is not a duration (use e.g. 90s, 3m, 1.5h, 2d)"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (-1, "is negative"),
        (-0.5, "is negative"),
        ("-5s", "is negative"),
        ("-inf", "is negative"),
        ("", "is empty"),
        ("   ", "is empty"),
        (math.nan, "is not a duration"),
        (True, "is a boolean"),
        (False, "is a boolean"),
        (None, "is not a duration"),
        ([90], "is not a duration"),
        ("3 parsecs", "is not a duration"),
        ("5x", "is not a duration"),
        ("5 minutes", "is not a duration"),
        ("1e3", "is not a duration"),
        ("h", "is not a duration"),
        ("1h30", "is not a duration"),
        ("1h1h", "largest first"),
        ("30m1h", "largest first"),
        ("1M", "is not a duration"),
        ("nan", "is not a duration"),
    ],
)
def test_refused_values_name_field_and_value(value: object, fragment: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_duration(value, field="workloads[0].lifetime", allow_infinite=True)
    message = str(info.value)
    assert message.startswith(f"workloads[0].lifetime: {value!r} ")
    assert fragment in message
    assert isinstance(info.value, PsaError)


def test_shown_replaces_the_value_in_the_message() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_duration(True, field="lifetime", shown="yes")
    assert str(info.value).startswith("lifetime: yes is a boolean")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (45, "45s"),
        (2.5, "2.5s"),
        (0.25, "0.25s"),
        (60, "1m"),
        (90, "1m30s"),
        (3600, "1h"),
        (5400, "1h30m"),
        (86400, "1d"),
        (90061, "1d1h1m1s"),
        (172800.0, "2d"),
        (90.5, "1m30.5s"),
        (3600.1, "1h0.1s"),
        (1e-7, "0.0000001s"),
        (math.inf, "never"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize("bad", [-1, -0.1, math.nan, True, "90s", None])
def test_format_duration_refuses_non_durations(bad: object) -> None:
    with pytest.raises(ValueError, match="format_duration"):
        format_duration(bad)  # type: ignore[arg-type]


def test_format_of_infinity_parses_back_where_allowed() -> None:
    assert parse_duration(format_duration(math.inf), field="f", allow_infinite=True) == math.inf


@given(st.integers(min_value=0, max_value=10**10))
def test_whole_seconds_round_trip(seconds: int) -> None:
    text = format_duration(seconds)
    assert parse_duration(text, field="f") == seconds
    assert format_duration(float(seconds)) == text


@given(st.floats(min_value=0, max_value=10**7, allow_nan=False, allow_infinity=False))
def test_fractional_seconds_round_trip_to_the_microsecond(seconds: float) -> None:
    assert parse_duration(format_duration(seconds), field="f") == pytest.approx(seconds, abs=1e-6)
