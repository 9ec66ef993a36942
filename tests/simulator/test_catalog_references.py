"""$NAME / ${NAME} references in variable values."""

from psa_sim.catalog import has_references, resolve_all, resolve_references


def test_job_id_in_both_forms():
    assert resolve_references("mongo-$PA_JOB_ID", {}, job_id=42) == "mongo-42"
    assert resolve_references("mongo-${PA_JOB_ID}-x", {}, job_id=7) == "mongo-7-x"


def test_job_id_left_alone_without_a_job():
    assert resolve_references("mongo-$PA_JOB_ID", {}) == "mongo-$PA_JOB_ID"


def test_given_job_id_wins_over_a_variable_of_that_name():
    assert resolve_references("$PA_JOB_ID", {"PA_JOB_ID": "1"}, job_id=2) == "2"
    assert resolve_references("$PA_JOB_ID", {"PA_JOB_ID": "1"}) == "1"


def test_variables_in_both_forms():
    variables = {"HOST": "db", "PORT": "27017"}
    assert resolve_references("mongodb://$HOST:${PORT}/", variables) == "mongodb://db:27017/"


def test_bare_form_takes_the_longest_identifier():
    variables = {"NAME": "short", "NAME_2": "long"}
    assert resolve_references("$NAME_2", variables) == "long"
    assert resolve_references("$NAME-2", variables) == "short-2"
    assert resolve_references("${NAME}_2", variables) == "short_2"
    assert resolve_references("$NAME_3", variables) == "$NAME_3"


def test_unknown_references_stay_as_written():
    text = "${PA_CATALOG_REST_URL}/buckets/$BUCKET and ${not valid} and $ 5 and $"
    assert resolve_references(text, {}) == text


def test_nested_references_are_followed():
    variables = {
        "INSTANCE_NAME": "tensorboard-$PA_JOB_ID",
        "MOUNT_LOG_PATH": "/shared/$INSTANCE_NAME",
    }
    assert (
        resolve_references("$MOUNT_LOG_PATH/logs", variables, job_id=12)
        == "/shared/tensorboard-12/logs"
    )
    assert resolve_all(variables, job_id=12) == {
        "INSTANCE_NAME": "tensorboard-12",
        "MOUNT_LOG_PATH": "/shared/tensorboard-12",
    }


def test_cycles_stop_instead_of_looping():
    variables = {"A": "a$B", "B": "b$A", "SELF": "x${SELF}"}
    resolved = resolve_all(variables)
    assert resolved == {"A": "ab$A", "B": "ba$B", "SELF": "x${SELF}"}


def test_self_growing_chain_is_bounded():
    variables = {f"V{i}": f"$V{i + 1}" for i in range(50)}
    variables["V50"] = "end"
    result = resolve_references("$V0", variables)
    assert result.startswith("$V") and result != "$V0"  # stopped part-way, no recursion error
    assert resolve_references("$V45", variables) == "end"


def test_resolve_all_does_not_change_its_input():
    variables = {"A": "$B", "B": "b"}
    resolve_all(variables)
    assert variables == {"A": "$B", "B": "b"}


def test_has_references():
    assert has_references("x$PA_JOB_ID")
    assert has_references("${anything goes}")
    assert not has_references("price: 5$")
    assert not has_references("$ 5")
    assert not has_references("^[a-z]+$")
