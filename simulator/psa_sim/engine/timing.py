"""How long jobs take: one distribution per kind of workflow, drawn from a seeded stream."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from psa_sim.errors import InvalidInput

# Each kind of distribution, with the parameters it needs.
DISTRIBUTION_KINDS: dict[str, tuple[str, ...]] = {
    "constant": ("mean",),
    "uniform": ("low", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("mean", "sd"),
    "exponential": ("mean",),
}
# Kinds of job whose duration the model draws (see behaviours.WorkflowKind).
JOB_KINDS = ("activation", "finish", "pause", "resume", "action")


@dataclass(frozen=True, slots=True)
class Distribution:
    kind: str
    mean: float = 0.0
    sd: float = 0.0
    low: float = 0.0
    high: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in DISTRIBUTION_KINDS:
            raise InvalidInput(
                f"distribution: '{self.kind}' is not one of {', '.join(DISTRIBUTION_KINDS)}"
            )

    def sampler(self, rng: random.Random) -> Callable[[], float]:
        """A zero-argument function drawing one duration in seconds (never negative)."""
        if self.kind == "constant":
            value = self.mean
            return lambda: value
        if self.kind == "uniform":
            return lambda: rng.uniform(self.low, self.high)
        if self.kind == "exponential":
            rate = 1.0 / self.mean if self.mean > 0 else math.inf
            return (lambda: rng.expovariate(rate)) if rate != math.inf else (lambda: 0.0)
        if self.kind == "normal":
            mean, sd = self.mean, self.sd
            return lambda: max(0.0, rng.gauss(mean, sd))
        # lognormal given its own mean and standard deviation, not those of its log.
        if self.sd <= 0 or self.mean <= 0:
            value = max(self.mean, 0.0)
            return lambda: value
        sigma = math.sqrt(math.log(1.0 + (self.sd / self.mean) ** 2))
        mu = math.log(self.mean) - sigma * sigma / 2.0
        return lambda: rng.lognormvariate(mu, sigma)


DEFAULT_TIMING: dict[str, Distribution] = {
    "activation": Distribution("lognormal", mean=40.0, sd=10.0),
    "finish": Distribution("lognormal", mean=15.0, sd=5.0),
    "pause": Distribution("lognormal", mean=5.0, sd=2.0),
    "resume": Distribution("lognormal", mean=5.0, sd=2.0),
    "action": Distribution("lognormal", mean=30.0, sd=10.0),
}


class TimingModel:
    """Draws job durations per kind; one seeded stream so runs replay exactly."""

    def __init__(self, rng: random.Random, overrides: dict[str, Distribution] | None = None):
        distributions = dict(DEFAULT_TIMING)
        for kind, dist in (overrides or {}).items():
            if kind not in JOB_KINDS:
                raise InvalidInput(
                    f"timing: unknown job kind '{kind}' (known: {', '.join(JOB_KINDS)})"
                )
            distributions[kind] = dist
        self.distributions = distributions
        self._samplers = {kind: d.sampler(rng) for kind, d in distributions.items()}

    def duration(self, kind: str) -> float:
        return self._samplers[kind]()
