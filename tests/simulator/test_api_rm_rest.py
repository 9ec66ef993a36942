"""The resource manager's REST API as clients read it: nodes and their states, against
the real RMNodeEvent, RMNodeSourceEvent, RMStateFull/Delta and RMState fields
(ow2-proactive/scheduling rm/rm-api/.../common/event/ and common/RMState.java)."""

from __future__ import annotations

import requests
from api_helpers import assert_error

pytest_plugins = ["api_fixtures"]

R = "/rest/rm"
STR = (str, type(None))
RM_EVENT = {
    "eventType": str,
    "timeStamp": int,
    "counter": int,
    "firstCounter": int,
    "initiator": STR,
    "rmurl": STR,
}
RM_NODE_EVENT = {
    **RM_EVENT,
    "nodeUrl": str,
    "nodeSource": str,
    "padname": STR,
    "vnName": STR,
    "hostName": str,
    "vmname": STR,
    "nodeState": str,
    "previousNodeState": STR,
    "nodeProvider": STR,
    "nodeOwner": STR,
    "nodeInfo": STR,
    "defaultJMXUrl": STR,
    "proactiveJMXUrl": STR,
    "locked": bool,
    "lockTime": int,
    "nodeLocker": STR,
    "tokens": list,
    "description": STR,
    "tenant": STR,
}
RM_NODE_SOURCE_EVENT = {
    **RM_EVENT,
    "sourceName": str,
    "nodeSourceName": str,
    "sourceDescription": STR,
    "nodeSourceDescription": STR,
    "nodeSourceAdmin": STR,
    "nodeSourceStatus": STR,
    "infrastructureType": STR,
    "policyType": STR,
    "accessTokens": list,
    "tenant": STR,
}
RM_STATE = {
    "rmNodeUrls": dict,
    "maxNumberOfNodes": (int, type(None)),
    "freeNodesNumber": int,
    "freeNodes": list,
    "totalAliveNodesNumber": int,
    "aliveNodes": list,
    "totalNodesNumber": int,
    "allNodes": list,
}
NODE_STATES = {"FREE", "BUSY", "DOWN", "TO_BE_REMOVED", "DEPLOYING", "LOST", "CONFIGURING"}


def assert_dto(data, fields: dict, name: str) -> None:
    assert isinstance(data, dict), (name, data)
    assert set(data) == set(fields), (name, set(data) ^ set(fields))
    for key, kind in fields.items():
        assert isinstance(data[key], kind), (name, key, data[key])


def _nodes(client) -> dict[str, dict]:
    r = client.get(f"{R}/monitoring/full")
    assert r.status_code == 200, r.text
    full = r.json()
    assert set(full) == {"nodeSource", "nodesEvents"}
    for source in full["nodeSource"]:
        assert_dto(source, RM_NODE_SOURCE_EVENT, "RMNodeSourceEvent")
    for node in full["nodesEvents"]:
        assert_dto(node, RM_NODE_EVENT, "RMNodeEvent")
        assert node["nodeState"] in NODE_STATES
    return {n["nodeUrl"]: n for n in full["nodesEvents"]}


def test_nodes_free_busy_down_and_tokens(manual_server):
    admin = manual_server.client()
    nodes = _nodes(admin)
    assert len(nodes) == 8 and {n["nodeState"] for n in nodes.values()} == {"FREE"}
    # An activation running: its node BUSY while its task runs, then FREE with its token.
    name = "rmnode"
    iid = admin.create("MongoDB", {"INSTANCE_NAME": name})["instance_id"]
    admin.advance(0.001)
    busy = [n for n in _nodes(admin).values() if n["nodeState"] == "BUSY"]
    assert len(busy) == 1 and busy[0]["nodeOwner"] == "admin"
    admin.advance(3600)
    assert admin.instance(iid)["instance_status"] == "RUNNING"
    holders = [n for n in _nodes(admin).values() if n["tokens"] == ["PSA_" + name]]
    assert len(holders) == 1 and holders[0]["nodeState"] == "FREE"
    # A failed node is DOWN.
    victim = next(n for n in _nodes(admin).values() if not n["tokens"])
    node_name = victim["nodeUrl"].rsplit("/", 1)[-1]
    r = admin.post("/sim-api/faults/node-failure", json={"node": node_name})
    assert r.status_code == 200, r.text
    assert _nodes(admin)[victim["nodeUrl"]]["nodeState"] == "DOWN"
    state = admin.get(f"{R}/state").json()
    assert_dto(state, RM_STATE, "RMState")
    assert state["totalNodesNumber"] == 8 and state["totalAliveNodesNumber"] == 7
    assert victim["nodeUrl"] not in state["aliveNodes"]
    assert state["freeNodesNumber"] == len(state["freeNodes"])
    assert set(state["rmNodeUrls"]) == {"freeNodesUrls", "aliveNodesUrls", "allNodesUrls"}
    delta = admin.get(f"{R}/monitoring", headers={"clientCounter": "-1"}).json()
    assert set(delta) == {"nodeSource", "nodesEvents", "latestCounter"}
    assert delta["latestCounter"] == len(delta["nodeSource"]) + len(delta["nodesEvents"])
    admin.post("/sim-api/faults/node-repair", json={"node": node_name})


def test_rm_session_rules(shared_server):
    url = shared_server.url
    # The model lists need no session; the state and monitoring do.
    assert requests.get(f"{url}{R}/model/hosts").status_code == 200
    for path in ("/isactive", "/state", "/monitoring", "/monitoring/full"):
        assert_error(requests.get(f"{url}{R}{path}"), 401)
    sid = requests.post(f"{url}{R}/login", data={"username": "admin", "password": "admin"}).text
    assert requests.get(f"{url}{R}/isactive", headers={"sessionid": sid}).json() is True
    # The RM's session is everyone's: the scheduler and PSA take it.
    assert requests.get(f"{url}/rest/scheduler/isconnected", headers={"sessionid": sid}).json()
    assert requests.post(f"{url}{R}/disconnect", headers={"sessionid": sid}).status_code == 204
    assert_error(requests.get(f"{url}{R}/state", headers={"sessionid": sid}), 401)
    assert_error(requests.post(f"{url}{R}/login", data={"username": "admin", "password": "x"}), 401)
