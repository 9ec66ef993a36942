"""Workflow catalog: ProActive job XML parsing for PSA (pca.states, variable models,
references), the service index the engine queries, loading, validation and listings."""

from psa_sim.catalog.describe import describe_catalog, render_catalog_text
from psa_sim.catalog.errors import CatalogError, ServiceNotFound, WorkflowNotFound
from psa_sim.catalog.index import PREFERRED_BUCKET, ServiceIndex
from psa_sim.catalog.loader import BUNDLED_BUCKET, bundled_catalog_dir, load_catalog, load_directory
from psa_sim.catalog.references import has_references, resolve_all, resolve_references
from psa_sim.catalog.states import Transition, format_pca_states, parse_pca_states
from psa_sim.catalog.validate import ValidationReport, validate_file, validate_files, validate_paths
from psa_sim.catalog.variables import (
    Variable,
    VariableModel,
    VariableProblem,
    check_variables,
    parse_model,
)
from psa_sim.catalog.workflow import Task, Workflow, parse_workflow, parse_workflow_file
from psa_sim.states import (
    ALL,
    ERROR,
    FINISHED,
    KILLED,
    PREDEFINED_STATES,
    VOID,
    transitioning_label,
)

__all__ = [
    "ALL",
    "BUNDLED_BUCKET",
    "ERROR",
    "FINISHED",
    "KILLED",
    "PREDEFINED_STATES",
    "PREFERRED_BUCKET",
    "VOID",
    "CatalogError",
    "ServiceIndex",
    "ServiceNotFound",
    "Task",
    "Transition",
    "ValidationReport",
    "Variable",
    "VariableModel",
    "VariableProblem",
    "Workflow",
    "WorkflowNotFound",
    "bundled_catalog_dir",
    "check_variables",
    "describe_catalog",
    "format_pca_states",
    "has_references",
    "load_catalog",
    "load_directory",
    "parse_model",
    "parse_pca_states",
    "parse_workflow",
    "parse_workflow_file",
    "render_catalog_text",
    "resolve_all",
    "resolve_references",
    "transitioning_label",
    "validate_file",
    "validate_files",
    "validate_paths",
]
