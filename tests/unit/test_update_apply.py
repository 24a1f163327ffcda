"""`tracker.update.apply` takes the three kinds of crawl batch and nothing else."""

from __future__ import annotations

import pytest

from tracker.update import apply


@pytest.mark.parametrize("batch", [object(), [], {"pages": []}])
def test_an_unknown_batch_is_refused_before_anything_is_written(batch):
    with pytest.raises(TypeError, match=f"no update for {type(batch).__name__}"):
        apply(None, batch, run_id=None)  # type: ignore[arg-type]  # the session is never touched
