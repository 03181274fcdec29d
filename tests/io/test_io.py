"""Instance and schedule files, CSV traces."""

import json

import pytest

from conftest import shared_file, write_json
from kvopt import InputError, Instance, Request, Run, Schedule, read_instance, read_schedule
from kvopt.io import instance_to_dict, read_trace, write_instance, write_schedule


def test_instance_round_trip(tmp_path):
    instance = Instance(20, (Request("a", 0, 2, 3, predicted_output=4, output_interval=(2, 5),
                                     metadata={"type": "chat"}),
                             Request("b", 4, 1, 1)),
                        name="demo", source="hand", batch_time={"model": "linear", "base": 0.01},
                        metadata={"note": 1})
    path = tmp_path / "demo.json"
    write_instance(path, instance)
    again = read_instance(path)
    assert again == instance
    assert again.requests[0].metadata == {"type": "chat"}
    assert instance_to_dict(again) == json.loads(path.read_text())


def test_instance_name_defaults_to_file_stem(tmp_path):
    path = write_json(tmp_path / "tiny.json", {"memory": 5, "requests": [
        {"id": "x", "arrival": 0, "prompt": 1, "output": 1}]})
    assert read_instance(path).name == "tiny"


def test_schedule_round_trip_with_runs_and_metadata(tmp_path):
    schedule = Schedule({"a": 3, "b": 0}, {"a": (Run(0, 2), Run(3, 4, kept=0))}, {"method": "x"})
    path = tmp_path / "s.json"
    write_schedule(path, schedule)
    again = read_schedule(path)
    assert again == schedule and again.metadata == {"method": "x"}


def test_vidur_trace(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("arrived_at,num_prefill_tokens,num_decode_tokens\n0.0,5,3\n0.74,2,2\n1.5,1,1\n")
    instance = read_trace(path, memory=20, rounds_per_second=2)
    assert [r.arrival for r in instance.requests] == [0, 1, 3]
    assert [(r.prompt, r.output) for r in instance.requests] == [(5, 3), (2, 2), (1, 1)]
    assert instance.metadata["format"] == "vidur"
    assert len(read_trace(path, memory=20, rounds_per_second=2, max_requests=2)) == 2


def test_lmsys_trace_all_at_zero_or_poisson(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("question_length,answer_length\n" + "".join(f"{k + 1},{k + 2}\n" for k in range(200)))
    instance = read_trace(path, memory=500)
    assert {r.arrival for r in instance.requests} == {0}
    poisson = read_trace(path, memory=500, arrival_rate=2.0, seed=7)
    arrivals = [r.arrival for r in poisson.requests]
    assert arrivals == sorted(arrivals) and arrivals[0] == 0
    assert 60 <= arrivals[-1] <= 140  # 200 requests at 2 per round: about 100 rounds
    assert arrivals == [r.arrival for r in read_trace(path, memory=500, arrival_rate=2.0, seed=7).requests]


def test_trace_rows_that_cannot_run_are_errors_unless_dropped(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("question_length,answer_length\n3,4\n0,5\n30,30\n2,2\n")
    with pytest.raises(InputError, match="line 3: prompt 0 and output 5 must be positive"):
        read_trace(path, memory=40)
    instance = read_trace(path, memory=40, drop_invalid=True)
    assert len(instance) == 2
    assert instance.metadata["rows_dropped"] == {"nonpositive": 1, "too_large": 1}


def test_trace_needs_time_scale_and_memory(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("arrived_at,num_prefill_tokens,num_decode_tokens\n0.0,5,3\n")
    with pytest.raises(InputError, match="--rounds-per-second"):
        read_trace(path, memory=20)
    with pytest.raises(InputError, match="--memory"):
        read_instance(path)
    with pytest.raises(InputError, match="apply only to CSV"):
        read_instance(write_json(tmp_path / "i.json", {"memory": 1, "requests": []}), memory=3)


def test_real_azure_conversation_trace():
    instance = read_trace(shared_file("splitwise_conv.csv"), memory=16492, rounds_per_second=10,
                          drop_invalid=True)
    assert len(instance) > 19000
    arrivals = [r.arrival for r in instance.requests]
    assert arrivals == sorted(arrivals) and arrivals[-1] > 30000  # about 3,500 s at 10 rounds/s


def test_real_lmsys_word_counts():
    instance = read_trace(shared_file("lmsys_chat_1m_word_lengths_lt257.csv"), memory=16492,
                          max_requests=10000, drop_invalid=True)
    assert len(instance) == 10000
    mean_prompt = sum(r.prompt for r in instance.requests) / len(instance)
    assert 20 < mean_prompt < 80  # the file's mean is about 43 words


def test_duplicate_keys_are_named_with_the_line_of_their_object(tmp_path):
    path = tmp_path / "d.json"
    path.write_text('{"memory": 9,\n "requests": [\n  {"id": "a", "arrival": 0, "prompt": 1, "output": 3},\n'
                    '  {"id": "b", "arrival": 0, "prompt": 1, "output": 3, "prompt": 2}]}')
    with pytest.raises(InputError, match=r"d.json: duplicate key 'prompt' in the object at line 4 column 3"):
        read_instance(path)
    path.write_text('{"starts": {"a": 0, "a": 1}}')
    with pytest.raises(InputError, match="duplicate key 'a' in the object at line 1 column 12"):
        read_schedule(path)


@pytest.mark.parametrize("value, message", [("NaN", "NaN is not valid JSON"), ("-Infinity", "-Infinity is not"),
                                            ("9" * 5000, "Exceeds the limit"), (str(10**13), r"at most 10\^12"),
                                            ("1e400", "must be an integer, got inf")])
def test_numbers_json_does_not_have_or_kvopt_cannot_hold(tmp_path, value, message):
    path = write_json(tmp_path / "n.json", {"memory": 9, "requests": []})
    path.write_text(path.read_text().replace('"requests": []', '"requests": [{"id": "a", "arrival": ' + value +
                                             ', "prompt": 1, "output": 1}]'))
    with pytest.raises(InputError, match=message):
        read_instance(path)


def test_mistyped_fields_are_input_errors():
    with pytest.raises(InputError, match="metadata must be an object, got \\[1, 2\\]"):
        Instance(9, (Request("a", 0, 1, 1),), metadata=[1, 2])
    with pytest.raises(InputError, match="name must be a string"):
        Instance(9, (Request("a", 0, 1, 1),), name=5)
    with pytest.raises(InputError, match="request 'a': metadata must be an object"):
        Request("a", 0, 1, 1, metadata="x")
    assert Instance(9, (Request("a", 0, 1, 1, metadata=None),), metadata=None).metadata == {}


def test_files_are_written_with_the_umask_or_the_replaced_file_s_mode(tmp_path):
    import os
    previous = os.umask(0o077)
    try:
        write_schedule(tmp_path / "s.json", Schedule({"a": 0}))
        assert (tmp_path / "s.json").stat().st_mode & 0o777 == 0o600
        os.umask(0o022)
        write_schedule(tmp_path / "t.json", Schedule({"a": 0}))
        assert (tmp_path / "t.json").stat().st_mode & 0o777 == 0o644
        (tmp_path / "s.json").chmod(0o664)
        write_schedule(tmp_path / "s.json", Schedule({"a": 1}))
        assert (tmp_path / "s.json").stat().st_mode & 0o777 == 0o664
        assert read_schedule(tmp_path / "s.json").starts["a"] == 1
    finally:
        os.umask(previous)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json", "t.json"]
