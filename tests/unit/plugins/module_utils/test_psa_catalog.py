# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Service discovery from catalog metadata alone."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.proactive.psa.plugins.module_utils.catalog import (
    CatalogWorkflow,
    ServiceNotFound,
    load_service,
    load_services,
)
from ansible_collections.proactive.psa.tests.unit.plugins.modules.psa_fake import MONGODB, FakePsa


def metadata(name, **generic):
    values = [
        {"label": "generic_information", "key": k.replace("_", "."), "value": v}
        for k, v in generic.items()
    ]
    values += [
        {"label": "variable", "key": "PASSWORD", "value": "default-pw"},
        {"label": "variable_model", "key": "PASSWORD", "value": "PA:Hidden"},
        {"label": "variable_description", "key": "PASSWORD", "value": "root password"},
    ]
    return {"bucket_name": "b", "name": name, "kind": "workflow/psa", "object_key_values": values}


def test_workflow_from_metadata():
    workflow = CatalogWorkflow.from_metadata(
        metadata("Finish_X", pca_service_id="X", pca_states="(RUNNING,FINISHED)(ERROR,FINISHED)")
    )
    assert workflow.service_id == "X"
    assert workflow.transitions == [("RUNNING", "FINISHED"), ("ERROR", "FINISHED")]
    assert workflow.models == {"PASSWORD": "PA:Hidden"}
    shown = workflow.to_dict()
    assert shown["variables"] == {"PASSWORD": "********"}
    assert shown["secrets"] == ["PASSWORD"]
    assert shown["activation"] is False


def test_objects_without_service_id_are_not_psa_workflows():
    assert CatalogWorkflow.from_metadata(metadata("Plain", pca_states="(VOID,RUNNING)")) is None


def test_services_are_grouped_across_buckets():
    server = FakePsa(
        services=(
            ("service-automation", "MongoDB", MONGODB[:2]),
            ("extra", "MongoDB", [("Backup_MongoDB", "(RUNNING,RUNNING)", {})]),
            ("extra", "Other", [("Other", "(VOID,UP)", {})]),
        )
    )
    services = load_services(server)
    assert sorted(services) == ["MongoDB", "Other"]
    mongo = services["MongoDB"]
    assert mongo.buckets == ["extra", "service-automation"]
    assert sorted(mongo.workflows) == ["Backup_MongoDB", "MongoDB", "Pause_MongoDB"]
    assert mongo.find_workflow("extra/Backup_MongoDB").bucket == "extra"
    assert mongo.find_workflow("service-automation/Backup_MongoDB") is None
    assert mongo.graph.actions_from("RUNNING") == [
        ("Backup_MongoDB", "RUNNING"),
        ("Pause_MongoDB", "PAUSED"),
    ]
    assert mongo.secrets == ["PASSWORD"]
    assert sorted(load_services(server, "extra")) == ["MongoDB", "Other"]


def test_same_name_in_two_buckets_prefers_the_default_bucket():
    server = FakePsa(
        services=(("zz", "MongoDB", MONGODB[:1]), ("service-automation", "MongoDB", MONGODB[:1]))
    )
    service = load_service(server, "MongoDB")
    assert service.workflows["MongoDB"].bucket == "service-automation"
    assert any("also in bucket zz" in w for w in service.warnings)


class ListingOnly:
    """A client whose catalog holds the given metadata in one bucket."""

    def __init__(self, objects):
        self.objects = objects

    def get(self, path, params=None):
        if path == "/catalog/buckets":
            return [{"name": "b"}]
        assert path == "/catalog/buckets/b/resources"
        assert params == {"kind": "workflow/psa"}
        return self.objects


def test_unparsable_states_are_ignored_with_a_warning():
    client = ListingOnly(
        [
            metadata("X", pca_service_id="X", pca_states="(VOID,RUNNING)"),
            metadata("Broken", pca_service_id="X", pca_states="(ALL,FINISHED"),
        ]
    )
    service = load_service(client, "X")
    assert sorted(service.workflows) == ["X"]
    assert service.warnings == [
        "workflow b/Broken ignored: pca.states '(ALL,FINISHED' is not "
        "(FROM,TO) repeated: unexpected text '(ALL,FINISHED' at "
        "position 1"
    ]


def test_server_ignoring_the_kind_filter():
    other = metadata("Std", pca_service_id="X", pca_states="(VOID,RUNNING)")
    other["kind"] = "workflow/standard"
    client = ListingOnly([other])
    assert load_services(client) == {}


def test_unknown_service_lists_the_known_ones():
    with pytest.raises(ServiceNotFound) as caught:
        load_service(FakePsa(), "Redis", bucket="service-automation")
    assert str(caught.value) == (
        "service_id: no PSA service 'Redis' in bucket "
        "service-automation (workflow/psa objects with "
        "pca.service.id); services found: MongoDB"
    )
