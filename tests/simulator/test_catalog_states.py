"""pca.states grammar: what PSA accepts, and what a workflow author is told when it is wrong."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from psa_sim.catalog import (
    ALL,
    ERROR,
    FINISHED,
    KILLED,
    PREDEFINED_STATES,
    VOID,
    CatalogError,
    Transition,
    format_pca_states,
    parse_pca_states,
    transitioning_label,
)


def pairs(text):
    return [(t.from_state, t.to_state) for t in parse_pca_states(text)]


def test_predefined_states_are_the_four_of_the_user_guide():
    assert PREDEFINED_STATES == ("VOID", "FINISHED", "ERROR", "KILLED")
    assert (VOID, FINISHED, ERROR, KILLED, ALL) == ("VOID", "FINISHED", "ERROR", "KILLED", "ALL")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("(VOID,RUNNING)", [("VOID", "RUNNING")]),
        (
            "(RUNNING,FINISHED)(PAUSED,FINISHED)(ERROR,FINISHED)",
            [("RUNNING", "FINISHED"), ("PAUSED", "FINISHED"), ("ERROR", "FINISHED")],
        ),
        ("  ( VOID , RUNNING )  ", [("VOID", "RUNNING")]),
        ("(RUNNING,PAUSED)\n\t(PAUSED,RUNNING)", [("RUNNING", "PAUSED"), ("PAUSED", "RUNNING")]),
        ("(VOID,LaBSGUI_DEPLOYED)", [("VOID", "LaBSGUI_DEPLOYED")]),
        ("(ALL,KILLED)", [("ALL", "KILLED")]),
        ("(ALL,ERROR)(ERROR,FINISHED)", [("ALL", "ERROR"), ("ERROR", "FINISHED")]),
        ("(RUNNING,RUNNING)", [("RUNNING", "RUNNING")]),
        ("(my-state.1,other:state)", [("my-state.1", "other:state")]),
    ],
)
def test_valid_states(text, expected):
    assert pairs(text) == expected


def test_parse_returns_transition_objects():
    assert parse_pca_states("(VOID,RUNNING)") == (Transition("VOID", "RUNNING"),)


def test_same_pair_twice_is_kept_once():
    assert pairs("(RUNNING,FINISHED)(RUNNING,FINISHED)(PAUSED,FINISHED)") == [
        ("RUNNING", "FINISHED"),
        ("PAUSED", "FINISHED"),
    ]


def test_names_are_case_sensitive():
    assert pairs("(running,FINISHED)(RUNNING,PAUSED)") == [
        ("running", "FINISHED"),
        ("RUNNING", "PAUSED"),
    ]


@pytest.mark.parametrize(
    "text, expected_fragments",
    [
        ("(VOID,RUNNING)x", ["unexpected text 'x'", "position 15", "'(VOID,RUNNING)x'"]),
        (
            "(VOID,RUNNING),(RUNNING,FINISHED)",
            ["unexpected text ',(RUNNING,FINISHED)'", "position 15"],
        ),
        ("VOID,RUNNING", ["unexpected text 'VOID,RUNNING'", "position 1", "expected '('"]),
        ("(VOID RUNNING)", ["unexpected text 'RUNNING)'", "position 7", "expected ','"]),
        ("(VOID,RUNNING", ["missing ')'", "'(VOID,RUNNING'"]),
        ("(VOID,", ["missing target state", "'(VOID,'"]),
        ("(VOID,RUNNING))", ["unexpected text ')'", "position 15"]),
        ("((VOID,RUNNING)", ["unexpected text '(VOID,RUNNING)'", "position 2"]),
        ("(,RUNNING)", ["unexpected text ',RUNNING)'", "position 2", "expected a source state"]),
        ("(VOID,)", ["unexpected text ')'", "position 7", "expected a target state"]),
        ("(A,B,C)", ["unexpected text ',C)'", "position 5", "expected ')'"]),
        ("", ["no transition in ''"]),
        ("   ", ["no transition in '   '"]),
        ("()", ["unexpected text ')'", "position 2"]),
    ],
)
def test_malformed_states_are_refused_with_text_and_position(text, expected_fragments):
    with pytest.raises(CatalogError) as caught:
        parse_pca_states(text)
    message = str(caught.value)
    assert message.startswith("pca.states: ")
    for fragment in expected_fragments:
        assert fragment in message


def test_long_garbage_is_shortened_in_the_message():
    with pytest.raises(CatalogError) as caught:
        parse_pca_states("(VOID,RUNNING)" + "z" * 60)
    assert "unexpected text '" + "z" * 20 + "...'" in str(caught.value)


@pytest.mark.parametrize("target", ["ALL", "VOID"])
def test_all_and_void_cannot_be_targets(target):
    with pytest.raises(CatalogError) as caught:
        parse_pca_states(f"(RUNNING, {target})")
    assert f"'{target}' cannot be a target state (position 11 in '(RUNNING, {target})')" in str(
        caught.value
    )


def test_lowercase_all_is_just_a_custom_state():
    assert pairs("(RUNNING,all)") == [("RUNNING", "all")]


def test_one_source_with_two_targets_is_refused():
    with pytest.raises(CatalogError) as caught:
        parse_pca_states("(RUNNING,FINISHED)(RUNNING,PAUSED)")
    assert "state 'RUNNING' leads to both 'FINISHED' and 'PAUSED'" in str(caught.value)


def test_format_is_canonical():
    assert format_pca_states(parse_pca_states(" ( A , B ) (C,D) ")) == "(A,B)(C,D)"
    assert format_pca_states([("VOID", "RUNNING")]) == "(VOID,RUNNING)"
    assert format_pca_states([]) == ""


def test_transitioning_label():
    assert transitioning_label("VOID", "RUNNING") == "VOID -> RUNNING"


_name_chars = st.characters(blacklist_characters="(),", blacklist_categories=("Cs",)).filter(
    lambda c: not c.isspace()
)
_state_names = st.text(_name_chars, min_size=1, max_size=12)


@st.composite
def transition_lists(draw):
    sources = draw(st.lists(_state_names, min_size=1, max_size=6, unique=True))
    targets = draw(
        st.lists(
            _state_names.filter(lambda n: n not in ("ALL", "VOID")),
            min_size=len(sources),
            max_size=len(sources),
        )
    )
    return [Transition(s, t) for s, t in zip(sources, targets)]


@given(transition_lists(), st.sampled_from(["", " ", "\n", "\t "]))
def test_format_then_parse_round_trips(transitions, blank):
    text = format_pca_states(transitions)
    assert parse_pca_states(text) == tuple(transitions)
    spaced = blank.join(
        f"({blank}{t.from_state}{blank},{blank}{t.to_state}{blank})" for t in transitions
    )
    assert parse_pca_states(spaced) == tuple(transitions)
    assert format_pca_states(parse_pca_states(spaced)) == text
