"""Shared pytest configuration: Hypothesis profiles and the opt-in sweep marker.

Profiles: ``dev`` (default, quick), ``ci`` (used when CI=true; bounded so the
whole of .ci/run stays well under 30 minutes), ``sweep`` (large runs by hand).
Select one with HYPOTHESIS_PROFILE=name.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=200, deadline=None)
settings.register_profile(
    "ci", max_examples=300, deadline=None, derandomize=False,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "sweep", max_examples=100_000, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


def pytest_addoption(parser):
    parser.addoption("--run-sweeps", action="store_true", default=False,
                     help="run the million-case sweeps marked 'sweep'")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-sweeps"):
        return
    # Sweeps are deselected (not skipped): they are opt-in benchmarks whose
    # results are recorded in bench/RESULTS.md, never counted as tests run.
    keep, drop = [], []
    for item in items:
        (drop if "sweep" in item.keywords else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
