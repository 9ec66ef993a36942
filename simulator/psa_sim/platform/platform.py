"""The emulated ProActive server's operations, one method per thing a client can ask.

Only the driver's coroutine calls these, one at a time. Each checks the session, the
caller's rights and the input, then asks the model; it returns JSON-ready data, so the
HTTP layer only formats. Each is marked `@operation` (see operations.py); those marked
journaled alter state, and the driver journals them (see journal.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from psa_sim import defaults
from psa_sim.catalog import BUNDLED_BUCKET, ServiceIndex, bundled_catalog_dir
from psa_sim.catalog.loader import bundled_scripts_dir
from psa_sim.engine.cluster import NodeSourceConfig
from psa_sim.engine.simulation import Simulation
from psa_sim.errors import Forbidden, InvalidInput, NotFound
from psa_sim.model.endpoints import deployments_from_data, groups_from_data
from psa_sim.model.instance import ServiceInstance
from psa_sim.platform import catalog_access as access
from psa_sim.platform import views
from psa_sim.platform.auth import User, load_users
from psa_sim.platform.catalog_store import CatalogStore
from psa_sim.platform.input_limits import check_variables
from psa_sim.platform.journal import Journal
from psa_sim.platform.operations import operation
from psa_sim.platform.rm_ops import RMOperations
from psa_sim.platform.scheduler_ops import SchedulerOperations
from psa_sim.platform.sessions import SessionStore
from psa_sim.states import RUNNING

# A served simulator forgets a finished job a simulated day after it ended (the real
# scheduler's pa.scheduler.core.automaticremovejobdelay, 0 there by default, is usually
# set by operators): a long-lived server's memory follows what is live, not its history.
REMOVE_JOBS_AFTER = 86400.0


@dataclass(frozen=True)
class PlatformConfig:
    """What a server is made of; stored with its journal so a restart rebuilds the same."""

    seed: int = 0
    nodes: int = defaults.NODES
    catalog: str | None = None  # folder of workflow XML; None: the bundled one
    users: str | None = None  # YAML users file; None: the demo admin
    public_base: str = defaults.PUBLIC_BASE
    health_period: float = defaults.HEALTH_PERIOD
    port_range: tuple[int, int] = defaults.PORT_RANGE
    # Finished jobs forgotten this long (simulated seconds) after they end; 0 keeps them.
    remove_jobs_after: float = REMOVE_JOBS_AFTER
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "seed": self.seed,
            "nodes": self.nodes,
            "catalog": self.catalog,
            "users": self.users,
            "public_base": self.public_base,
            "health_period": self.health_period,
            "port_range": list(self.port_range),
            "remove_jobs_after": self.remove_jobs_after,
        }

    @classmethod
    def from_json(cls, data: dict) -> PlatformConfig:
        return cls(
            seed=data["seed"],
            nodes=data["nodes"],
            catalog=data["catalog"],
            users=data["users"],
            public_base=data["public_base"],
            health_period=data["health_period"],
            port_range=tuple(data["port_range"]),
            remove_jobs_after=data.get("remove_jobs_after", REMOVE_JOBS_AFTER),
        )


def _description(description: object) -> tuple[str | None, str, dict[str, object]]:
    """Parse a ServiceDescription, naming the offending field when it is wrong."""
    if not isinstance(description, dict):
        raise InvalidInput(
            "body: a ServiceDescription object {bucket_name, workflow_name, variables} is required"
        )
    name = description.get("workflow_name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput(f"workflow_name: {name!r} is not a workflow name")
    bucket = description.get("bucket_name")
    if bucket is not None and not isinstance(bucket, str):
        raise InvalidInput(f"bucket_name: {bucket!r} is not a bucket name")
    variables = description.get("variables") or {}
    if not isinstance(variables, dict):
        raise InvalidInput(f"variables: {variables!r} is not a map of names to values")
    check_variables("variables", variables)
    return bucket or None, name, variables


class Platform(SchedulerOperations, RMOperations):
    def __init__(
        self,
        config: PlatformConfig,
        users: dict[str, User] | None = None,
        sessions: SessionStore | None = None,
    ) -> None:
        self.config = config
        self.users = users if users is not None else load_users(config.users)
        # Sessions are the driver's (they outlive a reset or a rebuild): the platform
        # only asks who a session stands for.
        self.sessions = (
            sessions if sessions is not None else SessionStore(self.users, Journal(None))
        )
        self.index = ServiceIndex()
        self.sim = Simulation(
            self.index,
            seed=config.seed,
            node_sources=[NodeSourceConfig(defaults.NODE_SOURCE, config.nodes)],
            port_range=config.port_range,
            health_period=config.health_period,
            public_base=config.public_base,
            remove_jobs_after=config.remove_jobs_after,
        )
        self.catalog = CatalogStore(self.index)
        catalog_dir = Path(config.catalog) if config.catalog else bundled_catalog_dir()
        self.catalog.preload_directory(
            catalog_dir, BUNDLED_BUCKET, defaults.BUCKET_OWNER, self.sim.now_ms()
        )
        # The script library every real catalog holds (stand-ins: see script_library.py).
        self.catalog.preload_scripts(
            bundled_scripts_dir(), BUNDLED_BUCKET, defaults.BUCKET_OWNER, self.sim.now_ms()
        )
        # Set by the driver: while it replays the journal, the user who made the change
        # (what was accepted stays accepted: neither the session nor the users file is
        # asked again); otherwise None, and `acting` says whose session the last
        # operation ran for (the journal keeps that name, never the session).
        self.replay_user: User | None = None
        self.acting: User | None = None

    # --- sessions ------------------------------------------------------------------
    def _user(self, session_id: str | None) -> User:
        if self.replay_user is not None:
            return self.replay_user
        user = self.sessions.user(session_id)
        self.acting = user
        return user

    def require_admin(self, session_id: str | None) -> User:
        user = self._user(session_id)
        if not user.admin:
            raise Forbidden(f"user '{user.name}' is not an administrator")
        return user

    # --- service instances ---------------------------------------------------------
    def _owned(
        self, session_id: str | None, instance_id: int | str
    ) -> tuple[User, ServiceInstance]:
        user = self._user(session_id)
        instance = self.sim.instance(_int("instance_id", instance_id))
        if not user.admin and instance.user_name != user.name:
            raise Forbidden(f"instance_id: instance {instance_id} belongs to another user")
        return user, instance

    @operation()
    def list_instances(self, session_id: str | None, active: bool = False) -> list[dict]:
        user = self._user(session_id)
        instances = self.sim.store.active() if active else list(self.sim.store)
        return [i.to_data() for i in instances if user.admin or i.user_name == user.name]

    @operation()
    def get_instance(self, session_id: str | None, instance_id: int) -> dict:
        return self._owned(session_id, instance_id)[1].to_data()

    @operation(journaled=True)
    def create_instance(self, session_id: str | None, description: object) -> dict:
        user = self._user(session_id)
        bucket, name, variables = _description(description)
        instance = self.sim.submit_activation(name, variables, bucket=bucket, user=user.name)
        return instance.to_data()

    @operation(journaled=True)
    def instance_action(
        self, session_id: str | None, instance_id: int, description: object
    ) -> dict:
        user, instance = self._owned(session_id, instance_id)
        bucket, name, variables = _description(description)
        self.sim.submit_action(instance.instance_id, name, variables, bucket=bucket, user=user.name)
        return instance.to_data()

    @operation(journaled=True)
    def update_instance(self, session_id: str | None, instance_id: int, data: object) -> dict:
        _, instance = self._owned(session_id, instance_id)
        if not isinstance(data, dict):
            raise InvalidInput("body: a ServiceInstanceData object is required")
        status = data.get("instance_status")
        variables = data.get("variables")
        label = data.get("label")
        if status is not None and not isinstance(status, str):
            raise InvalidInput(f"instance_status: {status!r} is not a state name")
        if variables is not None and not isinstance(variables, dict):
            raise InvalidInput(f"variables: {variables!r} is not a map of names to values")
        if variables is not None:
            check_variables("variables", variables)
        if label is not None and not isinstance(label, str):
            raise InvalidInput(f"label: {label!r} is not a string")
        # Checked before anything changes: a bad deployment leaves the instance as it was.
        deployments = data.get("deployments")
        groups = data.get("groups")
        self.sim.update_instance(
            instance.instance_id,
            status=status,
            variables=variables,
            label=label,
            deployments=None if deployments is None else deployments_from_data(deployments),
            groups=None if groups is None else groups_from_data(groups),
        )
        return instance.to_data()

    @operation(journaled=True)
    def clean_instance(self, session_id: str | None, instance_id: int) -> None:
        _, instance = self._owned(session_id, instance_id)
        self.sim.clean(instance.instance_id)

    @operation()
    def executable_actions(self, session_id: str | None, instance_id: int) -> list[dict]:
        """/sim-api's view of what an instance accepts now: administrators only, like
        the rest of /sim-api (a real server has no such route)."""
        self.require_admin(session_id)
        instance = self.sim.instance(_int("instance_id", instance_id))
        return [
            {
                "bucket_name": bucket,
                "workflow_name": wf.name,
                "from": instance.state,
                "to": wf.target_state(instance.state),
            }
            for bucket, wf in self.sim.executable_actions(instance.instance_id)
        ]

    @operation()
    def proxy(
        self,
        session_id: str | None,
        instance_id: int,
        endpoint_id: str,
        path: str = "",
        method: str = "GET",
    ) -> tuple[int, dict]:
        """The endpoint proxy: no real service stands behind a simulated one, so it
        answers for it, and says why when the instance cannot serve."""
        _, instance = self._owned(session_id, instance_id)
        deployment = next((d for d in instance.deployments if d.endpoint_id == endpoint_id), None)
        if deployment is None:
            known = ", ".join(d.endpoint_id for d in instance.deployments) or "none"
            raise NotFound(
                f"endpoint_id: instance {instance_id} has no endpoint "
                f"'{endpoint_id}' (its endpoints: {known})"
            )
        if deployment.url is None:
            raise NotFound(
                f"endpoint_id: endpoint '{endpoint_id}' of instance {instance_id} has no "
                "URL (a deployment recording only its node): nothing to proxy"
            )
        if not deployment.proxyfied:
            raise NotFound(
                f"endpoint_id: endpoint '{endpoint_id}' of instance "
                f"{instance_id} is not proxyfied (PROXYFIED=false): open "
                f"{deployment.url} directly"
            )
        if instance.instance_status != RUNNING:
            return 503, {
                "httpErrorCode": 503,
                "errorMessage": f"instance {instance_id} is "
                f"{instance.instance_status}: its endpoint "
                f"'{endpoint_id}' answers only while RUNNING",
            }
        return 200, {
            "instance_id": instance.instance_id,
            "endpoint_id": endpoint_id,
            "method": method,
            "target": deployment.url.rstrip("/") + "/" + path,
            "message": "simulated endpoint: psa-sim stands in for the service",
        }

    # --- catalog -------------------------------------------------------------------
    def _bucket_access(self, session_id: str | None, bucket: str, write: bool) -> User:
        """The session's user, if they may read (or write) the bucket (catalog_access.py)."""
        user = self._user(session_id)
        owner = self.catalog.get_bucket(bucket)["owner"]
        if write:
            access.check_write(user, bucket, owner)
        else:
            access.check_read(user, bucket, owner)
        return user

    @operation()
    def list_buckets(self, session_id: str | None, kind: str | None = None) -> list[dict]:
        user = self._user(session_id)
        return [b for b in self.catalog.list_buckets(kind) if access.can_read(user, b["owner"])]

    @operation(journaled=True)
    def create_bucket(self, session_id: str | None, name: str, owner: str | None = None) -> dict:
        user = self._user(session_id)
        owner = owner or defaults.BUCKET_OWNER
        access.check_owner(user, owner)
        return self.catalog.create_bucket(name, owner)

    @operation()
    def get_bucket(self, session_id: str | None, name: str) -> dict:
        self._user(session_id)
        return self.catalog.get_bucket(name)

    @operation(journaled=True)
    def delete_bucket(self, session_id: str | None, name: str) -> dict:
        self._user(session_id)
        return self.catalog.delete_bucket(name)

    @operation()
    def list_objects(
        self,
        session_id: str | None,
        bucket: str,
        kind: str | None = None,
        object_name: str | None = None,
    ) -> list[dict]:
        self._bucket_access(session_id, bucket, write=False)
        return self.catalog.list_objects(bucket, kind=kind, object_name=object_name)

    @operation(journaled=True)
    def add_object(
        self,
        session_id: str | None,
        bucket: str,
        content: bytes,
        name: str | None = None,
        kind: str | None = None,
        commit_message: str | None = None,
        content_type: str | None = None,
        project_name: str | None = None,
        tags: str | None = None,
    ) -> dict:
        user = self._bucket_access(session_id, bucket, write=True)
        if not kind:
            raise InvalidInput(
                "kind: the kind of the object is required (PSA workflows use workflow/psa)"
            )
        return self.catalog.add_object(
            bucket,
            content,
            name=name,
            kind=kind,
            commit_message=commit_message or "",
            content_type=content_type or "",
            project_name=project_name,
            tags=tags,
            username=user.name,
            now_ms=self.sim.now_ms(),
        )

    @operation(journaled=True)
    def add_revision(
        self,
        session_id: str | None,
        bucket: str,
        name: str,
        content: bytes,
        commit_message: str | None = None,
        content_type: str | None = None,
        project_name: str | None = None,
        tags: str | None = None,
    ) -> dict:
        user = self._bucket_access(session_id, bucket, write=True)
        return self.catalog.add_revision(
            bucket,
            name,
            content,
            commit_message=commit_message or "",
            content_type=content_type or "",
            project_name=project_name,
            tags=tags,
            username=user.name,
            now_ms=self.sim.now_ms(),
        )

    @operation()
    def get_object(self, session_id: str | None, bucket: str, name: str) -> dict:
        self._bucket_access(session_id, bucket, write=False)
        return self.catalog.get_metadata(bucket, name)

    @operation()
    def list_revisions(self, session_id: str | None, bucket: str, name: str) -> list[dict]:
        self._user(session_id)
        return self.catalog.revisions(bucket, name)

    @operation()
    def get_raw(self, session_id: str | None, bucket: str, name: str) -> tuple[bytes, str]:
        self._bucket_access(session_id, bucket, write=False)
        return self.catalog.get_raw(bucket, name)

    @operation(journaled=True)
    def delete_object(self, session_id: str | None, bucket: str, name: str) -> dict:
        self._bucket_access(session_id, bucket, write=True)
        return self.catalog.delete_object(bucket, name)

    # --- the simulator's own operations (/sim-api) ---------------------------------
    @operation(journaled=True)
    def advance(self, session_id: str | None, seconds: float) -> dict:
        """In one go (the journal's replay); a live server runs it in slices instead
        (SimDriver._advance), to the same `advance_target`."""
        self.sim.run(until=self.advance_target(session_id, seconds))
        return views.clock(self.sim)

    def advance_target(self, session_id: str | None, seconds: float) -> float:
        """The simulated second an advance of `seconds` runs to (checks who asks)."""
        self.require_admin(session_id)
        return self.sim.now + _seconds("seconds", seconds)

    @operation(journaled=True)
    def crash_container(self, session_id: str | None, instance_id: int) -> dict:
        self.require_admin(session_id)
        return self.sim.crash_container(_int("instance_id", instance_id)).to_data()

    @operation(journaled=True)
    def fail_node(
        self, session_id: str | None, node: str, repair_after: float | None = None
    ) -> dict:
        self.require_admin(session_id)
        if repair_after is not None:
            repair_after = _seconds("repair_after", repair_after)
        return views.node(self.sim.fail_node(str(node), repair_after))

    @operation(journaled=True)
    def repair_node(self, session_id: str | None, node: str) -> dict:
        self.require_admin(session_id)
        return views.node(self.sim.repair_node(str(node)))

    @operation()
    def metrics(self, session_id: str | None) -> dict:
        self.require_admin(session_id)
        return views.metrics(self.sim)


def _int(field: str, value: int | str | float) -> int:
    if isinstance(value, bool):
        raise InvalidInput(f"{field}: {value!r} is not an integer")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{field}: {value!r} is not an integer") from None


# A century: beyond it epoch-millisecond fields stop meaning anything to a client.
MAX_SECONDS = 100 * 365 * 86400


def _seconds(field: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInput(f"{field}: {value!r} is not a number of seconds")
    if not 0 <= value <= MAX_SECONDS:
        raise InvalidInput(f"{field}: {value!r} must be within 0..{MAX_SECONDS} (a century)")
    return float(value)
