"""Sweep configs: the grid they expand to, stable job keys, and one-line errors for bad input."""

from __future__ import annotations

import pytest
from conftest import ROOT
from sweep_helpers import PLUGIN, tiny_instances, write_config

from kvopt.errors import InputError
from kvopt.sweep import expand_jobs, load_config


@pytest.fixture
def instances(tmp_path):
    return tiny_instances(tmp_path / "instances")


def test_grid_is_instances_times_methods_times_seeds_times_time_limits(tmp_path, instances):
    config = load_config(write_config(tmp_path / "grid.toml", """
        seeds = [0, 1]
        time_limits = [5, 10.5]
        [[instances]]
        path = "instances"
        [[instances]]
        generator = "paper-synthetic"
        model = [1, 2]
        indices = [3]
        [[methods]]
        name = "fcfs"
        [[methods]]
        name = "trivial"
        seeds = [7]
        time_limits = [1]
        """))
    jobs, contents = expand_jobs(config)
    assert config.name == "grid" and config.results is None
    # 5 instances: fcfs x 2 seeds x 2 limits + trivial x 1 seed x 1 limit
    assert len(jobs) == 5 * (2 * 2 + 1) == len({job.key for job in jobs})
    assert len(contents) == 5
    names = sorted({job.instance_name for job in jobs})
    assert names == ["paper-m1-s0-003", "paper-m2-s0-003", "tiny-a", "tiny-b", "tiny-c"]
    trivial = [job for job in jobs if job.method == "trivial"]
    assert {(job.seed, job.time_limit, job.guard_s) for job in trivial} == {(7, 1.0, 11.0)}
    assert {job.time_limit for job in jobs if job.method == "fcfs"} == {5.0, 10.5}


def test_job_keys_are_stable_and_depend_on_content_and_settings(tmp_path, instances):
    body = """
        seeds = [0, 1]
        [[instances]]
        path = "instances/tiny-a.json"
        [[methods]]
        name = "fcfs"
        """
    first, _ = expand_jobs(load_config(write_config(tmp_path / "a.toml", body)))
    again, _ = expand_jobs(load_config(write_config(tmp_path / "b.toml", body + 'label = "greedy"\n')))
    assert [job.key for job in first] == [job.key for job in again]  # a label is not part of the key
    assert len({job.key for job in first}) == 2  # the seed is
    text = (instances / "tiny-a.json").read_text().replace('"output": 3', '"output": 2', 1)
    (instances / "tiny-a.json").write_text(text)
    changed, _ = expand_jobs(load_config(tmp_path / "a.toml"))
    assert not {job.key for job in changed} & {job.key for job in first}  # new content, new jobs


def test_a_registered_generator_is_an_instance_source(tmp_path):
    config = load_config(write_config(tmp_path / "family.toml", f"""
        plugins = ["{PLUGIN}"]
        [[instances]]
        generator = "test-homogeneous"
        memory = 9
        prompt = 1
        output = 3
        sizes = [3, 5]
        [[methods]]
        name = "fcfs"
        """))
    jobs, contents = expand_jobs(config)
    assert [(job.instance_name, job.requests, job.memory) for job in jobs] == [("homogeneous-n3", 3, 9),
                                                                              ("homogeneous-n5", 5, 9)]


def test_option_grid_and_labels(tmp_path, instances):
    config = load_config(write_config(tmp_path / "labels.toml", f"""
        plugins = ["{PLUGIN}"]
        [[instances]]
        path = "instances/tiny-a.json"
        [[methods]]
        name = "test-count"
        options = {{ log = "runs.txt" }}
        grid = {{ seconds = [0.0, 0.5] }}
        [[methods]]
        name = "test-count"
        label = "counted"
        options = {{ log = "other.txt" }}
        """))
    assert [entry.label for entry in config.methods] == [
        "test-count[log=runs.txt, seconds=0.0]", "test-count[log=runs.txt, seconds=0.5]", "counted"]
    assert config.methods[1].options == {"log": "runs.txt", "seconds": 0.5}


@pytest.mark.parametrize("body, message", [
    ('[[instances]]\npath = "instances"\n', "no [[methods]] given"),
    ('[[methods]]\nname = "fcfs"\n', "no [[instances]] given"),
    ('seed = [1]\n[[instances]]\npath = "instances"\n[[methods]]\nname = "fcfs"\n', "unknown key(s) seed"),
    ('[[instances]]\npath = "instances"\n[[methods]]\nname = "nope"\n', "unknown method 'nope'"),
    ('[[instances]]\npath = "instances"\n[[methods]]\nname = "fcfs"\noptions = {horizon = 3}\n',
     "methods[0]: method 'fcfs': unknown option(s) horizon"),
    ('[[instances]]\npath = "instances"\n[[methods]]\nname = "fcfs"\nkind = "simulate"\n',
     "unknown job kind 'simulate'"),
    ('[[instances]]\npath = "instances"\n[[methods]]\nname = "fcfs"\n[[methods]]\nname = "fcfs"\n',
     "label(s) fcfs used more than once"),
    ('time_limits = [0]\n[[instances]]\npath = "instances"\n[[methods]]\nname = "fcfs"\n',
     "'time_limits' must hold positive numbers"),
    ('seeds = []\n[[instances]]\npath = "instances"\n[[methods]]\nname = "fcfs"\n', "'seeds' must be a non-empty"),
    ('plugins = ["no.such.module"]\n', "cannot import plugin module 'no.such.module'"),
    ('[[instances\n', "malformed TOML"),
    ('initial = "always"\n[[instances]]\npath = "instances"\n[[methods]]\nname = "fcfs"\n',
     "'initial' must be one of best, none"),
])
def test_bad_configs_fail_before_anything_runs(tmp_path, instances, body, message):
    with pytest.raises(InputError) as caught:
        load_config(write_config(tmp_path / "bad.toml", body))
    assert message in str(caught.value) and "bad.toml" in str(caught.value)


@pytest.mark.parametrize("source, message", [
    ('path = "missing"', "instances[0]: no such file or directory"),
    ('path = "instances/*.csv"', "matches no instance file"),
    ('path = "instances"\nmemry = 3', "unknown key(s) memry"),
    ('generator = "paper-synthetic"\nmodel = 3\ncount = 1', "arrival model is 1"),
    ('generator = "paper-synthetic"\nmodel = 1', "give exactly one of 'count' and 'indices'"),
    ('generator = "paper-synthetic"\nmodel = 1\ncount = 2\nsize = 4', "unknown key(s) size"),
    ('generator = "nope"', "unknown generator 'nope'"),
    ('path = "instances"\ngenerator = "paper-synthetic"', "give exactly one of 'path' and 'generator'"),
    ('generator = "bundled"\nset = "nope"', "instances[0]: no bundled instance set 'nope'"),
    ('generator = "bundled"\nset = "small"\nnames = ["nope"]', "no instance 'nope' in the bundled set 'small'"),
])
def test_bad_instance_sources_are_named(tmp_path, instances, source, message):
    config = load_config(write_config(tmp_path / "src.toml",
                                      f'[[instances]]\n{source}\n[[methods]]\nname = "fcfs"\n'))
    with pytest.raises(InputError) as caught:
        expand_jobs(config)
    assert message in str(caught.value)


@pytest.mark.parametrize("name, jobs, instances", [("paper-sample", 120, 20), ("paper-synthetic", 800, 400)])
def test_the_shipped_sweep_configs_expand(name, jobs, instances):
    expanded, contents = expand_jobs(load_config(ROOT / "benchmarks" / "sweeps" / f"{name}.toml"))
    assert (len(expanded), len(contents)) == (jobs, instances)
