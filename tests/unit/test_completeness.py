"""The completeness rule (docs/completeness.md): when a listing may delist what it lacks."""

import pytest

from tracker.normalize.completeness import ListingCount, judge_listing

CASES = [
    # (what arrived, complete?, suspicious?, reason contains)
    (ListingCount(421, total_given=True, total_count=421), True, False, None),
    (ListingCount(421, rejected=3, total_given=True, total_count=421, previous=421), True, False, None),
    (ListingCount(20, total_given=True, total_count=421, previous=421), False, True, "received 20 of total_count 421"),
    (ListingCount(20, total_given=True, total_count=None, previous=421), False, True, "total_count is null"),
    (ListingCount(20, total_given=True, total_count="20", previous=421), False, True, "not a number"),
    (ListingCount(20, total_given=True, total_count=True, previous=20), False, False, "not a number"),
    (ListingCount(20, total_given=True, total_count=20.0, previous=20), False, False, "not a number"),
    # 20 valid entries plus 401 whose id is a number or null: most of the listing is unreadable
    (ListingCount(421, rejected=401, unidentified=401, total_given=True, total_count=421), False, False, "readable"),
    (ListingCount(421, rejected=401, unidentified=401, previous=421), False, False, "401 of 421 entries rejected"),
    (ListingCount(20, previous=421), False, True, "suspicious listing"),
    (ListingCount(345, rejected=1, previous=345), False, False, "1 of 345 entries rejected"),
    (ListingCount(345, previous=345), True, False, None),
    (ListingCount(379, previous=421), True, False, None),  # 90.0 % of 421 is 378.9
    (ListingCount(378, previous=421), False, True, "suspicious"),
    (ListingCount(500, previous=421), True, False, None),
    (ListingCount(1), True, False, None),  # the first listing: nothing to delist yet
    (ListingCount(0, previous=17), False, True, "suspicious"),
    (ListingCount(1, previous=17), False, True, "the last complete listing had 17"),
    (ListingCount(2, previous=3), True, False, None),  # one repo of three deleted: a single entry may go
    (ListingCount(1, previous=3), False, True, "suspicious"),
    (ListingCount(9, previous=10), True, False, None),
]


@pytest.mark.parametrize(("count", "complete", "suspicious", "reason"), CASES)
def test_completeness_rule(count, complete, suspicious, reason):
    verdict = judge_listing(count)
    assert verdict.complete is complete
    assert verdict.suspicious is suspicious
    if reason is None:
        assert verdict.reason is None
    else:
        assert reason in verdict.reason


def test_the_share_is_configurable():
    assert judge_listing(ListingCount(60, previous=100), min_share=0.5).complete
    assert not judge_listing(ListingCount(60, previous=100), min_share=0.75).complete
