# -*- coding: utf-8 -*-
# Copyright: (c) 2025, ProActive PSA collection contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""PSA services as the catalog describes them, and the catalog calls that publish them.

A service is every ``workflow/psa`` object sharing the generic information
``pca.service.id``; its transitions come from ``pca.states``. Everything is read from the
objects' metadata (``object_key_values``), so one listing per bucket is enough.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.proactive.psa.plugins.module_utils.client import PsaApiError, quote_segment
from ansible_collections.proactive.psa.plugins.module_utils.models import mask_secrets, secret_names
from ansible_collections.proactive.psa.plugins.module_utils.planner import (
    StateGraph,
    StatesSyntaxError,
    parse_pca_states,
)

CATALOG = "/catalog"
PSA_KIND = "workflow/psa"
DEFAULT_BUCKET = "service-automation"
SERVICE_ID_KEY = "pca.service.id"
STATES_KEY = "pca.states"
DEFAULT_OWNER = "GROUP:public-objects"


class ServiceNotFound(Exception):
    pass


class CatalogWorkflow:
    """One PSA workflow of the catalog, from its metadata."""

    def __init__(
        self,
        bucket,
        name,
        service_id,
        pca_states,
        variables=None,
        models=None,
        descriptions=None,
        commit_time=None,
    ):
        self.bucket = bucket
        self.name = name
        self.service_id = service_id
        self.pca_states = pca_states or ""
        self.variables = variables or {}
        self.models = models or {}
        self.descriptions = descriptions or {}
        self.commit_time = commit_time
        self.problem = None
        try:
            self.transitions = parse_pca_states(self.pca_states)
        except StatesSyntaxError as error:
            self.transitions = []
            self.problem = str(error)

    @classmethod
    def from_metadata(cls, metadata):
        """The workflow an object's metadata describes, or None if it is not a PSA one."""
        generic, variables, models, descriptions = {}, {}, {}, {}
        by_label = {
            "generic_information": generic,
            "variable": variables,
            "variable_model": models,
            "variable_description": descriptions,
        }
        for entry in metadata.get("object_key_values") or []:
            target = by_label.get(entry.get("label"))
            if target is not None and entry.get("key") is not None:
                target[entry["key"]] = entry.get("value") or ""
        service_id = generic.get(SERVICE_ID_KEY)
        if not service_id:
            return None
        return cls(
            metadata.get("bucket_name"),
            metadata.get("name"),
            service_id,
            generic.get(STATES_KEY),
            variables,
            models,
            descriptions,
            metadata.get("commit_time"),
        )

    @property
    def is_activation(self):
        return any(from_state == "VOID" for from_state, _to in self.transitions)

    @property
    def full_name(self):
        return "%s/%s" % (self.bucket, self.name)

    def to_dict(self):
        return {
            "bucket": self.bucket,
            "name": self.name,
            "service_id": self.service_id,
            "pca_states": self.pca_states,
            "transitions": [{"from": f, "to": t} for f, t in self.transitions],
            "activation": self.is_activation,
            # A secret's default may be a real password: never show it.
            "variables": mask_secrets(self.variables, secret_names(self.models)),
            "models": dict(self.models),
            "secrets": secret_names(self.models),
            "commit_time": self.commit_time,
        }


class Service:
    """The workflows of one ``pca.service.id``, one per name (see ``add``)."""

    def __init__(self, service_id):
        self.service_id = service_id
        self.workflows = {}
        self.every_bucket = []  # every valid workflow, even a name kept from another bucket
        self.warnings = []

    def add(self, workflow):
        """Keep one workflow per name: the default bucket's, else the first bucket's."""
        if workflow.problem:
            self.warnings.append("workflow %s ignored: %s" % (workflow.full_name, workflow.problem))
            return
        self.every_bucket.append(workflow)
        known = self.workflows.get(workflow.name)
        if known is not None:
            kept, dropped = sorted([known, workflow], key=_bucket_preference)
            self.warnings.append(
                "workflow %s of service %s is also in bucket %s: using %s"
                % (workflow.name, self.service_id, dropped.bucket, kept.full_name)
            )
            workflow = kept
        self.workflows[workflow.name] = workflow

    @property
    def graph(self):
        return StateGraph({name: wf.transitions for name, wf in self.workflows.items()})

    @property
    def buckets(self):
        return sorted({wf.bucket for wf in self.workflows.values()})

    @property
    def secrets(self):
        """Every variable any of the service's workflows declares HIDDEN or CREDENTIAL."""
        names = set()
        for workflow in self.workflows.values():
            names.update(secret_names(workflow.models))
        return sorted(names)

    def find_workflow(self, reference):
        """The workflow named ``reference`` (``name`` or ``bucket/name``), or None."""
        bucket, name = split_reference(reference)
        if bucket:
            for workflow in self.every_bucket:
                if workflow.bucket == bucket and workflow.name == name:
                    return workflow
            return None
        return self.workflows.get(name)

    def to_dict(self):
        graph = self.graph
        return {
            "service_id": self.service_id,
            "buckets": self.buckets,
            "activations": graph.activations(),
            "states": graph.states(),
            "graph": graph.as_dict(),
            "workflows": [self.workflows[name].to_dict() for name in sorted(self.workflows)],
        }


def split_reference(reference):
    """``bucket/name`` -> (bucket, name); a bare name -> (None, name)."""
    if "/" in reference:
        bucket, name = reference.split("/", 1)
        return bucket or None, name
    return None, reference


def _bucket_preference(workflow):
    return (workflow.bucket != DEFAULT_BUCKET, workflow.bucket or "")


# --- reading ------------------------------------------------------------------------------


def list_buckets(client, kind=None):
    params = {"kind": kind} if kind else None
    return client.get(CATALOG + "/buckets", params=params) or []


def list_objects(client, bucket, kind=PSA_KIND):
    path = "%s/buckets/%s/resources" % (CATALOG, quote_segment(bucket))
    return client.get(path, params={"kind": kind} if kind else None) or []


def load_services(client, bucket=None):
    """{service_id: Service} from every PSA workflow of ``bucket`` (or of every bucket)."""
    if bucket:
        buckets = [bucket]
    else:
        buckets = sorted(b.get("name") for b in list_buckets(client, PSA_KIND) if b.get("name"))
    services = {}
    for name in buckets:
        for metadata in list_objects(client, name):
            if not str(metadata.get("kind") or PSA_KIND).lower().startswith(PSA_KIND):
                continue  # a server that ignores the kind filter
            workflow = CatalogWorkflow.from_metadata(metadata)
            if workflow is None:
                continue
            services.setdefault(workflow.service_id, Service(workflow.service_id)).add(workflow)
    return services


def load_service(client, service_id, bucket=None):
    """The service ``service_id``, or ServiceNotFound listing the services there are."""
    services = load_services(client, bucket)
    service = services.get(service_id)
    if service is None or not service.workflows:
        raise ServiceNotFound(missing_service_message(service_id, bucket, services))
    return service


def missing_service_message(service_id, bucket, services):
    where = "bucket %s" % bucket if bucket else "any catalog bucket"
    known = ", ".join(sorted(services)) or "none"
    return (
        "service_id: no PSA service %r in %s (workflow/psa objects with "
        "pca.service.id); services found: %s" % (service_id, where, known)
    )


# --- publishing -----------------------------------------------------------------------------


def _object_path(bucket, name=None, suffix=""):
    path = "%s/buckets/%s/resources" % (CATALOG, quote_segment(bucket))
    if name is not None:
        path += "/" + quote_segment(name)
    return path + suffix


def bucket_exists(client, bucket):
    return any(b.get("name") == bucket for b in list_buckets(client))


def create_bucket(client, bucket, owner=DEFAULT_OWNER):
    return client.post(CATALOG + "/buckets", params={"name": bucket, "owner": owner})


def get_object(client, bucket, name):
    """The latest revision's metadata, or None when there is no such object."""
    try:
        return client.get(_object_path(bucket, name))
    except PsaApiError as error:
        if error.status == 404:
            return None
        raise


def get_raw(client, bucket, name):
    return client.get(_object_path(bucket, name, "/raw"), raw=True)


def _upload(name, content):
    return {"file": ("%s.xml" % name, content.encode("utf-8"), "application/xml")}


def add_object(client, bucket, name, content, commit_message):
    params = {
        "name": name,
        "kind": PSA_KIND,
        "commitMessage": commit_message,
        "objectContentType": "application/xml",
    }
    return client.post(_object_path(bucket), params=params, files=_upload(name, content))


def add_revision(client, bucket, name, content, commit_message):
    params = {"commitMessage": commit_message, "objectContentType": "application/xml"}
    return client.post(
        _object_path(bucket, name, "/revisions"), params=params, files=_upload(name, content)
    )


def delete_object(client, bucket, name):
    return client.delete(_object_path(bucket, name))
