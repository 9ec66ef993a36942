"""Service authoring: scaffold a PSA service the way the tutorial builds one
(`psa-sim new-service`), and test a service's whole state graph in the simulator
before publishing it (`psa-sim test-service`)."""

from psa_sim.authoring.explore import Failure, ServiceResult, TransitionCoverage, explore_services
from psa_sim.authoring.scaffold import ServiceSpec, scaffold_files, write_service

__all__ = [
    "Failure",
    "ServiceResult",
    "ServiceSpec",
    "TransitionCoverage",
    "explore_services",
    "scaffold_files",
    "write_service",
]
