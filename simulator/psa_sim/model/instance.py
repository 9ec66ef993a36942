"""A service instance: the record PSA keeps, printed exactly as ServiceInstanceData."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from psa_sim.model.endpoints import Deployment
from psa_sim.states import VOID, transitioning_label


@dataclass(slots=True)
class JobSubmission:
    transition_state: str
    job_id: int
    submission_time: int
    parent_job_id: int | None = None

    def to_data(self) -> dict:
        return {
            "transition_state": self.transition_state,
            "parent_job_id": self.parent_job_id,
            "job_id": self.job_id,
            "submission_time": self.submission_time,
        }


class Channel(StrEnum):
    """Keys of the synchronization channel "Service_Instance_{id}" the real scripts use."""

    RUNNING_STATE = "RUNNING_STATE"
    INSTANCE_NAME = "INSTANCE_NAME"
    FINISH_LAUNCHED = "FINISH_LAUNCHED"
    PAUSE_LAUNCHED = "PAUSE_LAUNCHED"
    RESUMED = "RESUMED"
    FINISH_DONE = "FINISH_DONE"
    DEPLOY_ERROR_MESSAGE = "DEPLOY_ERROR_MESSAGE"


# Values of RUNNING_STATE: the activation's loop sees the platform up, or crashed.
RUNNING_STATE_UP = 1
RUNNING_STATE_DOWN = 2


class ServiceInstance:
    """State and rules' data of one instance; the engine moves it, never the HTTP layer."""

    __slots__ = (
        "bucket_name",
        "channel",
        "creation_time",
        "deployments",
        "error_cause",
        "finish_time",
        "groups",
        "instance_id",
        "job_submissions",
        "label",
        "runtime",
        "service_icon",
        "service_id",
        "state",
        "target_state",
        "user_name",
        "variables",
    )

    def __init__(
        self,
        instance_id: int,
        service_id: str,
        bucket_name: str,
        user_name: str,
        creation_time: int,
        service_icon: str = "",
        variables: dict[str, str] | None = None,
        label: str | None = None,
    ) -> None:
        self.instance_id = instance_id
        self.service_id = service_id
        self.bucket_name = bucket_name
        self.user_name = user_name
        self.label = label
        self.state = VOID
        self.target_state: str | None = None
        self.creation_time = creation_time
        self.finish_time: int | None = None
        self.service_icon = service_icon
        self.variables: dict[str, str] = dict(variables or {})
        self.deployments: list[Deployment] = []
        self.groups: list[str] = []
        # Newest first: real clients read index 0 as the job just launched.
        self.job_submissions: list[JobSubmission] = []
        self.channel: dict[str, object] = {}
        self.error_cause: str | None = None
        # What the engine attaches (node, token, port, jobs): not part of the record. It is
        # the engine's InstanceRuntime (engine/runtime.py), typed Any here because the
        # model does not import the engine.
        self.runtime: Any = None

    @property
    def is_transitioning(self) -> bool:
        return self.target_state is not None

    @property
    def instance_status(self) -> str:
        if self.target_state is not None:
            return transitioning_label(self.state, self.target_state)
        return self.state

    @property
    def name(self) -> str:
        return self.variables.get("INSTANCE_NAME", "")

    def endpoints(self) -> dict[str, str]:
        """Endpoint id → the URL a user should open (the proxyfied one when there is one);
        a deployment with neither (Docker_Swarm's per node) gives no link."""
        links = ((d.endpoint_id, d.proxyfied_url or d.url) for d in self.deployments)
        return {endpoint_id: url for endpoint_id, url in links if url}

    def to_data(self) -> dict:
        """ServiceInstanceData, field for field as a real server prints it."""
        return {
            "instance_id": self.instance_id,
            "service_id": self.service_id,
            "bucket_name": self.bucket_name,
            "user_name": self.user_name,
            "label": self.label,
            "instance_status": self.instance_status,
            "creation_time": self.creation_time,
            "finish_time": self.finish_time,
            "service_icon": self.service_icon,
            "variables": dict(self.variables),
            "deployments": [d.to_data() for d in self.deployments],
            "groups": list(self.groups),
            "job_submissions": [s.to_data() for s in self.job_submissions],
        }
