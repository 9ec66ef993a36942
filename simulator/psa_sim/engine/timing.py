"""How long jobs take: one distribution per kind of workflow, drawn from a seeded stream."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from psa_sim.engine.kinds import JobKind
from psa_sim.errors import InvalidInput

# Each kind of distribution, with the parameters it needs.
DISTRIBUTION_KINDS: dict[str, tuple[str, ...]] = {
    "constant": ("mean",),
    "uniform": ("low", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("mean", "sd"),
    "exponential": ("mean",),
}


@dataclass(frozen=True, slots=True)
class Distribution:
    """A random duration, in seconds. ``constant``: always ``mean``; ``uniform``: between
    ``low`` and ``high``; ``normal``: ``mean`` and ``sd``; ``lognormal``: ``mean`` and
    ``sd`` of the distribution itself (not of its logarithm); ``exponential``: ``mean``.

    In a scenario's YAML: a duration (``30s``: constant) or a mapping ``{distribution:
    lognormal, mean: 40s, sd: 10s}``, ``{distribution: uniform, low: 10s, high: 30s}``,
    ``{distribution: exponential, mean: 20s}``, ``{distribution: constant, mean: 30s}``.
    """

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


DEFAULT_TIMING: dict[JobKind, Distribution] = {
    JobKind.ACTIVATION: Distribution("lognormal", mean=40.0, sd=10.0),
    JobKind.FINISH: Distribution("lognormal", mean=15.0, sd=5.0),
    JobKind.PAUSE: Distribution("lognormal", mean=5.0, sd=2.0),
    JobKind.RESUME: Distribution("lognormal", mean=5.0, sd=2.0),
    JobKind.ACTION: Distribution("lognormal", mean=30.0, sd=10.0),
    # One task of a plain job (a workflow without pca.* submitted to the scheduler).
    JobKind.TASK: Distribution("lognormal", mean=10.0, sd=3.0),
}


class TimingSpec(Mapping[JobKind, Distribution]):
    """One duration distribution per job kind (see kinds.JobKind): those given, by kind
    name, and the defaults for the others. Read by kind (``spec[JobKind.PAUSE]``) or by
    name (``spec.pause``); immutable and comparable, as a scenario's parts are."""

    __slots__ = ("_by_kind",)

    def __init__(self, **given: Distribution) -> None:
        by_kind = dict(DEFAULT_TIMING)
        for name, distribution in given.items():
            by_kind[_job_kind(name)] = distribution
        self._by_kind = by_kind

    def __getitem__(self, kind: JobKind) -> Distribution:
        return self._by_kind[kind]

    def __iter__(self) -> Iterator[JobKind]:
        return iter(self._by_kind)

    def __len__(self) -> int:
        return len(self._by_kind)

    def __getattr__(self, name: str) -> Distribution:
        if name in JobKind.__members__.values():
            return self._by_kind[JobKind(name)]
        raise AttributeError(name)

    def __hash__(self) -> int:
        return hash(tuple(self._by_kind.items()))

    def __repr__(self) -> str:
        given = ", ".join(f"{kind}={d!r}" for kind, d in self._by_kind.items())
        return f"TimingSpec({given})"


def _job_kind(name: str) -> JobKind:
    try:
        return JobKind(name)
    except ValueError:
        known = ", ".join(JobKind)
        raise InvalidInput(f"timing: unknown job kind '{name}' (known: {known})") from None


# Distributions by job kind, or by its name (a scenario's TimingSpec, a test's dict).
TimingOverrides = Mapping[JobKind, Distribution] | Mapping[str, Distribution]


class TimingModel:
    """Draws job durations per kind; one seeded stream so runs replay exactly."""

    def __init__(self, rng: random.Random, overrides: TimingOverrides | None = None) -> None:
        distributions = dict(DEFAULT_TIMING)
        for kind, dist in (overrides or {}).items():
            distributions[_job_kind(kind)] = dist
        self.distributions = distributions
        self._samplers = {kind: d.sampler(rng) for kind, d in distributions.items()}

    def duration(self, kind: JobKind) -> float:
        return self._samplers[kind]()
