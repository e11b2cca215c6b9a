"""Volume spikes: points far above their recent level.

The report template (Parker) charts ticket volume per category so a team "sees a spike" (in
returns, technical problems, product availability) and can look for its cause (a release, a
global event, a social-media crisis). A point is a spike when it is both

* more than ``threshold`` x the median of the previous ``window`` points (a relative jump), and
* more than that median + 3 x their median absolute deviation (MAD), so the ordinary noise of a
  busy series is not flagged.

Medians, not means, so an earlier spike in the window does not raise the bar for the next one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import median

from supportmetrics.errors import QueryError


def detect_spikes(values: Sequence[float], window: int = 8, threshold: float = 2.0) -> list[int]:
    """Indexes of the spikes of ``values`` (a volume series in time order).

    A point needs at least ``max(1, window // 2)`` finite earlier points in its window to be
    judged, so the first points of a series are never spikes. Missing values (NaN, infinities)
    are never spikes and are left out of the history. A series that sat at zero flags its first
    non-zero point (anything is more than twice nothing).
    """
    if window < 1:
        raise QueryError(f"spike window must be at least 1 point: {window}")
    if not threshold > 0:
        raise QueryError(f"spike threshold must be positive: {threshold}")
    needed = max(1, window // 2)
    spikes = []
    for index, value in enumerate(values):
        history = [v for v in values[max(0, index - window):index] if math.isfinite(v)]
        if len(history) < needed or not math.isfinite(value):
            continue
        level = median(history)
        spread = median(abs(v - level) for v in history)
        if value > threshold * level and value > level + 3 * spread:
            spikes.append(index)
    return spikes
