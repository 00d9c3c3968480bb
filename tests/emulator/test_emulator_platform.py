"""The engine's Platform API (``/v1/models``, ``/v1/models/pricing``) and the changed-schema
fault: what it publishes is what it enforces, and the app's own reader follows it."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from emulator_helpers import SUBMIT, body, client_for

from wan_desktop.core import limits
from wan_desktop.core.model_schema import ModelSchema
from wan_desktop.core.request import GenerationRequest
from wan_desktop.fal.platform import LiveSchema, fetch_model_schema, fetch_price

MODELS = "/v1/models"
PRICING = "/v1/models/pricing"
ENDPOINT = {"endpoint_id": limits.ENDPOINT_ID}
EXPANDED = {**ENDPOINT, "expand": "openapi-3.0"}


def published(c: httpx.Client) -> ModelSchema:
    response = c.get(MODELS, params=EXPANDED)
    assert response.status_code == 200
    (model,) = response.json()["models"]
    return ModelSchema.from_openapi(model["openapi"])


def fetched(engine) -> LiveSchema:
    async def go():
        async with httpx.AsyncClient(trust_env=False) as http:
            return await fetch_model_schema(http, engine.base_url + "/v1", key=engine.api_key)

    found = asyncio.run(go())
    assert isinstance(found, LiveSchema), found
    return found


def errors_of(response: httpx.Response) -> dict[str, dict]:
    assert response.status_code == 422, response.text
    return {item["loc"][-1]: item for item in response.json()["detail"]}


def test_models_publishes_the_table_the_engine_validates_with(client):
    answer = client.get(MODELS, params=EXPANDED).json()
    assert answer["has_more"] is False and answer["next_cursor"] is None
    (model,) = answer["models"]
    assert model["endpoint_id"] == limits.ENDPOINT_ID
    assert model["metadata"]["status"] == "active"
    schema = ModelSchema.from_openapi(model["openapi"])
    assert schema.inputs == ModelSchema.bundled().inputs
    assert schema.max_chars("prompt") == limits.PROMPT_MAX_CHARS
    assert schema.default("generate_audio") is True


def test_models_without_expand_has_no_schema(client):
    (model,) = client.get(MODELS, params=ENDPOINT).json()["models"]
    assert "openapi" not in model and model["endpoint_id"] == limits.ENDPOINT_ID


@pytest.mark.parametrize("path", [MODELS, PRICING])
def test_an_unknown_endpoint_gets_an_empty_list(client, path):
    answer = client.get(path, params={"endpoint_id": "fal-ai/flux/dev", "expand": "openapi-3.0"})
    assert answer.status_code == 200
    listed = "models" if path == MODELS else "prices"
    assert answer.json() == {listed: [], "next_cursor": None, "has_more": False}


def test_pricing_is_free(client):
    answer = client.get(PRICING, params=ENDPOINT).json()
    assert answer["prices"] == [
        {"endpoint_id": limits.ENDPOINT_ID, "unit_price": 0, "unit": "second", "currency": "USD"}
    ]


@pytest.mark.parametrize("path", [MODELS, PRICING])
def test_the_platform_routes_need_the_key(fast_engine, path):
    with client_for(fast_engine, key=None) as anonymous:
        assert anonymous.get(path, params=EXPANDED).status_code == 401
    with client_for(fast_engine, key="wrong") as wrong:
        assert wrong.get(path, params=EXPANDED).status_code == 401
    assert fast_engine.stats()["requests_by_route"] == {}


def test_the_platform_routes_take_get_only(client):
    assert client.post(MODELS, json={}).status_code == 405
    assert client.delete(PRICING).status_code == 405


def test_the_apps_reader_reads_the_engine(fast_engine):
    live = fetched(fast_engine)
    assert live.schema.inputs == ModelSchema.bundled().inputs

    async def price():
        async with httpx.AsyncClient(trust_env=False) as http:
            return await fetch_price(http, fast_engine.base_url + "/v1", key=fast_engine.api_key)

    quote = asyncio.run(price())
    assert quote.unit_price_usd == 0 and quote.source == "account"


def test_faults_can_be_aimed_at_the_platform_routes(client, fast_engine):
    fast_engine.faults.set("auth", routes=["pricing"])
    fast_engine.faults.set("drop_connection", routes="models")
    assert client.get(PRICING, params=ENDPOINT).status_code == 401
    with pytest.raises(httpx.TransportError):
        client.get(MODELS, params=EXPANDED)
    assert client.get(MODELS, params=EXPANDED).status_code == 200


def test_queue_faults_leave_the_platform_routes_alone_by_default(client, fast_engine):
    fast_engine.faults.set("rate_limit", count=1, retry_after_s=0)
    assert client.get(MODELS, params=EXPANDED).status_code == 200
    assert client.post(SUBMIT, json=body()).status_code == 429


# ---- the changed schema -----------------------------------------------------------------------


def test_a_changed_schema_is_published(client, fast_engine):
    fast_engine.faults.set("changed_schema", prompt_max_chars=1200, extra_field="camera_fixed")
    schema = published(client)
    assert schema.max_chars("prompt") == 1200
    extra = schema.extras["camera_fixed"]
    assert (extra.kind, extra.default) == ("boolean", False)
    fast_engine.faults.clear()
    assert published(client).max_chars("prompt") == limits.PROMPT_MAX_CHARS


def test_a_changed_schema_is_enforced(client, fast_engine):
    fast_engine.faults.set("changed_schema", count=-1, prompt_max_chars=1200)
    found = errors_of(client.post(SUBMIT, json=body(prompt="x" * 1201)))
    assert found["prompt"]["type"] == "string_too_long"
    assert "1200" in found["prompt"]["msg"]
    assert client.post(SUBMIT, json=body(prompt="x" * 1200)).status_code == 200


def test_the_changed_schemas_extra_field_is_typed(client, fast_engine):
    fast_engine.faults.set("changed_schema", count=-1, extra_field="loop", extra_default=True)
    found = errors_of(client.post(SUBMIT, json=body(loop="yes")))
    assert found["loop"]["type"] == "bool_type"
    accepted = client.post(SUBMIT, json=body(loop=False))
    assert accepted.status_code == 200
    job = fast_engine.store.get(accepted.json()["request_id"])
    assert job["inputs"]["extra_inputs"] == {"loop": False}


def test_without_the_fault_the_extra_field_is_ignored(client):
    assert client.post(SUBMIT, json=body(loop="yes")).status_code == 200


def test_the_app_follows_a_changed_schema(fast_engine):
    """The app reads the published table, builds a request under it, and the engine takes
    it; a prompt between the bundled and the changed limit is refused by both."""
    fast_engine.faults.set("changed_schema", count=-1, prompt_max_chars=1000, extra_field="loop")
    schema = fetched(fast_engine).schema
    assert schema.max_chars("prompt") == 1000
    too_long = GenerationRequest("x" * 1001, "data:", extra_params={"loop": True})
    assert [p.field for p in too_long.validate(schema)] == ["prompt"]
    fine = too_long.replace(prompt="x" * 1000)
    arguments = fine.to_arguments(body()["image_url"], schema=schema)
    assert arguments["loop"] is True
    with client_for(fast_engine) as c:
        assert c.post(SUBMIT, json=arguments).status_code == 200
        refused = {**arguments, "prompt": "x" * 1001}
        assert errors_of(c.post(SUBMIT, json=refused))["prompt"]["type"] == "string_too_long"


@pytest.mark.parametrize(
    "params",
    [
        {"prompt_max_chars": 0},
        {"prompt_max_chars": "1200"},
        {"extra_field": "bad name"},
        {"extra_field": "prompt"},
        {"extra_default": "yes"},
    ],
)
def test_changed_schema_parameters_are_checked(fast_engine, params):
    from wan_desktop.emulator.faults import FaultError

    with pytest.raises(FaultError):
        fast_engine.faults.set("changed_schema", **params)


def test_the_changed_schema_from_a_command_line_spec(fast_engine, client):
    from wan_desktop.emulator.faults import parse_fault_spec

    name, params = parse_fault_spec(
        "changed_schema:prompt_max_chars=1100,extra_field=loop,extra_default=true"
    )
    fast_engine.faults.set(name, **params)
    schema = published(client)
    assert schema.max_chars("prompt") == 1100 and schema.default("loop") is True


# ---- an engine given another table --------------------------------------------------------------


def table_with(**choices: tuple[str, ...]) -> ModelSchema:
    import dataclasses

    bundled = ModelSchema.bundled()
    inputs = dict(bundled.inputs)
    for name, values in choices.items():
        inputs[name] = dataclasses.replace(inputs[name], choices=values, default=values[0])
    return bundled.replace(inputs=inputs)


def test_an_engine_given_other_durations_takes_them(make_engine):
    engine = make_engine(schema=table_with(duration=("4", "8")))
    with client_for(engine) as c:
        accepted = c.post(SUBMIT, json=body(duration="8"))
        assert accepted.status_code == 200, accepted.text
        assert engine.store.get(accepted.json()["request_id"])["inputs"]["duration"] == "8"
        assert errors_of(c.post(SUBMIT, json=body(duration="5")))["duration"]["type"] == "enum"
        default = c.post(SUBMIT, json=body()).json()["request_id"]
        assert engine.store.get(default)["inputs"]["duration"] == "4"


def test_an_engine_given_another_resolution_renders_it(make_engine):
    from emulator_helpers import poll_status

    from wan_desktop.emulator.render import output_size

    assert output_size(1600, 900, "480p") == (854, 480)
    engine = make_engine(schema=table_with(resolution=("480p", "720p")))
    with client_for(engine) as c:
        rid = c.post(SUBMIT, json=body(resolution="480p")).json()["request_id"]
        assert poll_status(c, rid, "COMPLETED")["error"] is None
