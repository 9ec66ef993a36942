"""Variable models: which values a ProActive model accepts, and how a refusal reads."""

import pytest

from psa_sim.catalog import Variable, VariableProblem, check_variables, parse_model


def accepts(model_text, value):
    return parse_model(model_text).validate(value) is None


@pytest.mark.parametrize(
    "raw, kind",
    [
        (None, "string"),
        ("", "string"),
        ("  ", "string"),
        ("PA:Integer", "integer"),
        ("PA:INTEGER", "integer"),
        ("pa:integer", "integer"),
        ("PA:Long", "long"),
        ("PA:Boolean", "boolean"),
        ("PA:BOOLEAN", "boolean"),
        ("PA:Float", "float"),
        ("PA:Double", "double"),
        ("PA:List(a,b)", "list"),
        ("PA:LIST(a, b)", "list"),
        ("PA:NOT_EMPTY_STRING", "not_empty_string"),
        ("PA:REGEXP(^a$)", "regexp"),
        ("PA:URL", "url"),
        ("PA:JSON", "json"),
        ("PA:HIDDEN", "hidden"),
        ("PA:Hidden", "hidden"),
        ("PA:CREDENTIAL", "credential"),
        ("PA:CATALOG_OBJECT(Workflow/standard)", "other"),
        ("PA:MODEL_FROM_URL(${PA_SCHEDULER_REST_PUBLIC_URL}/rm/model/hosts)", "other"),
        ("PA:SPEL(variables['A'] == 'x')", "other"),
        ("PA:SOMETHING_NEW", "other"),
        ("free text", "other"),
    ],
)
def test_model_kinds(raw, kind):
    assert parse_model(raw).kind == kind


def test_raw_text_is_kept_for_messages_and_listings():
    assert parse_model("  PA:Integer ").raw == "PA:Integer"
    assert parse_model("").raw is None


def test_recognised_unchecked_models_carry_no_problem_but_unknown_ones_do():
    assert parse_model("PA:CATALOG_OBJECT").problem is None
    assert parse_model("PA:SPEL(true)").problem is None
    unknown = parse_model("PA:SOMETHING_NEW")
    assert unknown.problem == "unknown variable model 'PA:SOMETHING_NEW'"
    assert unknown.validate("anything at all") is None
    assert "expected PA:" in parse_model("Integer").problem


@pytest.mark.parametrize("model", ["PA:Integer", "PA:INTEGER", "pa:integer", "PA:Long", "PA:LONG"])
@pytest.mark.parametrize("value", ["0", "42", "-1", "+7", "007"])
def test_integral_models_accept_signed_integers(model, value):
    assert accepts(model, value)


@pytest.mark.parametrize("value", ["abc", "1.5", "1e3", " 1", "1 ", "--1", "0x10", "1_000"])
def test_integer_refuses_non_integers(value):
    assert parse_model("PA:Integer").validate(value) == f"{value!r} is not an Integer"


def test_long_message_names_long():
    assert parse_model("PA:Long").validate("x") == "'x' is not a Long"


def test_integer_and_long_follow_java_sizes():
    assert (
        parse_model("PA:Integer").validate("2147483648")
        == "'2147483648' is above the maximum 2147483647"
    )
    assert accepts("PA:Integer", "-2147483648")
    assert accepts("PA:Long", "2147483648")
    assert not accepts("PA:Long", "9223372036854775808")


def test_numeric_ranges():
    model = parse_model("PA:Integer[1024,65535]")
    assert (model.minimum, model.maximum) == (1024, 65535)
    assert model.validate("8080") is None
    assert model.validate("80") == "'80' is below the minimum 1024"
    assert model.validate("70000") == "'70000' is above the maximum 65535"
    assert parse_model("PA:Integer[5]").validate("4") == "'4' is below the minimum 5"
    assert accepts("PA:Integer[5]", "500000")
    assert accepts("PA:Double[0.5,1.5]", "1.0")
    assert not accepts("PA:Double[0.5,1.5]", "2")


@pytest.mark.parametrize(
    "raw",
    ["PA:Integer[a,b]", "PA:Integer[20,5]", "PA:Integer[1.5]", "PA:Integer(3)", "PA:IntegerX"],
)
def test_unreadable_numeric_suffixes_are_lenient(raw):
    model = parse_model(raw)
    assert model.kind == "other"
    assert model.problem
    assert model.validate("not a number") is None


@pytest.mark.parametrize("model", ["PA:Float", "PA:Double"])
@pytest.mark.parametrize(
    "value", ["1", "-1.5", "+.5", "3.", "1e10", "2.5E-3", "1.5f", "2d", "NaN", "-Infinity"]
)
def test_decimal_models_accept_what_java_parses(model, value):
    assert accepts(model, value)


@pytest.mark.parametrize("value", ["abc", "1,5", "1.2.3", "e5", "inf", "nan", "1_0"])
def test_decimal_models_refuse_other_text(value):
    assert parse_model("PA:Double").validate(value) == f"{value!r} is not a Double"
    assert parse_model("PA:Float").validate(value) == f"{value!r} is not a Float"


@pytest.mark.parametrize("value", ["true", "false", "True", "FALSE", "tRuE"])
def test_boolean_accepts_true_false_in_any_case(value):
    assert accepts("PA:Boolean", value)
    assert accepts("pa:BOOLEAN", value)


@pytest.mark.parametrize("value", ["yes", "1", "0", "on", " true"])
def test_boolean_refuses_other_words(value):
    assert (
        parse_model("PA:Boolean").validate(value) == f"{value!r} is not a Boolean (true or false)"
    )


def test_list_options_are_trimmed_and_matched_exactly():
    model = parse_model("PA:LIST( small , medium,large )")
    assert model.options == ("small", "medium", "large")
    assert model.validate("medium") is None
    assert model.validate("Medium") == "'Medium' is not one of 'small', 'medium', 'large'"
    assert model.validate(" small") is not None


def test_list_with_an_empty_choice_accepts_empty():
    model = parse_model("PA:LIST(,a,b)")
    assert model.options == ("", "a", "b")
    assert not model.is_required
    assert model.validate("") is None


def test_regexp_keeps_parentheses_and_commas_and_matches_fully():
    model = parse_model("PA:REGEXP(^(a|b){1,3}(,c)?$)")
    assert model.pattern == "^(a|b){1,3}(,c)?$"
    assert model.validate("ab,c") is None
    assert (
        model.validate("abab") == "'abab' does not match the regular expression '^(a|b){1,3}(,c)?$'"
    )
    assert accepts("PA:REGEXP([a-z]+)", "abc")
    assert not accepts("PA:REGEXP([a-z]+)", "abc1")  # full match, not search


def test_regexp_that_python_cannot_compile_is_lenient():
    model = parse_model("PA:REGEXP([unclosed)")
    assert model.kind == "other"
    assert "does not compile" in model.problem


@pytest.mark.parametrize(
    "value", ["http://example.com", "https://host:8443/path?q=1", "mongodb://db:27017"]
)
def test_url_accepts_scheme_and_host(value):
    assert accepts("PA:URL", value)


@pytest.mark.parametrize("value", ["www.activeeon.com", "http://", "/just/a/path", "http://[::1"])
def test_url_refuses_missing_scheme_or_host(value):
    assert "is not a URL" in parse_model("PA:URL").validate(value)


def test_json():
    assert accepts("PA:JSON", '{"a": [1, 2]}')
    assert accepts("PA:JSON", "3")
    message = parse_model("PA:JSON").validate("{a: 1}")
    assert message.startswith("'{a: 1}' is not valid JSON (")


def test_not_empty_string():
    model = parse_model("PA:NOT_EMPTY_STRING")
    assert model.is_required
    assert model.validate("x") is None
    assert model.validate("") == "required but missing"
    assert model.validate("   ") == "required but missing"


@pytest.mark.parametrize(
    "raw, required",
    [
        (None, False),
        ("PA:HIDDEN", False),
        ("PA:CREDENTIAL", False),
        ("PA:SPEL(x)", False),
        ("PA:NOT_EMPTY_STRING", True),
        ("PA:NOT_EMPTY_STRING?", True),
        ("PA:Integer", True),
        ("PA:Long", True),
        ("PA:Boolean", True),
        ("PA:Float", True),
        ("PA:Double", True),
        ("PA:List(a,b)", True),
        ("PA:URL", True),
        ("PA:JSON", True),
        ("PA:REGEXP(a*)", True),
        ("PA:Integer?", False),
        ("PA:List(a,b)?", False),
    ],
)
def test_required(raw, required):
    model = parse_model(raw)
    assert model.is_required is required
    assert (model.validate("") == "required but missing") is required


def test_optional_suffix_keeps_the_type_check():
    model = parse_model("PA:Integer?")
    assert model.optional and model.kind == "integer"
    assert model.validate("x") == "'x' is not an Integer"


def test_secrets():
    assert parse_model("PA:HIDDEN").is_secret
    assert parse_model("PA:Credential").is_secret
    assert not parse_model("PA:NOT_EMPTY_STRING").is_secret
    password = Variable("PASSWORD", "pw", parse_model(None))
    assert not password.is_secret  # names do not make secrets; models do
    assert Variable("TOKEN", "t", parse_model("PA:HIDDEN")).is_secret


def declared(*items):
    return [Variable(name, value, parse_model(model)) for name, value, model in items]


def test_check_variables_reports_in_declaration_order():
    variables = declared(
        ("SERVICE_PORT", "-1", "PA:Integer"),
        ("PASSWORD", "", "PA:NOT_EMPTY_STRING"),
        ("PROXYFIED", "false", "PA:Boolean"),
    )
    problems = check_variables(
        variables, {"SERVICE_PORT": "abc", "PROXYFIED": "maybe", "EXTRA": "x"}
    )
    assert [str(p) for p in problems] == [
        "variable SERVICE_PORT: 'abc' is not an Integer (model PA:Integer)",
        "variable PASSWORD: required but missing",
        "variable PROXYFIED: 'maybe' is not a Boolean (true or false) (model PA:Boolean)",
    ]
    assert problems[1] == VariableProblem(
        "PASSWORD", None, "PA:NOT_EMPTY_STRING", "required but missing"
    )


def test_check_variables_uses_defaults_and_accepts_good_values():
    variables = declared(("SERVICE_PORT", "8080", "PA:Integer"), ("ENGINE", "a", "PA:List(a,b)"))
    assert check_variables(variables, {}) == []
    assert check_variables(variables, {"ENGINE": "b"}) == []
    assert [p.name for p in check_variables(variables, {"ENGINE": "c"})] == ["ENGINE"]


def test_check_variables_skips_values_with_pending_references():
    variables = declared(
        ("SERVICE_PORT", "$PORT_FROM_PARENT", "PA:Integer"),
        ("SIZE", "1", "PA:Integer"),
        ("URL", "http://h", "PA:URL"),
    )
    assert check_variables(variables, {"SIZE": "${SIZE_OF_CLUSTER}", "URL": "$SCHEME://host"}) == []
    assert [p.name for p in check_variables(variables, {"SIZE": "$ 5"})] == ["SIZE"]
