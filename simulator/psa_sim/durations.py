"""Durations as people write them in scenario files: ``90``, ``90s``, ``3m``, ``1.5h``, ``2d``, ``1h30m``.

Everything inside the simulator counts simulated time in seconds (floats); this module is
the only place that reads and writes the human form.

Accepted by :func:`parse_duration`:

* a number of seconds, ``int`` or ``float``, ``>= 0`` (``bool`` is refused: YAML reads
  ``yes``/``no``/``on``/``off`` as booleans, and ``yes`` seconds is always a mistake);
* a string of a number of seconds (``"90"``, ``"2.5"``);
* a string of one or more ``<number><unit>`` parts, units ``d``, ``h``, ``m``, ``s``, each
  unit at most once and in that order (``"1d12h"``, ``"1h30m"``, ``"1.5h"``), optionally
  separated by spaces (``"1h 30m"``);
* ``"never"`` / ``"inf"`` / ``"infinity"`` (any case), and a float infinity, giving
  ``math.inf`` -- only where the caller passes ``allow_infinite=True``.
"""

from __future__ import annotations

import math
import re

from psa_sim.errors import InvalidInput

__all__ = ["UNIT_SECONDS", "format_duration", "parse_duration"]

#: Seconds per unit, largest first (also the order compound durations must follow).
UNIT_SECONDS: dict[str, int] = {"d": 86400, "h": 3600, "m": 60, "s": 1}

_HINT = "use e.g. 90s, 3m, 1.5h, 2d"
_INFINITE_WORDS = frozenset({"never", "inf", "infinity"})
_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)"
_PLAIN = re.compile(rf"{_NUMBER}")
_PART = re.compile(rf"\s*({_NUMBER})\s*([dhms])")


def _problem(value: object, allow_infinite: bool) -> tuple[float, None] | tuple[None, str]:
    """``(seconds, None)`` when ``value`` is a duration, else ``(None, what is wrong)``."""
    not_a_duration = f"is not a duration ({_HINT})"
    if isinstance(value, bool):
        return None, f"is a boolean, not a duration ({_HINT})"
    if isinstance(value, (int, float)):
        seconds = float(value)
        if math.isnan(seconds):
            return None, not_a_duration
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None, f"is empty, not a duration ({_HINT})"
        if text.lower() in _INFINITE_WORDS:
            seconds = math.inf
        elif text.startswith("-"):
            return None, f"is negative; a duration must be >= 0 ({_HINT})"
        elif _PLAIN.fullmatch(text):
            seconds = float(text)
        else:
            seconds = 0.0
            position = 0
            last_rank = -1
            ranks = list(UNIT_SECONDS)
            while position < len(text):
                match = _PART.match(text, position)
                if match is None:
                    return None, not_a_duration
                rank = ranks.index(match.group(2))
                if rank <= last_rank:
                    return None, (
                        f"is not a duration (write each unit once, largest first, e.g. 1h30m; "
                        f"{_HINT})"
                    )
                last_rank = rank
                seconds += float(match.group(1)) * UNIT_SECONDS[match.group(2)]
                position = match.end()
    else:
        return None, not_a_duration
    if seconds < 0:
        return None, f"is negative; a duration must be >= 0 ({_HINT})"
    if math.isinf(seconds) and not allow_infinite:
        return None, f"is not allowed here: a finite duration is required ({_HINT})"
    return seconds, None


def parse_duration(
    value: object,
    *,
    field: str,
    allow_infinite: bool = False,
    shown: str | None = None,
) -> float:
    """Return ``value`` as a number of seconds (``math.inf`` for never).

    Raises :class:`~psa_sim.errors.InvalidInput` naming ``field`` and the value, e.g.
    ``"duration: '3 parsecs' is not a duration (use e.g. 90s, 3m, 1.5h, 2d)"``.
    ``shown`` replaces ``repr(value)`` in that message (a caller that read the value from
    YAML passes the text as written, so that ``yes`` is not shown as ``True``).
    """
    seconds, problem = _problem(value, allow_infinite)
    if problem is not None:
        raise InvalidInput(f"{field}: {shown if shown is not None else repr(value)} {problem}")
    assert seconds is not None
    return seconds


def _number_text(number: float) -> str:
    """Shortest plain decimal for ``number`` (no exponent, no trailing zeros)."""
    if number == int(number):
        return str(int(number))
    text = repr(number)
    if "e" in text or "E" in text:
        text = f"{number:.9f}".rstrip("0").rstrip(".")
    return text


def format_duration(seconds: float) -> str:
    """The short human form of a number of seconds: ``5400 -> "1h30m"``, ``2.5 -> "2.5s"``.

    Whole seconds are split into days, hours, minutes and seconds (``90061 -> "1d1h1m1s"``,
    ``0 -> "0s"``); a fraction of a second stays on the seconds part (``90.5 -> "1m30.5s"``).
    ``math.inf`` gives ``"never"``. :func:`parse_duration` reads every result back (exactly
    for whole seconds). Negative or NaN values raise ``ValueError``.
    """
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise ValueError(f"format_duration: {seconds!r} is not a number of seconds")
    if math.isnan(seconds) or seconds < 0:
        raise ValueError(f"format_duration: {seconds!r} is not a duration (must be >= 0)")
    if math.isinf(seconds):
        return "never"
    whole = int(seconds)
    fraction = seconds - whole
    if fraction and whole < 60:
        return f"{_number_text(seconds)}s"
    parts = []
    rest = whole
    for unit, size in UNIT_SECONDS.items():
        amount, rest = divmod(rest, size)
        if unit == "s" and fraction:
            # Round to the microsecond: whole + fraction has ~15 significant digits in all.
            parts.append(f"{_number_text(round(amount + fraction, 6))}s")
        elif amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts) or "0s"
