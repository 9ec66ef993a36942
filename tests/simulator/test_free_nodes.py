"""FreeNodes keeps the order an insertion-ordered dict would, at O(1) per operation."""

from __future__ import annotations

import random

from psa_sim.engine.cluster import FreeNodes, Node
from psa_sim.engine.ports import HostPorts


def test_free_nodes_answer_as_an_ordered_dict_under_random_operations() -> None:
    nodes = [
        Node(i, f"n{i}", "src", f"h{i}", HostPorts(f"h{i}", (1000, 1010), random.Random(0)))
        for i in range(40)
    ]
    rng = random.Random(7)
    free, model = FreeNodes(), dict[Node, None]()
    for _ in range(20_000):
        op, node = rng.random(), rng.choice(nodes)
        if op < 0.45:
            free.add(node)
            model.setdefault(node, None)
        elif op < 0.7:
            free.discard(node)
            model.pop(node, None)
        else:
            expected = next(iter(model), None)
            if expected is not None:
                del model[expected]
            assert free.pop_first() is expected
        assert len(free) == len(model) and (node in free) == (node in model)
