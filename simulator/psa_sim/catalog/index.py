"""The catalog seen as PSA sees it: workflows per bucket, grouped into services.

A service is every workflow sharing one pca.service.id that declares transitions; other
workflows are stored (the catalog serves them) but belong to no service. Every listing is
sorted so that runs are reproducible.
"""

from __future__ import annotations

from collections.abc import Iterable

from psa_sim.catalog.errors import ServiceNotFound, WorkflowNotFound
from psa_sim.catalog.workflow import Workflow
from psa_sim.states import ALL, PREDEFINED_STATES, VOID

# When a name exists in several buckets, the bundled bucket wins, then alphabetical order.
PREFERRED_BUCKET = "service-automation"

Key = tuple[str, str]  # (bucket, workflow name)


def _bucket_preference(bucket: str) -> tuple[bool, str]:
    return (bucket != PREFERRED_BUCKET, bucket)


def _service_of(workflow: Workflow) -> str | None:
    service_id = (workflow.service_id or "").strip()
    return service_id if service_id and workflow.transitions else None


class ServiceIndex:
    def __init__(self, workflows: Iterable[tuple[str, Workflow]] = ()):
        self._workflows: dict[Key, Workflow] = {}
        self._by_service: dict[str, dict[Key, Workflow]] = {}
        self._buckets_by_name: dict[str, set[str]] = {}
        # (service, state) -> executable actions; the engine asks on every action request.
        self._actions_cache: dict[tuple[str, str], tuple[tuple[str, Workflow], ...]] = {}
        for bucket, workflow in workflows:
            self.add(bucket, workflow)

    def __len__(self) -> int:
        return len(self._workflows)

    # --- changes -------------------------------------------------------------------

    def add(self, bucket: str, workflow: Workflow) -> None:
        """Store the workflow, replacing the one of the same name in that bucket."""
        key = (bucket, workflow.name)
        if key in self._workflows:
            self._forget(key)
        self._workflows[key] = workflow
        self._buckets_by_name.setdefault(workflow.name, set()).add(bucket)
        service_id = _service_of(workflow)
        if service_id is not None:
            self._by_service.setdefault(service_id, {})[key] = workflow
            self._invalidate(service_id)

    def remove(self, bucket: str, name: str) -> Workflow:
        key = (bucket, name)
        if key not in self._workflows:
            raise WorkflowNotFound(f"workflow '{name}' not found in bucket '{bucket}'")
        return self._forget(key)

    def _forget(self, key: Key) -> Workflow:
        workflow = self._workflows.pop(key)
        buckets = self._buckets_by_name[key[1]]
        buckets.discard(key[0])
        if not buckets:
            del self._buckets_by_name[key[1]]
        service_id = _service_of(workflow)
        if service_id is not None:
            members = self._by_service[service_id]
            del members[key]
            if not members:
                del self._by_service[service_id]
            self._invalidate(service_id)
        return workflow

    def _invalidate(self, service_id: str) -> None:
        for cached in [k for k in self._actions_cache if k[0] == service_id]:
            del self._actions_cache[cached]

    # --- lookups by bucket/name ------------------------------------------------------

    def get(self, bucket: str, name: str) -> Workflow:
        try:
            return self._workflows[(bucket, name)]
        except KeyError:
            raise WorkflowNotFound(f"workflow '{name}' not found in bucket '{bucket}'") from None

    def find(
        self, name: str, service_id: str | None = None, bucket: str | None = None
    ) -> tuple[str, Workflow]:
        """The workflow of that name; the preferred bucket wins when several hold it."""
        candidates = sorted(self._buckets_by_name.get(name, ()), key=_bucket_preference)
        for candidate in candidates:
            if bucket is not None and candidate != bucket:
                continue
            workflow = self._workflows[(candidate, name)]
            if service_id is not None and workflow.service_id != service_id:
                continue
            return candidate, workflow
        where = [f"bucket '{bucket}'"] if bucket is not None else []
        if service_id is not None:
            where.append(f"service '{service_id}'")
        suffix = f" ({', '.join(where)})" if where else ""
        raise WorkflowNotFound(f"no workflow named '{name}'{suffix}")

    def buckets(self) -> list[str]:
        return sorted({bucket for bucket, _ in self._workflows})

    def items(self, bucket: str | None = None) -> list[tuple[str, Workflow]]:
        return [
            (b, self._workflows[(b, n)])
            for b, n in sorted(self._workflows)
            if bucket is None or b == bucket
        ]

    # --- services --------------------------------------------------------------------

    def services(self) -> list[str]:
        return sorted(self._by_service)

    def workflows(self, service_id: str) -> list[tuple[str, Workflow]]:
        """The service's workflows as (bucket, workflow), sorted by name then bucket."""
        members = self._members(service_id)
        return [(key[0], members[key]) for key in sorted(members, key=lambda k: (k[1], k[0]))]

    def activations(self, service_id: str) -> list[tuple[str, Workflow]]:
        return [(b, w) for b, w in self.workflows(service_id) if w.is_activation]

    def executable_actions(self, service_id: str, state: str) -> list[tuple[str, Workflow]]:
        """Workflows that apply to an instance in ``state``, sorted by name.

        Activations are offered only in VOID: an activation creates an instance.
        """
        cache_key = (service_id, state)
        cached = self._actions_cache.get(cache_key)
        if cached is None:
            cached = tuple(
                (bucket, workflow)
                for bucket, workflow in self.workflows(service_id)
                if workflow.target_state(state) is not None
                and (state == VOID or not workflow.is_activation)
            )
            self._actions_cache[cache_key] = cached
        return list(cached)

    def states(self, service_id: str) -> list[str]:
        """Every state the service's workflows name, plus PSA's predefined states."""
        names = set(PREDEFINED_STATES)
        for workflow in self._members(service_id).values():
            for transition in workflow.transitions:
                names.update((transition.from_state, transition.to_state))
        names.discard(ALL)
        return sorted(names)

    def state_graph(self, service_id: str) -> dict[str, dict[str, str]]:
        """from_state -> {workflow name: to_state}, ALL expanded to every state but VOID.

        Every state of ``states()`` is a key, possibly with no action. When several
        buckets hold a workflow name, the preferred bucket's transitions are shown.
        """
        graph: dict[str, dict[str, str]] = {}
        workflows = sorted(
            self.workflows(service_id), key=lambda item: (item[1].name, _bucket_preference(item[0]))
        )
        for state in self.states(service_id):
            edges: dict[str, str] = {}
            for _bucket, workflow in workflows:
                target = workflow.target_state(state)
                if target is not None and workflow.name not in edges:
                    edges[workflow.name] = target
            graph[state] = edges
        return graph

    def _members(self, service_id: str) -> dict[Key, Workflow]:
        try:
            return self._by_service[service_id]
        except KeyError:
            raise ServiceNotFound(f"unknown service '{service_id}'") from None
