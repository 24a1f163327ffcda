import datetime as dt
from decimal import Decimal

from tracker.newsletter.netprice import PriceStep, is_noise, net_changes

T = Decimal("2")


def step(day, old, new, *, component="prompt", subject="a/b", tier="", old_status=None, new_status=None):
    return PriceStep(
        subject=subject,
        component=component,
        tier=tier,
        at=dt.datetime(2026, 3, day, tzinfo=dt.UTC),
        old_status=old_status or ("priced" if old is not None else "absent"),
        old=Decimal(old) if old is not None else None,
        new_status=new_status or ("priced" if new is not None else "absent"),
        new=Decimal(new) if new is not None else None,
    )


def test_a_flip_flop_is_left_out_however_many_steps():
    steps = [step(16, "1", "1.03"), step(17, "1.03", "0.98"), step(18, "0.98", "1")]
    assert net_changes(steps, T) == []


def test_net_change_is_start_to_end_not_the_sum_of_moves():
    steps = [step(16, "1.20", "1.25"), step(17, "1.25", "0.80"), step(19, "0.80", "0.78")]
    [change] = net_changes(steps, T)
    assert (change.old, change.new) == (Decimal("1.20"), Decimal("0.78"))
    assert change.percent == Decimal("-35.00")
    assert change.direction == "cut"
    assert change.steps == 3


def test_moves_under_the_threshold_are_left_out_and_the_threshold_itself_is_reported():
    under = [step(16, "1", "1.019"), step(17, "1.019", "1.0199")]  # +1.99 %
    exactly = [step(16, "0.50", "0.51", component="completion")]  # +2 %
    over_down = [step(16, "2", "1.95", component="request")]  # −2.5 %
    changes = net_changes(under + exactly + over_down, T)
    assert [(c.component, c.percent) for c in changes] == [
        ("completion", Decimal("2.00")),
        ("request", Decimal("-2.50")),
    ]
    assert net_changes(under, Decimal("1")) != []  # a lower threshold shows it


def test_status_changes_are_always_reported():
    free = [step(16, "0.001", "0", new_status="free")]
    tier_added = [step(17, None, "1.56", tier="prompt>=32000")]
    removed = [step(18, "0.2", None, component="image")]
    changes = {(c.component, c.tier): c for c in net_changes(free + tier_added + removed, T)}
    assert changes[("prompt", "")].direction == "now-free"
    assert changes[("prompt", "prompt>=32000")].direction == "added"
    assert changes[("image", "")].direction == "removed"
    assert all(c.percent is None for c in changes.values())


def test_order_of_input_does_not_matter_and_offers_are_kept_apart():
    a = [step(18, "0.8", "0.78"), step(16, "1.2", "0.8")]
    b = [step(17, "3", "3.3", subject="c/d")]
    changes = net_changes(b + a, T)
    assert [(c.subject, c.old, c.new) for c in changes] == [
        ("a/b", Decimal("1.2"), Decimal("0.78")),
        ("c/d", Decimal("3"), Decimal("3.3")),
    ]


def test_noise_check_is_exact_decimal_arithmetic():
    assert is_noise(Decimal("0.0000001"), Decimal("0.000000102"), Decimal("2")) is False
    assert is_noise(Decimal("0.0000001"), Decimal("0.0000001019"), Decimal("2")) is True
