"""Mutations of a valid JSON document (a value replaced by a hostile one, a key dropped, added or repeated,
the text cut short or spliced), for the tests of what readers make of them."""

from __future__ import annotations

import json

from hypothesis import strategies as st

HOSTILE = st.one_of(
    st.none(), st.booleans(), st.text(max_size=4),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 1, 10**12 - 10, 10**12, 10**12 + 1, 2**31, 2**63, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.lists(st.integers(min_value=-3, max_value=3), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(min_value=0, max_value=9), max_size=2),
)


def places(value, path=()):
    """Every (path, value) in a JSON document."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from places(item, path + (key,))
    elif isinstance(value, list):
        for k, item in enumerate(value):
            yield from places(item, path + (k,))


@st.composite
def mutated_text(draw, document) -> str:
    data = json.loads(json.dumps(document))
    spots = [p for p, _ in places(data) if p]
    path = draw(st.sampled_from(spots))
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    kind = draw(st.sampled_from(["replace", "delete", "add", "duplicate", "cut", "splice"]))
    if kind == "replace":
        parent[path[-1]] = draw(HOSTILE)
    elif kind == "delete":
        del parent[path[-1]]
    elif kind == "add" and isinstance(parent, dict):
        parent[draw(st.text(min_size=1, max_size=6))] = draw(HOSTILE)
    text = json.dumps(data, allow_nan=True)
    if kind == "duplicate" and isinstance(path[-1], str):
        key = json.dumps(path[-1])
        text = text.replace(f"{key}: ", f"{key}: {json.dumps(draw(HOSTILE), allow_nan=True)}, {key}: ", 1)
    elif kind == "cut":
        text = text[:draw(st.integers(min_value=0, max_value=len(text)))]
    elif kind == "splice":
        at = draw(st.integers(min_value=0, max_value=len(text)))
        text = text[:at] + draw(st.sampled_from(["{", "]", ",", '"', "\\", "\x00", "\u00e9", "NaN", "1e999"])) \
            + text[at:]
    return text
