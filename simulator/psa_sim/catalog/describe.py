"""Human- and machine-readable listings of a catalog (``psa-sim catalog [--json]``)."""

from __future__ import annotations

from psa_sim.catalog.index import ServiceIndex
from psa_sim.catalog.variables import Variable
from psa_sim.catalog.workflow import Workflow

SECRET_MASK = "******"


def describe_catalog(index: ServiceIndex) -> dict:
    """A JSON-ready, deterministic description of every service.

    Workflows that belong to no service (no pca.service.id or no pca.states) are listed
    under "other_workflows" by bucket and name only.
    """
    services = []
    for service_id in index.services():
        services.append(
            {
                "service_id": service_id,
                "workflows": [
                    _describe_workflow(bucket, workflow)
                    for bucket, workflow in index.workflows(service_id)
                ],
                "states": index.states(service_id),
            }
        )
    in_services = {(b, w.name) for s in index.services() for b, w in index.workflows(s)}
    others = [
        {"bucket": b, "name": w.name} for b, w in index.items() if (b, w.name) not in in_services
    ]
    return {"services": services, "other_workflows": others}


def render_catalog_text(index: ServiceIndex) -> str:
    """A plain-text listing: each service, its workflows, transitions and variables."""
    description = describe_catalog(index)
    lines: list[str] = []
    if not description["services"]:
        lines.append("no PSA service in the catalog")
    for service in description["services"]:
        if lines:
            lines.append("")
        lines.append(f"service {service['service_id']}  (states: {', '.join(service['states'])})")
        for workflow in service["workflows"]:
            kind = "  activation" if workflow["activation"] else ""
            lines.append(f"  {workflow['name']}  [bucket {workflow['bucket']}]{kind}")
            for from_state, to_state in workflow["transitions"]:
                lines.append(f"    {from_state} -> {to_state}")
            if workflow["variables"]:
                lines.append("    variables:")
            for variable in workflow["variables"]:
                lines.append(f"      {_variable_line(variable)}")
    if description["other_workflows"]:
        lines.append("")
        lines.append("workflows outside any service:")
        for other in description["other_workflows"]:
            lines.append(f"  {other['name']}  [bucket {other['bucket']}]")
    return "\n".join(lines) + "\n"


def _describe_workflow(bucket: str, workflow: Workflow) -> dict:
    return {
        "bucket": bucket,
        "name": workflow.name,
        "transitions": [[t.from_state, t.to_state] for t in workflow.transitions],
        "activation": workflow.is_activation,
        "icon": workflow.icon,
        "variables": [_describe_variable(v) for v in workflow.variables],
    }


def _describe_variable(variable: Variable) -> dict:
    return {
        "name": variable.name,
        # A listing is printed and shared: never show a secret default.
        "default": SECRET_MASK if variable.is_secret and variable.value else variable.value,
        "model": variable.model.raw,
        "required": variable.model.is_required,
        "secret": variable.is_secret,
        "description": variable.description,
    }


def _variable_line(variable: dict) -> str:
    default = variable["default"] if variable["default"] != "" else '""'
    line = f"{variable['name']} = {default}"
    if variable["model"]:
        line += f"  [{variable['model']}]"
    if variable["required"]:
        line += " (required)"
    return line
