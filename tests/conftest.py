"""Shared pytest configuration: Hypothesis profiles and the opt-in sweep and torch markers.

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
    parser.addoption("--run-torch", action="store_true", default=False,
                     help="run the tests marked 'torch' (they need "
                          "'python -m armjit.target setup-torch' and fail without it)")


def pytest_collection_modifyitems(config, items):
    # Sweeps and torch tests are deselected (not skipped) unless asked for:
    # opt-in benchmarks and environments, never counted as tests run.
    opt_in = {"sweep": config.getoption("--run-sweeps"),
              "torch": config.getoption("--run-torch")}
    keep, drop = [], []
    for item in items:
        (drop if any(item.get_closest_marker(m) and not on for m, on in opt_in.items())
         else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
