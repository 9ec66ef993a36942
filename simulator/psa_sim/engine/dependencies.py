"""Services that need another one (Kafka and Storm need Zookeeper).

The real workflows declare the pair `<X>_SERVICE_ID` / `<X>_INSTANCE_NAME`: they reuse a
RUNNING instance of that service with that INSTANCE_NAME, or start one themselves.
"""

from __future__ import annotations

SERVICE_ID_SUFFIX = "_SERVICE_ID"
INSTANCE_NAME_SUFFIX = "_INSTANCE_NAME"


def dependency_pairs(declared_names, variables: dict[str, str]) -> list[tuple[str, str]]:
    """(service id, instance name) for every pair the workflow declares, in its order."""
    declared = list(declared_names)
    names = set(declared)
    pairs = []
    for name in declared:
        if not name.endswith(SERVICE_ID_SUFFIX):
            continue
        prefix = name[: -len(SERVICE_ID_SUFFIX)]
        instance_key = prefix + INSTANCE_NAME_SUFFIX
        # PCA_SERVICE_ID style names without their INSTANCE_NAME twin are not a pair.
        if not prefix or instance_key not in names:
            continue
        service_id = variables.get(name, "").strip()
        instance_name = variables.get(instance_key, "").strip()
        if service_id and instance_name:
            pairs.append((service_id, instance_name))
    return pairs
