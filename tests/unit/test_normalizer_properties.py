"""Property tests: every normalizer returns a bounded value or a named rejection, whatever it is fed.

A few hundred examples per normalizer here; ``benchmarks/fuzz_normalizers.py`` runs 10,000.
"""

import pytest
from fuzz_targets import TARGETS
from hypothesis import HealthCheck, given, settings


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_a_normalizer_never_raises_anything_but_a_rejection(target):
    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(target.strategy)
    def check(raw):
        target.check(raw)

    check()
