"""Checking workflow files as PSA workflows (``psa-sim validate``).

Errors: the file cannot serve as a PSA workflow (unreadable, unparsable, no or bad
pca.states, no pca.service.id). Warnings: doubts a user should look at, which do not stop
the simulator from using the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

from psa_sim.catalog.errors import CatalogError
from psa_sim.catalog.loader import xml_files_under
from psa_sim.catalog.references import has_references
from psa_sim.catalog.variables import MISSING
from psa_sim.catalog.workflow import (
    SERVICE_ID_KEY,
    STATES_KEY,
    WARNING_SERVICE_WITHOUT_STATES,
    WARNING_STATES_WITHOUT_SERVICE,
    Workflow,
    parse_workflow_file,
)

INSTANCE_NAME = "INSTANCE_NAME"
# Parse warnings that validation reports as errors instead.
_SUPERSEDED = frozenset({WARNING_STATES_WITHOUT_SERVICE, WARNING_SERVICE_WITHOUT_STATES})


@dataclass
class ValidationReport:
    path: str
    workflow: str | None = None
    service_id: str | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_file(path: str | PathLike[str]) -> ValidationReport:
    report = ValidationReport(path=str(path))
    try:
        workflow = parse_workflow_file(path)
    except CatalogError as error:
        report.errors.append(str(error))
        return report
    report.workflow = workflow.name
    report.service_id = workflow.service_id
    report.errors.extend(_psa_errors(workflow))
    report.warnings.extend(w for w in workflow.warnings if w not in _SUPERSEDED)
    report.warnings.extend(_default_value_warnings(workflow))
    if workflow.is_activation and INSTANCE_NAME not in workflow.variable_map:
        report.warnings.append(
            f"activation workflow without an {INSTANCE_NAME} variable: instances cannot be told apart"
        )
    return report


def validate_files(paths: Iterable) -> list[ValidationReport]:
    return [validate_file(path) for path in paths]


def validate_paths(paths: Iterable[str | PathLike[str]]) -> list[ValidationReport]:
    """Files as given, in order; a directory stands for every ``*.xml`` below it (sorted),
    and one holding none is an error (a mistyped folder must not pass silently)."""
    reports = []
    for path in paths:
        if not Path(path).is_dir():
            reports.append(validate_file(path))
            continue
        files = xml_files_under(Path(path))
        if files:
            reports.extend(validate_files(files))
        else:
            reports.append(
                ValidationReport(
                    path=str(path), errors=[f"{path}: no *.xml file under this directory"]
                )
            )
    return reports


def _psa_errors(workflow: Workflow) -> list[str]:
    errors = []
    prefix = f"{workflow.source}: workflow '{workflow.name}'"
    if STATES_KEY not in workflow.generic_info:
        errors.append(f"{prefix}: no {STATES_KEY} generic information: not a PSA workflow")
    if not (workflow.service_id or "").strip():
        errors.append(f"{prefix}: no {SERVICE_ID_KEY} generic information: not a PSA workflow")
    return errors


def _default_value_warnings(workflow: Workflow) -> list[str]:
    """Defaults their own model refuses; a default with references is resolved later."""
    warnings = []
    for variable in workflow.variables:
        if has_references(variable.value) or not variable.model.is_known:
            continue
        message = variable.model.validate(variable.value)
        if message == MISSING:
            warnings.append(
                f"variable {variable.name}: the default value is empty but model "
                f"{variable.model.raw} requires one (every submission must give a value)"
            )
        elif message:
            warnings.append(
                f"variable {variable.name}: default value {message} (model {variable.model.raw})"
            )
    return warnings
