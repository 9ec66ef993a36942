# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Variable models: values the server would refuse are caught before a job is submitted."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.proactive.psa.plugins.module_utils.models import (
    MASK,
    VariableModel,
    mask_secrets,
    secret_names,
    to_wire,
    validate_variables,
)


def check(model, value):
    return VariableModel(model).check(value)


@pytest.mark.parametrize(
    "model, value",
    [
        ("PA:Integer", "42"),
        ("PA:Integer", "-1"),
        ("PA:INTEGER", "+7"),
        ("pa:integer", "0"),
        ("PA:Integer[1,65535]", "8080"),
        ("PA:Integer[1]", "99999"),
        ("PA:Integer[,10]", "-5"),
        ("PA:Long", "9223372036854775807"),
        ("PA:Short", "32767"),
        ("PA:Float", "1.5"),
        ("PA:Double", "-2e10"),
        ("PA:Float", "3f"),
        ("PA:Double[0,1]", "0.5"),
        ("PA:Boolean", "true"),
        ("PA:BOOLEAN", "FALSE"),
        ("PA:Boolean", "True"),
        ("PA:List(docker,singularity)", "docker"),
        ("PA:LIST( a , b )", "b"),
        ("PA:List(,x)", ""),
        ("PA:NOT_EMPTY_STRING", "x"),
        ("PA:REGEXP(^[a-z]+$)", "abc"),
        ("PA:REGEXP(a|ab)", "ab"),
        ("PA:URL", "http://host:8080/x"),
        ("PA:URL", "mongodb://db:27017"),
        ("PA:JSON", '{"a": [1, 2]}'),
        ("PA:Integer?", ""),
        ("PA:Boolean?", ""),
        ("", "anything"),
        (None, ""),
        ("PA:HIDDEN", ""),
        ("PA:CREDENTIAL", "x"),
        ("PA:CATALOG_OBJECT(Workflow/standard)", "whatever"),
        ("PA:SPEL(x)", "y"),
        ("PA:Unheard", "free"),
        ("not a model", "free"),
        ("PA:Integer[a,b]", "not checked"),
    ],
)
def test_accepted(model, value):
    assert check(model, value) is None


@pytest.mark.parametrize(
    "model, value, reason",
    [
        ("PA:Integer", "abc", "'abc' is not an Integer"),
        ("PA:Integer", "1.5", "is not an Integer"),
        ("PA:Integer", "2147483648", "above the maximum 2147483647"),
        ("PA:Integer[1,65535]", "0", "'0' is below the minimum 1"),
        ("PA:integer[1,65535]", "70000", "'70000' is above the maximum 65535"),
        ("PA:Long", "1e3", "is not a Long"),
        ("PA:Float", "one", "is not a Float"),
        ("PA:Double[0,1]", "1.5", "above the maximum 1.0"),
        ("PA:Boolean", "yes", "'yes' is not a Boolean (true or false)"),
        ("PA:List(docker,singularity)", "podman", "'podman' is not one of 'docker', 'singularity'"),
        ("PA:List(docker,singularity)", "Docker", "is not one of"),
        ("PA:NOT_EMPTY_STRING", "", "an empty value is not allowed"),
        ("PA:NOT_EMPTY_STRING", "   ", "an empty value is not allowed"),
        ("PA:Integer", "", "an empty value is not allowed"),
        ("PA:REGEXP(^[a-z]+$)", "ABC", "does not match the regular expression"),
        ("PA:REGEXP([a-z]+)", "abc1", "does not match"),
        ("PA:URL", "not a url", "is not a URL"),
        ("PA:JSON", "{oops}", "is not valid JSON"),
    ],
)
def test_refused(model, value, reason):
    message = check(model, value)
    assert message is not None and reason in message


@pytest.mark.parametrize("value", ["$PA_JOB_ID", "db-${INSTANCE_NAME}", "/tmp/$USER"])
def test_values_with_references_are_left_to_the_server(value):
    assert check("PA:Integer", value) is None


def test_validate_variables_names_variable_workflow_and_model():
    models = {"SERVICE_PORT": "PA:Integer", "ENGINE": "PA:List(docker,singularity)", "USER": ""}
    problems = validate_variables(
        {"SERVICE_PORT": "eighty", "ENGINE": "docker", "USER": "x", "UNDECLARED": "y"},
        models,
        "MongoDB",
    )
    assert problems == [
        "variable SERVICE_PORT of workflow MongoDB: 'eighty' is not an Integer (model PA:Integer)"
    ]


def test_secrets_and_masking():
    models = {"PASSWORD": "PA:HIDDEN", "TOKEN": "pa:credential", "USER": "PA:NOT_EMPTY_STRING"}
    assert secret_names(models) == ["PASSWORD", "TOKEN"]
    masked = mask_secrets({"PASSWORD": "s3cret", "TOKEN": "", "USER": "app"}, ["PASSWORD", "TOKEN"])
    assert masked == {"PASSWORD": MASK, "TOKEN": "", "USER": "app"}


@pytest.mark.parametrize(
    "value, wire",
    [
        (True, "true"),
        (False, "false"),
        (8080, "8080"),
        (1.5, "1.5"),
        (None, ""),
        ("text", "text"),
        ({"a": 1}, '{"a": 1}'),
        ([1, 2], "[1, 2]"),
    ],
)
def test_to_wire(value, wire):
    assert to_wire(value) == wire
