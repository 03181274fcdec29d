from kvopt.experiments import available, full_size
from kvopt.experiments.common import markdown_table


def test_full_size_reads_the_environment(monkeypatch):
    monkeypatch.delenv("KVOPT_FULL", raising=False)
    assert not full_size()
    monkeypatch.setenv("KVOPT_FULL", "1")
    assert full_size()
    monkeypatch.setenv("KVOPT_FULL", "0")
    assert not full_size()


def test_available_splits_registered_and_missing(temporary_methods):
    temporary_methods("test-bound-x", "bound", lambda instance, settings: None)
    found, missing = available(["mcsf", "no-such-method", "mcsf"], kinds=("bound",))
    assert found[0] == "mcsf" and found.count("mcsf") == 1
    assert "test-bound-x" in found and "trivial" in found
    assert missing == ["no-such-method"]


def test_markdown_table_formats_cells():
    text = markdown_table([{"name": "a", "value": 1234, "ratio": 1.23456, "tags": ("x", "y"), "ok": True,
                            "none": None}],
                          {"name": "N", "value": "V", "ratio": "R", "tags": "T", "ok": "OK", "none": "-"},
                          {"ratio": ".2f"})
    header, rule, row = text.splitlines()
    assert header == "| N | V | R | T | OK | - |"
    assert rule == "|---|---:|---:|---|---|---|"
    assert row == "| a | 1,234 | 1.23 | x, y | yes | — |"
