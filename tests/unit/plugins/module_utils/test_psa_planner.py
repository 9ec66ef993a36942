# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""pca.states parsing and the shortest-path planner."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.proactive.psa.plugins.module_utils.planner import (
    PlanError,
    StateGraph,
    StatesSyntaxError,
    parse_pca_states,
    split_transition,
)


def graph(**workflows):
    return StateGraph({name: parse_pca_states(text) for name, text in workflows.items()})


MONGODB = graph(
    MongoDB="(VOID,RUNNING)",
    Pause_MongoDB="(RUNNING,PAUSED)",
    Resume_MongoDB="(PAUSED,RUNNING)",
    Finish_MongoDB="(RUNNING,FINISHED)(PAUSED,FINISHED)(ERROR,FINISHED)",
)


SPARK = graph(
    Reserve_Nodes="(VOID,PA_NODES_RESERVED)",
    Deploy_Swarm="(PA_NODES_RESERVED,SWARM_DEPLOYED)",
    Deploy_HDFS="(SWARM_DEPLOYED,HDFS_DEPLOYED)",
    Deploy_Spark="(HDFS_DEPLOYED,HDFS_SPARK_DEPLOYED)",
    Delete_Spark="(HDFS_SPARK_DEPLOYED,HDFS_DEPLOYED)",
    Delete_HDFS="(HDFS_DEPLOYED,SWARM_DEPLOYED)",
    Delete_Swarm="(SWARM_DEPLOYED,PA_NODES_RESERVED)",
    Release_Nodes="(PA_NODES_RESERVED,FINISHED)(ERROR,FINISHED)",
)


def names(steps):
    return [workflow for workflow, _from, _to in steps]


# --- pca.states --------------------------------------------------------------------------


def test_parse_pairs_with_blanks():
    assert parse_pca_states(" (RUNNING, FINISHED) (PAUSED,FINISHED)\n(ERROR ,FINISHED) ") == [
        ("RUNNING", "FINISHED"),
        ("PAUSED", "FINISHED"),
        ("ERROR", "FINISHED"),
    ]


def test_parse_keeps_mixed_case_names():
    assert parse_pca_states("(VOID,LaBSGUI_DEPLOYED)") == [("VOID", "LaBSGUI_DEPLOYED")]


def test_parse_keeps_a_repeated_pair_once():
    assert parse_pca_states("(A,B)(A,B)") == [("A", "B")]


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "holds no transition"),
        ("RUNNING,FINISHED", "unexpected text 'RUNNING,FINISHED' at position 1"),
        ("(VOID,RUNNING)(RUNNING FINISHED)", "unexpected text '(RUNNING FINISHED)' at position 15"),
        (
            "(VOID,RUNNING);(RUNNING,FINISHED)",
            "unexpected text ';(RUNNING,FINISHED)' at position 15",
        ),
        ("(VOID,)", "unexpected text"),
        ("(RUNNING,VOID)", "VOID cannot be a target state"),
        ("(RUNNING,ALL)", "ALL cannot be a target state"),
        ("(RUNNING,PAUSED)(RUNNING,FINISHED)", "RUNNING leads to both PAUSED and FINISHED"),
    ],
)
def test_parse_errors_show_the_offending_text(text, fragment):
    with pytest.raises(StatesSyntaxError) as caught:
        parse_pca_states(text)
    assert fragment in str(caught.value)


def test_split_transition():
    assert split_transition("VOID -> RUNNING") == ("VOID", "RUNNING")
    assert split_transition("PAUSED") == ("PAUSED", "PAUSED")


# --- planning ----------------------------------------------------------------------------


def test_already_there_is_an_empty_plan():
    assert MONGODB.plan("RUNNING", "RUNNING") == []


def test_activation_then_action():
    assert MONGODB.plan("VOID", "PAUSED") == [
        ("MongoDB", "VOID", "RUNNING"),
        ("Pause_MongoDB", "RUNNING", "PAUSED"),
    ]


def test_shortest_path_is_chosen():
    # PAUSED -> FINISHED directly, not through RUNNING
    assert names(MONGODB.plan("PAUSED", "FINISHED")) == ["Finish_MongoDB"]


def test_spark_chain_forward_and_back():
    assert names(SPARK.plan("VOID", "HDFS_SPARK_DEPLOYED")) == [
        "Reserve_Nodes",
        "Deploy_Swarm",
        "Deploy_HDFS",
        "Deploy_Spark",
    ]
    assert names(SPARK.plan("HDFS_SPARK_DEPLOYED", "FINISHED")) == [
        "Delete_Spark",
        "Delete_HDFS",
        "Delete_Swarm",
        "Release_Nodes",
    ]


def test_all_matches_every_state_but_void():
    g = graph(Start="(VOID,RUNNING)", Stop="(ALL,FINISHED)", Pause="(RUNNING,PAUSED)")
    assert g.target_of("Stop", "RUNNING") == "FINISHED"
    assert g.target_of("Stop", "ERROR") == "FINISHED"
    assert g.target_of("Stop", "PAUSED") == "FINISHED"
    assert g.target_of("Stop", "VOID") is None
    assert g.target_of("Stop", "RUNNING -> PAUSED") is None
    assert names(g.plan("VOID", "FINISHED")) == ["Start", "Stop"]
    assert g.activations() == ["Start"]


def test_exact_from_wins_over_all():
    g = graph(Act="(ALL,FINISHED)(PAUSED,RUNNING)")
    assert g.target_of("Act", "PAUSED") == "RUNNING"
    assert g.target_of("Act", "RUNNING") == "FINISHED"


def test_ties_between_workflows_go_to_the_first_name():
    g = graph(Start="(VOID,RUNNING)", Zap="(RUNNING,FINISHED)", Abort="(RUNNING,FINISHED)")
    assert names(g.plan("RUNNING", "FINISHED")) == ["Abort"]


def test_ties_between_paths_are_deterministic():
    g = graph(Start="(VOID,A)", ToB="(A,B)", ToC="(A,C)", BToD="(B,D)", CToD="(C,D)")
    assert names(g.plan("A", "D")) == ["ToB", "BToD"]
    g = graph(Start="(VOID,A)", Beta="(A,B)", Alpha="(A,C)", BToD="(B,D)", CToD="(C,D)")
    assert names(g.plan("A", "D")) == ["Alpha", "CToD"]


def test_unreachable_target_lists_the_reachable_states():
    with pytest.raises(PlanError) as caught:
        SPARK.plan("VOID", "RUNNING")
    error = caught.value
    assert "state RUNNING cannot be reached from VOID" in str(error)
    assert error.reachable == [
        "FINISHED",
        "HDFS_DEPLOYED",
        "HDFS_SPARK_DEPLOYED",
        "PA_NODES_RESERVED",
        "SWARM_DEPLOYED",
    ]
    assert error.executable == ["Reserve_Nodes"]


def test_error_moves_on_only_through_actions_allowed_from_error():
    assert names(MONGODB.plan("ERROR", "FINISHED")) == ["Finish_MongoDB"]
    with pytest.raises(PlanError) as caught:
        MONGODB.plan("ERROR", "RUNNING")
    assert caught.value.reachable == ["FINISHED"]
    assert caught.value.executable == ["Finish_MongoDB"]
    assert "actions executable from ERROR: Finish_MongoDB" in str(caught.value)


def test_ended_states_are_not_crossed():
    g = graph(Start="(VOID,RUNNING)", Finish="(RUNNING,FINISHED)", Revive="(FINISHED,REVIVED)")
    with pytest.raises(PlanError):
        g.plan("RUNNING", "REVIVED")


def test_as_dict_expands_all_and_lists_every_state():
    g = graph(Start="(VOID,RUNNING)", Stop="(ALL,FINISHED)")
    assert g.as_dict() == {
        "VOID": {"Start": "RUNNING"},
        "RUNNING": {"Stop": "FINISHED"},
        "ERROR": {"Stop": "FINISHED"},
        "FINISHED": {"Stop": "FINISHED"},
        "KILLED": {"Stop": "FINISHED"},
    }
    assert g.states() == ["ERROR", "FINISHED", "KILLED", "RUNNING", "VOID"]
