"""Error answers → the right ``FalError``, flags, messages, the 422 mapper (fuzzed), scrubbing."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wan_desktop.fal import errors as E
from wan_desktop.fal.mapping import error_from_response, validation_error

REQ = httpx.Request("GET", "https://queue.fal.run/wan/v2.6/requests/r1")


def answer(code: int, body=None, headers=None, text: str | None = None) -> httpx.Response:
    content = text.encode() if text is not None else json.dumps(body).encode()
    return httpx.Response(code, content=content, headers=headers or {}, request=REQ)


def test_hierarchy():
    assert issubclass(E.ContentPolicyError, E.ValidationError)
    assert issubclass(E.CancelledByUserError, E.RequestFailedError)
    for cls in (
        E.AuthError,
        E.ValidationError,
        E.RequestFailedError,
        E.ResultExpiredError,
        E.RequestTimeoutError,
        E.ServiceError,
        E.NetworkError,
        E.ProtocolError,
        E.DownloadError,
    ):
        assert issubclass(cls, E.FalError)


@pytest.mark.parametrize("code", [401, 403])
def test_auth_answers(code):
    err = error_from_response(answer(code, {"detail": "bad key"}), during="submit")
    assert isinstance(err, E.AuthError)
    assert err.refused and not err.retryable
    assert "FAL_KEY" in str(err) and "settings" in str(err)


def test_missing_key_message_says_how_to_set_it():
    err = E.AuthError()
    assert "FAL_KEY" in str(err) and err.refused


def test_422_list_maps_fields():
    body = {
        "detail": [
            {"loc": ["body", "prompt"], "msg": "Too long", "type": "value_error"},
            {"loc": ["body", "image_url"], "msg": "Image too small", "type": "image_too_small"},
            {"loc": ["body"], "msg": "Something else", "type": "x"},
        ]
    }
    err = error_from_response(answer(422, body), during="submit")
    assert type(err) is E.ValidationError
    assert err.refused and not err.retryable
    assert err.field_errors[0] == E.FieldError("prompt", "Too long", "value_error")
    assert err.fields == ["prompt", "image_url"]
    assert "prompt: Too long" in str(err)


def test_422_plain_string_detail():
    err = error_from_response(answer(422, {"detail": "Bad image"}), during="result")
    assert type(err) is E.ValidationError
    assert err.field_errors == [E.FieldError("", "Bad image", "")]
    assert "Bad image" in str(err)


def test_422_moderation():
    body = {
        "detail": [
            {"loc": ["body", "prompt"], "msg": "Flagged", "type": "content_policy_violation"}
        ]
    }
    err = error_from_response(answer(422, body), during="submit")
    assert isinstance(err, E.ContentPolicyError)
    assert err.fields == ["prompt"] and err.refused


def test_504_user_timeout_and_request_timeout_type():
    err = error_from_response(
        answer(504, {"detail": "late"}, {"X-Fal-Request-Timeout-Type": "user"}), during="status"
    )
    assert isinstance(err, E.RequestTimeoutError) and err.retryable and not err.refused
    err = error_from_response(
        answer(504, {"detail": "t", "error_type": "request_timeout"}), during="result"
    )
    assert isinstance(err, E.RequestTimeoutError)


def test_404_on_result_is_expired_elsewhere_a_service_error():
    assert isinstance(error_from_response(answer(404, {}), during="result"), E.ResultExpiredError)
    err = error_from_response(answer(404, {}), during="status")
    assert type(err) is E.ServiceError and err.status_code == 404 and not err.retryable


def test_service_errors_carry_code_and_type():
    err = error_from_response(
        answer(503, {"detail": "No runner", "error_type": "runner_scheduling_failure"}),
        during="submit",
    )
    assert type(err) is E.ServiceError
    assert (err.status_code, err.error_type) == (503, "runner_scheduling_failure")
    assert err.retryable and not err.refused
    assert "No runner" in str(err)
    err = error_from_response(answer(500, text="<html>oops</html>"), during="status")
    assert err.status_code == 500 and err.error_type is None
    err = error_from_response(answer(500, {}, {"X-Fal-Error-Type": "internal"}), during="status")
    assert err.error_type == "internal"
    err = error_from_response(answer(400, {"detail": "nope"}), during="cancel")
    assert not err.retryable


def test_request_failed_factory():
    err = E.request_failed("boom", "runner_error", request_id="r")
    assert type(err) is E.RequestFailedError
    assert (err.error, err.error_type, err.request_id) == ("boom", "runner_error", "r")
    assert "boom" in str(err) and not err.refused
    assert isinstance(E.request_failed(None, "client_cancelled"), E.CancelledByUserError)
    assert isinstance(E.request_failed("x", "request_timeout"), E.RequestTimeoutError)
    assert str(E.request_failed(None, None)).endswith("no reason was given.")


def test_scrub_removes_the_key_everywhere():
    key = "sekret-KEY-123:abc"
    err = E.ValidationError(
        f"refused {key}", [E.FieldError("prompt", f"echo {key}", key)], request_id=key
    )
    err.scrub(key)
    assert key not in str(err) and key not in repr(err)
    assert key not in repr(err.field_errors) and key not in repr(err.args)
    assert key not in str(err.request_id)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=25,
)
detail_items = st.fixed_dictionaries(
    {},
    optional={
        "loc": st.lists(st.sampled_from(["body", "prompt", 0, None]) | json_values, max_size=3)
        | json_values,
        "msg": json_values,
        "type": st.sampled_from(["value_error", "content_policy_violation"]) | json_values,
    },
)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        json_values,
        st.fixed_dictionaries({"detail": st.lists(detail_items | json_values, max_size=4)}),
        st.fixed_dictionaries({"detail": json_values}),
    )
)
def test_fuzz_422_mapper_always_gives_a_validation_error(body):
    err = validation_error(body)
    assert isinstance(err, E.ValidationError)
    assert str(err)
    assert all(isinstance(f.field, str) and isinstance(f.message, str) for f in err.field_errors)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504]), json_values)
def test_fuzz_error_from_response_never_raises(code, body):
    for during in ("submit", "status", "result", "cancel"):
        err = error_from_response(answer(code, body), during=during)
        assert isinstance(err, E.FalError) and str(err)


LOCKED = "User is locked. Reason: Exhausted balance. Top up your balance to continue."


@pytest.mark.parametrize(
    "detail",
    [LOCKED, "Account locked: insufficient balance", "Exhausted balance", "user is LOCKED"],
)
@pytest.mark.parametrize("during", ["submit", "status", "result", "upload", "token"])
def test_locked_account_is_not_a_bad_key(detail, during):
    err = error_from_response(answer(403, {"detail": detail}), during=during)
    assert isinstance(err, E.AccountLockedError) and not isinstance(err, E.AuthError)
    assert err.refused and not err.retryable and err.resumable
    assert err.reason == detail and detail in str(err)
    assert "https://fal.ai/dashboard/billing" in str(err)
    assert "FAL_KEY" not in str(err) and "not a problem with the key" in str(err)
    assert err.status_code == 403


def test_locked_account_reason_has_the_key_scrubbed():
    key = "0f6b1c2e-1111-2222-3333-444455556666:9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"
    err = error_from_response(answer(403, {"detail": f"{LOCKED} (key {key})"}), during="submit")
    err.scrub(key)
    assert key not in str(err) and key not in err.reason and key.split(":")[1] not in err.reason
    assert "Exhausted balance" in err.reason


def test_401_says_the_key_is_wrong_403_other_shows_fals_words():
    err = error_from_response(answer(401, {"detail": "Invalid key"}), during="submit")
    assert isinstance(err, E.AuthError) and "wrong" in str(err) and "FAL_KEY" in str(err)
    err = error_from_response(answer(403, {"detail": "Not allowed for this app"}), during="submit")
    assert isinstance(err, E.AuthError) and not isinstance(err, E.AccountLockedError)
    assert "Not allowed for this app" in str(err)


@pytest.mark.parametrize(
    ("code", "during"), [(400, "cancel"), (404, "status"), (404, "result"), (409, "submit")]
)
def test_every_refusal_shows_fals_detail(code, during):
    err = error_from_response(answer(code, {"detail": "fal says why"}), during=during)
    assert "fal says why" in str(err)


def test_a_detail_list_is_rendered_readably():
    detail = [
        {"loc": ["body", "prompt"], "msg": "Too long", "type": "value_error"},
        {"loc": ["query", "x"], "msg": "Bad", "type": "x"},
        {"msg": "No field"},
    ]
    err = error_from_response(answer(400, {"detail": detail}), during="submit")
    assert "prompt: Too long; x: Bad; No field" in str(err)
    assert "{" not in str(err) and "loc" not in str(err)


def test_x_fal_retryable_sets_the_errors_flag():
    err = error_from_response(
        answer(500, {"detail": "x"}, {"X-Fal-Retryable": "true"}), during="status"
    )
    assert err.retryable and err.resumable
    err = error_from_response(
        answer(503, {"detail": "x"}, {"X-Fal-Retryable": "false"}), during="status"
    )
    assert not err.retryable and not err.resumable
