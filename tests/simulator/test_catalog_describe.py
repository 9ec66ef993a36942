"""``psa-sim catalog``: listings of services, transitions and variables."""

import json
from pathlib import Path

from psa_sim.catalog import ServiceIndex, describe_catalog, load_catalog, render_catalog_text

VALID = Path(__file__).parent / "fixtures" / "workflows" / "valid"


def test_describe_is_json_ready_and_deterministic():
    index = load_catalog(VALID)
    description = describe_catalog(index)
    assert json.loads(json.dumps(description)) == description
    assert description == describe_catalog(load_catalog(VALID))
    assert [s["service_id"] for s in description["services"]] == ["DemoDB", "LabGUI"]
    # Hello_World names its own bucket (bucketName basic-examples).
    assert description["other_workflows"] == [{"bucket": "basic-examples", "name": "Hello_World"}]


def test_describe_service_content():
    demodb = describe_catalog(load_catalog(VALID))["services"][0]
    assert demodb["states"] == ["ERROR", "FINISHED", "KILLED", "PAUSED", "RUNNING", "VOID"]
    assert [w["name"] for w in demodb["workflows"]] == [
        "DemoDB",
        "Finish_DemoDB",
        "Pause_DemoDB",
        "Resume_DemoDB",
    ]
    activation, finish = demodb["workflows"][0], demodb["workflows"][1]
    assert activation["activation"] and not finish["activation"]
    assert activation["bucket"] == "service-automation"
    assert activation["icon"] == "/automation-dashboard/styles/patterns/img/wf-icons/demodb.png"
    assert finish["transitions"] == [
        ["RUNNING", "FINISHED"],
        ["PAUSED", "FINISHED"],
        ["ERROR", "FINISHED"],
    ]
    variables = {v["name"]: v for v in activation["variables"]}
    assert list(variables)[:3] == ["INSTANCE_NAME", "SERVICE_PORT", "ENGINE"]
    assert variables["SERVICE_PORT"] == {
        "name": "SERVICE_PORT",
        "default": "-1",
        "model": "PA:Integer",
        "required": True,
        "secret": False,
        "description": "Port of the service; -1 picks a free one",
    }
    assert (
        variables["INSTANCE_NAME"]["model"] is None and not variables["INSTANCE_NAME"]["required"]
    )
    assert variables["ADMIN_PASSWORD"]["secret"]
    assert variables["ADMIN_PASSWORD"]["default"] == "******"


def test_text_listing():
    text = render_catalog_text(load_catalog(VALID))
    assert "service DemoDB  (states: ERROR, FINISHED, KILLED, PAUSED, RUNNING, VOID)\n" in text
    assert (
        "  DemoDB  [bucket service-automation]  activation\n    VOID -> RUNNING\n    variables:\n"
        in text
    )
    assert "      SERVICE_PORT = -1  [PA:Integer] (required)\n" in text
    assert "      INSTANCE_NAME = demodb-$PA_JOB_ID\n" in text
    assert "      ADMIN_PASSWORD = ******  [PA:HIDDEN]\n" in text
    assert "s3cret" not in text
    assert '      NODE_NAME = ""  [PA:MODEL_FROM_URL(' in text
    assert (
        "  Finish_DemoDB  [bucket service-automation]\n    RUNNING -> FINISHED\n    PAUSED -> FINISHED\n"
        in text
    )
    assert "    ALL -> ERROR\n" in text
    assert text.endswith("workflows outside any service:\n  Hello_World  [bucket basic-examples]\n")
    assert text.index("service DemoDB") < text.index("service LabGUI")


def test_empty_catalog():
    assert describe_catalog(ServiceIndex()) == {"services": [], "other_workflows": []}
    assert render_catalog_text(ServiceIndex()) == "no PSA service in the catalog\n"
