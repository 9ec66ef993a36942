"""Request bodies (parsed by pydantic) and the documented shapes of answers.

Answers are not validated against these (handlers return ready JSON bytes): the models
only describe the wire contract of docs/wire-contract.md in /openapi.json.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

# JSON numbers the wire may carry: finite ones only (NaN and Infinity do not parse), and
# numbers only (strict: false is not 0, "5" is not 5).
Finite = Annotated[float, Field(allow_inf_nan=False, strict=True)]
JsonInt = Annotated[int, Field(strict=True)]


def _scalar(value: object) -> object:
    if isinstance(value, (dict, list)):
        raise ValueError(
            "a variable's value must be a string (a number or a boolean is taken as its text)"
        )
    return value


# PSA variables are strings; clients may send numbers or booleans, which PSA stringifies.
VariableValue = Annotated[str | int | float | bool | None, BeforeValidator(_scalar)]


class _Open(BaseModel):
    """A wire object: unknown keys are kept, as a real server ignores them."""

    model_config = ConfigDict(extra="allow")


class ErrorBody(BaseModel):
    httpErrorCode: int
    errorMessage: str


# --- PSA ---------------------------------------------------------------------------
class ServiceDescription(_Open):
    """What POST /serviceInstances and PUT …/action take."""

    bucket_name: str = Field(description="bucket of the workflow, e.g. service-automation")
    workflow_name: str = Field(description="the activation or action workflow's name")
    variables: dict[str, VariableValue] = Field(
        default_factory=dict, description="workflow variables; every value a string"
    )


class Endpoint(_Open):
    id: str
    url: str | None = None
    proxyfied: bool
    proxyfiedUrl: str | None = None


class Deployment(_Open):
    id: int
    container: dict | None = None
    node: dict | None = None
    endpoint: Endpoint


class JobSubmission(_Open):
    transition_state: str
    parent_job_id: int | None = None
    job_id: int
    submission_time: int


class ServiceInstanceData(_Open):
    instance_id: int
    service_id: str
    bucket_name: str
    user_name: str
    label: str | None = None
    instance_status: str
    creation_time: int
    finish_time: int | None = None
    service_icon: str | None = None
    variables: dict[str, str]
    deployments: list[Deployment]
    groups: list[str]
    job_submissions: list[JobSubmission]


class ServiceInstanceUpdate(_Open):
    """PUT /serviceInstances/{id}: the full ServiceInstanceData a workflow sends back.

    Only the keys sent are passed on; the platform decides what may change.
    """

    instance_status: str | None = None
    label: str | None = None
    variables: dict[str, VariableValue] | None = None
    deployments: list[dict] | None = None
    groups: list[str] | None = None


class ExecutableAction(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    bucket_name: str
    workflow_name: str
    from_: str = Field(alias="from")
    to: str


# --- catalog -----------------------------------------------------------------------
class Bucket(_Open):
    name: str
    owner: str | None = None
    objectCount: int | None = None


class KeyValue(_Open):
    label: str
    key: str
    value: str | None = None


class CatalogObjectMetadata(_Open):
    bucket_name: str
    name: str
    kind: str
    content_type: str | None = None
    extension: str | None = None
    project_name: str | None = None
    tags: str | list[str] | None = None
    commit_message: str | None = None
    commit_time: str | None = None
    commit_time_raw: str | int | None = None
    username: str | None = None
    object_key_values: list[KeyValue] = []
    variables_order: dict | list | None = None


class CatalogObjects(_Open):
    object: list[CatalogObjectMetadata]


# --- scheduler ---------------------------------------------------------------------
class JobInfo(_Open):
    status: str | None = None


class JobState(_Open):
    id: int | str
    name: str | None = None
    owner: str | None = None
    jobInfo: JobInfo | None = None


class JobResult(_Open):
    id: int | str | None = None
    jobInfo: JobInfo | None = None
    allResults: dict | None = None


# --- simulator administration --------------------------------------------------------
class ClockSetting(BaseModel):
    mode: Literal["instant", "realtime", "manual"]
    speed: Finite | None = Field(
        default=None, description="simulated seconds per wall second (realtime)"
    )


class SimTime(_Open):
    simulated_seconds: float
    now_ms: int = Field(description="the simulated time in epoch milliseconds")


class ClockState(SimTime):
    mode: str
    speed: float | None = None


class Advance(BaseModel):
    seconds: Finite = Field(description="simulated seconds to run (manual clock)")


class CrashFault(BaseModel):
    instance_id: JsonInt


class NodeFailure(BaseModel):
    node: str = Field(description="node name")
    repair_after: Finite | None = Field(
        default=None, description="simulated seconds until repaired; null: never"
    )


class NodeRepair(BaseModel):
    node: str
