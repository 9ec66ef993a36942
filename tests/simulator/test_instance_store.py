"""The instance store's indexes answer as a scan of every instance would."""

from __future__ import annotations

from psa_sim.model.instance import ServiceInstance
from psa_sim.model.store import InstanceStore
from psa_sim.states import FINISHED, KILLED, RUNNING


def _instance(store: InstanceStore, name: str, service: str = "MongoDB") -> ServiceInstance:
    instance = ServiceInstance(
        store.new_id(), service, "bucket", "admin", 0, variables={"INSTANCE_NAME": name}
    )
    instance.state = RUNNING
    return store.add(instance)


def test_active_lists_only_instances_not_ended_in_id_order_across_sweeps() -> None:
    store = InstanceStore()
    instances = [_instance(store, f"db-{n}") for n in range(5000)]  # several sweeps
    for instance in instances:
        if instance.instance_id % 3 == 0:
            instance.state = FINISHED
        elif instance.instance_id % 3 == 1:
            instance.state = KILLED
            instance.target_state = RUNNING  # still transitioning: listed
    expected = [i for i in instances if i.target_state is not None or i.instance_id % 3 == 2]
    assert store.active() == expected
    assert store.active() == expected  # a second call after the sweep says the same


def test_an_ended_instance_that_begins_a_transition_is_active_again_in_its_place() -> None:
    store = InstanceStore()
    first, second = _instance(store, "a"), _instance(store, "b")
    first.state = FINISHED
    assert store.active() == [second]
    first.target_state = RUNNING
    store.touch(first)
    assert store.active() == [first, second]


def test_find_live_by_name_follows_renames_ends_and_cleaning() -> None:
    store = InstanceStore()
    zk = _instance(store, "zk-1", "Zookeeper")
    other = _instance(store, "zk-1", "MongoDB")  # same name, another service
    assert store.find_live_by_name("Zookeeper", "zk-1") == [zk]
    zk.variables["INSTANCE_NAME"] = "zk-2"
    store.touch(zk)
    assert store.find_live_by_name("Zookeeper", "zk-1") == []
    assert store.find_live_by_name("Zookeeper", "zk-2") == [zk]
    zk.state = FINISHED
    assert store.find_live_by_name("Zookeeper", "zk-2") == []
    store.clean(zk.instance_id)
    assert list(store) == [other]
    assert store.find_live_by_name("MongoDB", "zk-1") == [other]
