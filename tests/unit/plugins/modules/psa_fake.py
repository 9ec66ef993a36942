# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""An in-memory ProActive server behind the PsaClient interface, for module tests.

Only the confirmed wire contract is modelled: catalog buckets and objects (metadata as
``object_key_values``), service instances (start, action, get, list, update, delete) and
scheduler jobs (get, kill). A transition settles after ``polls`` GETs of the instance.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import threading

from ansible_collections.proactive.psa.plugins.module_utils.client import PsaApiError
from ansible_collections.proactive.psa.plugins.module_utils.workflow_xml import parse_workflow

BASE = "http://fake-psa"


def workflow_xml(name, service_id, pca_states, variables=None):
    """A minimal PSA workflow; ``variables``: {name: (value, model or None)}."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<job xmlns="urn:proactive:jobdescriptor:3.14" name="%s">' % name,
        "  <variables>",
    ]
    for var, (value, model) in sorted((variables or {}).items()):
        model_attr = ' model="%s"' % model if model else ""
        lines.append('    <variable name="%s" value="%s"%s/>' % (var, value, model_attr))
    lines += [
        "  </variables>",
        "  <genericInformation>",
        '    <info name="pca.service.id" value="%s"/>' % service_id,
        '    <info name="pca.states" value="%s"/>' % pca_states,
        "  </genericInformation>",
        "  <taskFlow/>",
        "</job>",
    ]
    return "\n".join(lines) + "\n"


MONGODB = [
    (
        "MongoDB",
        "(VOID,RUNNING)",
        {
            "INSTANCE_NAME": ("mongodb-$PA_JOB_ID", "PA:NOT_EMPTY_STRING"),
            "USER": ("", None),
            "PASSWORD": ("", "PA:HIDDEN"),
            "SERVICE_PORT": ("-1", "PA:Integer"),
            "ENGINE": ("docker", "PA:List(docker,singularity)"),
        },
    ),
    ("Pause_MongoDB", "(RUNNING,PAUSED)", {"INSTANCE_NAME": ("", None)}),
    ("Resume_MongoDB", "(PAUSED,RUNNING)", {"INSTANCE_NAME": ("", None)}),
    (
        "Finish_MongoDB",
        "(RUNNING,FINISHED)(PAUSED,FINISHED)(ERROR,FINISHED)",
        {"INSTANCE_NAME": ("", None)},
    ),
]
SPARK = [
    (
        "Reserve_Nodes",
        "(VOID,PA_NODES_RESERVED)",
        {
            "INSTANCE_NAME": ("spark", "PA:NOT_EMPTY_STRING"),
            "NUMBER_OF_NODES": ("3", "PA:Integer[1,64]"),
        },
    ),
    ("Deploy_Swarm", "(PA_NODES_RESERVED,SWARM_DEPLOYED)", {}),
    ("Deploy_HDFS", "(SWARM_DEPLOYED,HDFS_DEPLOYED)", {"HDFS_PORT": ("9000", "PA:Integer")}),
    ("Deploy_Spark", "(HDFS_DEPLOYED,HDFS_SPARK_DEPLOYED)", {"SPARK_VERSION": ("3.5", None)}),
    ("Delete_Spark", "(HDFS_SPARK_DEPLOYED,HDFS_DEPLOYED)", {}),
    ("Delete_HDFS", "(HDFS_DEPLOYED,SWARM_DEPLOYED)", {}),
    ("Delete_Swarm", "(SWARM_DEPLOYED,PA_NODES_RESERVED)", {}),
    ("Release_Nodes", "(PA_NODES_RESERVED,FINISHED)(ERROR,FINISHED)", {}),
]


class FakePsa:
    """get/post/put/delete like PsaClient, against in-memory state; ``calls`` records them."""

    def __init__(
        self, services=(("service-automation", "MongoDB", MONGODB),), polls=1, supports_delete=True
    ):
        self.polls = polls
        self.supports_delete = supports_delete
        self.buckets = {}
        self.objects = {}  # (bucket, name) -> {'xml': str, 'kind': str, 'revisions': int}
        self.instances = {}
        self.pending = {}  # instance id -> [polls left, final state]
        self.jobs = {}
        self.outcomes = {}  # workflow name -> state it really ends in (e.g. ERROR)
        self.never_settle = False
        self.calls = []
        self.session_id = "fake-session"
        self.workers = 1
        self._lock = threading.Lock()  # psa_instance's batches call from several threads
        self.next_instance = 1
        self.next_job = 1
        for bucket, service_id, workflows in services:
            self.buckets.setdefault(bucket, "GROUP:public-objects")
            for name, states, variables in workflows:
                self.objects[(bucket, name)] = {
                    "xml": workflow_xml(name, service_id, states, variables),
                    "kind": "workflow/psa",
                    "revisions": 1,
                }

    # --- the client interface --------------------------------------------------------------

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def logout(self):
        pass

    def login(self):
        return self.session_id

    def set_concurrency(self, workers):
        self.workers = workers

    def allowed_methods(self, path):
        """What a server's Allow header says (OPTIONS changes nothing: not in ``calls``)."""
        if re.match(r"/cloud-automation-service/serviceInstances/\d+\Z", path):
            return frozenset(["GET", "PUT"] + (["DELETE"] if self.supports_delete else []))
        return None

    def request(self, method, path, params=None, json_body=None, data=None, files=None, raw=False):
        with self._lock:
            return self._request(method, path, params, json_body, files)

    def _request(self, method, path, params, json_body, files):
        self.calls.append((method, path, params, json_body))
        for pattern, verb, handler in self._routes():
            match = re.match(pattern + r"\Z", path)
            if match and verb == method:
                return handler(*match.groups(), params=params or {}, body=json_body, files=files)
        raise self._error(method, path, 405, "no route")

    def changes(self):
        """The calls that change something (what check mode must never send)."""
        return [(m, p) for m, p, _params, _body in self.calls if m != "GET"]

    def _routes(self):
        i = "/cloud-automation-service/serviceInstances"
        b = "/catalog/buckets"
        return [
            (i, "GET", self._list_instances),
            (i, "POST", self._start),
            (i + r"/(\d+)", "GET", self._get_instance),
            (i + r"/(\d+)", "PUT", self._update_instance),
            (i + r"/(\d+)", "DELETE", self._clean),
            (i + r"/(\d+)/action", "PUT", self._action),
            (r"/rest/scheduler/jobs/(\d+)", "GET", self._get_job),
            (r"/rest/scheduler/jobs/(\d+)/kill", "PUT", self._kill_job),
            (b, "GET", self._list_buckets),
            (b, "POST", self._create_bucket),
            (b + r"/([^/]+)/resources", "GET", self._list_objects),
            (b + r"/([^/]+)/resources", "POST", self._add_object),
            (b + r"/([^/]+)/resources/([^/]+)", "GET", self._get_object),
            (b + r"/([^/]+)/resources/([^/]+)", "DELETE", self._delete_object),
            (b + r"/([^/]+)/resources/([^/]+)/raw", "GET", self._get_raw),
            (b + r"/([^/]+)/resources/([^/]+)/revisions", "POST", self._add_revision),
        ]

    @staticmethod
    def _error(method, path, status, message):
        return PsaApiError(method, BASE + path, status, message)

    # --- catalog ---------------------------------------------------------------------------

    def metadata(self, bucket, name):
        obj = self.objects[(bucket, name)]
        workflow = parse_workflow(obj["xml"], name)
        values = [
            {"label": "job_information", "key": "name", "value": name},
            {"label": "generic_information", "key": "pca.service.id", "value": workflow.service_id},
            {"label": "generic_information", "key": "pca.states", "value": workflow.pca_states},
        ]
        for var, value in workflow.variables.items():
            values.append({"label": "variable", "key": var, "value": value})
            if var in workflow.models:
                values.append(
                    {"label": "variable_model", "key": var, "value": workflow.models[var]}
                )
        return {
            "bucket_name": bucket,
            "name": name,
            "kind": obj["kind"],
            "commit_time": "2026-01-01T00:00:00",
            "object_key_values": values,
        }

    def _list_buckets(self, params, **_kw):
        names = sorted(self.buckets)
        if params.get("kind"):
            names = [
                n
                for n in names
                if any(
                    b == n and o["kind"].startswith(params["kind"])
                    for (b, _name), o in self.objects.items()
                )
            ]
        return [{"name": n, "owner": self.buckets[n]} for n in names]

    def _create_bucket(self, params, **_kw):
        if params["name"] in self.buckets:
            raise self._error("POST", "/catalog/buckets", 409, "bucket exists")
        self.buckets[params["name"]] = params["owner"]
        return {"name": params["name"], "owner": params["owner"]}

    def _bucket(self, bucket):
        if bucket not in self.buckets:
            raise self._error("GET", "/catalog/buckets/%s" % bucket, 404, "no bucket %s" % bucket)

    def _list_objects(self, bucket, params, **_kw):
        self._bucket(bucket)
        kind = params.get("kind") or ""
        return [
            self.metadata(b, n)
            for (b, n), o in sorted(self.objects.items())
            if b == bucket and o["kind"].startswith(kind)
        ]

    def _object(self, bucket, name):
        self._bucket(bucket)
        if (bucket, name) not in self.objects:
            raise self._error(
                "GET",
                "/catalog/buckets/%s/resources/%s" % (bucket, name),
                404,
                "no object %s" % name,
            )
        return self.objects[(bucket, name)]

    def _get_object(self, bucket, name, **_kw):
        self._object(bucket, name)
        return self.metadata(bucket, name)

    def _get_raw(self, bucket, name, **_kw):
        return self._object(bucket, name)["xml"]

    def _add_object(self, bucket, params, files, **_kw):
        self._bucket(bucket)
        name = params["name"]
        if (bucket, name) in self.objects:
            raise self._error("POST", "/catalog", 409, "object exists")
        self.objects[(bucket, name)] = {
            "xml": files["file"][1].decode("utf-8"),
            "kind": params["kind"],
            "revisions": 1,
        }
        return {"object": [self.metadata(bucket, name)]}

    def _add_revision(self, bucket, name, files, **_kw):
        obj = self._object(bucket, name)
        obj["xml"] = files["file"][1].decode("utf-8")
        obj["revisions"] += 1
        return self.metadata(bucket, name)

    def _delete_object(self, bucket, name, **_kw):
        self._object(bucket, name)
        del self.objects[(bucket, name)]

    # --- instances -------------------------------------------------------------------------

    def add_instance(self, service_id, name, status, variables=None, jobs=()):
        """An instance already on the server (returns it)."""
        instance_id = self.next_instance
        self.next_instance += 1
        data = {
            "instance_id": instance_id,
            "service_id": service_id,
            "bucket_name": "service-automation",
            "instance_status": status,
            "variables": dict(variables or {}, INSTANCE_NAME=name),
            "deployments": [],
            "job_submissions": [],
        }
        for job_id, job_status in jobs:
            data["job_submissions"].insert(0, {"job_id": job_id, "transition_state": "?"})
            self.jobs[job_id] = job_status
        self.instances[instance_id] = data
        return data

    def _workflow(self, bucket, name):
        return parse_workflow(self._object(bucket, name)["xml"], name)

    def _submit(self, instance, workflow, from_state, variables):
        target = dict(workflow.transitions).get(from_state) or dict(workflow.transitions).get("ALL")
        if target is None:
            raise self._error(
                "PUT",
                "/action",
                409,
                "action %s is not executable in state %s" % (workflow.name, from_state),
            )
        job_id = self.next_job
        self.next_job += 1
        self.jobs[job_id] = "RUNNING"
        instance["variables"].update(variables)
        instance["instance_status"] = "%s -> %s" % (from_state, target)
        instance["job_submissions"].insert(
            0, {"job_id": job_id, "transition_state": instance["instance_status"]}
        )
        self.pending[instance["instance_id"]] = [
            self.polls,
            self.outcomes.get(workflow.name, target),
            job_id,
        ]
        return dict(instance)

    def _start(self, body, **_kw):
        workflow = self._workflow(body["bucket_name"], body["workflow_name"])
        variables = dict(workflow.variables)
        variables.update(body["variables"])
        data = self.add_instance(
            workflow.service_id, variables.get("INSTANCE_NAME"), "VOID", variables
        )
        data = self._submit(data, workflow, "VOID", {})
        self._resolve(self.instances[data["instance_id"]])
        return dict(self.instances[data["instance_id"]])

    def _resolve(self, instance):
        """As a server does: the instance keeps its variables with references resolved."""
        variables = instance["variables"]
        job_id = instance["job_submissions"][0]["job_id"]
        for _round in range(5):
            for name, value in variables.items():
                value = value.replace("$PA_JOB_ID", str(job_id))
                for other, other_value in variables.items():
                    if other != name:
                        value = value.replace("${%s}" % other, other_value)
                        value = re.sub(r"\$%s\b" % re.escape(other), other_value, value)
                variables[name] = value

    def _action(self, instance_id, body, **_kw):
        instance = self._instance(instance_id)
        if " -> " in instance["instance_status"]:
            raise self._error("PUT", "/action", 409, "transitioning")
        workflow = self._workflow(body["bucket_name"], body["workflow_name"])
        return self._submit(instance, workflow, instance["instance_status"], body["variables"])

    def _instance(self, instance_id):
        if int(instance_id) not in self.instances:
            raise self._error(
                "GET", "/serviceInstances/%s" % instance_id, 404, "no instance %s" % instance_id
            )
        return self.instances[int(instance_id)]

    def _get_instance(self, instance_id, **_kw):
        instance = self._instance(instance_id)
        pending = self.pending.get(instance["instance_id"])
        if pending and not self.never_settle:
            pending[0] -= 1
            if pending[0] <= 0:
                instance["instance_status"] = pending[1]
                self.jobs[pending[2]] = "FINISHED" if pending[1] != "ERROR" else "FAILED"
                if pending[1] == "RUNNING" and not instance["deployments"]:
                    instance["deployments"].append(
                        {
                            "id": 1,
                            "endpoint": {
                                "id": "ep-%s" % instance["instance_id"],
                                "url": "http://node:%d" % (9000 + instance["instance_id"]),
                                "proxyfied": False,
                                "proxyfiedUrl": None,
                            },
                        }
                    )
                del self.pending[instance["instance_id"]]
        return dict(instance)

    def _list_instances(self, **_kw):
        return [dict(i) for _id, i in sorted(self.instances.items())]

    def _update_instance(self, instance_id, body, **_kw):
        instance = self._instance(instance_id)
        instance["instance_status"] = body["instance_status"]
        self.pending.pop(instance["instance_id"], None)
        return dict(instance)

    def _clean(self, instance_id, **_kw):
        if not self.supports_delete:
            raise self._error(
                "DELETE", "/serviceInstances/%s" % instance_id, 405, "Method Not Allowed"
            )
        instance = self._instance(instance_id)
        if instance["instance_status"] not in ("FINISHED", "KILLED"):
            raise self._error("DELETE", "/x", 409, "not ended")
        del self.instances[int(instance_id)]

    def _get_job(self, job_id, **_kw):
        if int(job_id) not in self.jobs:
            raise self._error("GET", "/rest/scheduler/jobs/%s" % job_id, 404, "no job")
        return {"id": int(job_id), "jobInfo": {"status": self.jobs[int(job_id)]}}

    def _kill_job(self, job_id, **_kw):
        self.jobs[int(job_id)] = "KILLED"
        return True
