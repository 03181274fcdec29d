"""kvopt.io.fast_json: the value json.loads gives, or None where the strict reader must decide (a repeated
key anywhere, anything msgspec refuses)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kvopt.io import fast_json

TRICKY = st.text(alphabet=st.sampled_from('ab:"\\{}[],\n\u00e9'), max_size=6)  # colons, quotes, escapes
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), TRICKY,
                    st.floats(allow_nan=False, allow_infinity=False))
DOCUMENTS = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) |
                         st.dictionaries(TRICKY, inner, max_size=4), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(document=DOCUMENTS, indent=st.sampled_from([None, 1]))
def test_the_value_of_json_loads(document, indent):
    raw = json.dumps(document, indent=indent).encode()
    assert fast_json.decode(raw) == json.loads(raw) or document is None
    assert fast_json.text_pairs(raw) == fast_json.pair_count(document)


@settings(max_examples=300, deadline=None)
@given(document=st.dictionaries(TRICKY, DOCUMENTS, min_size=1, max_size=4))
def test_a_repeated_key_anywhere_is_left_to_the_strict_reader(document):
    raw = json.dumps({"outer": [document]})
    key = json.dumps(next(iter(document)))
    repeated = raw.replace("[{" + key + ": ", "[{" + key + ": 0, " + key + ": ", 1)
    assert repeated != raw
    assert fast_json.decode(repeated.encode()) is None


@pytest.mark.parametrize("text", ["[NaN]", "[1e400]", '["\\ud800"]', "\ufeff[1]", "[1,]", '{"a": 1}x',
                                  "[" + "1" * 5000 + "]", "[" * 5000 + "]" * 5000, '["a\tb"]'])
def test_what_msgspec_refuses_is_left_to_the_strict_reader(text):
    assert fast_json.decode(text.encode()) is None


def test_an_instance_of_plain_requests_only():
    requests = [{"id": "a:\"b", "arrival": 0, "prompt": 1, "output": 3}, {"id": "c", "arrival": 1, "prompt": 2,
                                                                          "output": 2}]
    data = {"memory": 9, "requests": requests, "metadata": {"k": {"x": [1, {"y": 2}]}}}
    header, decoded = fast_json.decode_instance(json.dumps(data, indent=1).encode())
    assert header == {"memory": 9, "metadata": data["metadata"]}
    assert [(r.id, r.arrival, r.prompt, r.output) for r in decoded] == [tuple(r.values()) for r in requests]
    for text in [json.dumps(data).replace('"prompt": 2', '"prompt": 2, "prompt": 2'),
                 json.dumps(data).replace('"y": 2', '"y": 2, "y": 3'),
                 json.dumps({**data, "requests": [{**requests[0], "predicted_output": 3}]}),
                 json.dumps({**data, "requests": [{**requests[0], "prompt": 1.0}]}),
                 json.dumps({**data, "requests": [{**requests[0], "prompt": True}]}),
                 json.dumps({**data, "extra": 1}), json.dumps({"requests": requests})]:
        assert fast_json.decode_instance(text.encode()) is None, text


def test_without_msgspec_everything_is_left_to_the_strict_reader(monkeypatch):
    monkeypatch.setattr(fast_json, "msgspec", None)
    assert fast_json.decode(b"[1]") is None and fast_json.decode_instance(b'{"memory": 1, "requests": []}') is None
