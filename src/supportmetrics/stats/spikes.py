"""Volume spikes: points far above their recent level (the report's volume tab)."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median


def detect_spikes(values: Sequence[float], window: int = 8, threshold: float = 2.0) -> list[int]:
    """Indexes of points above ``threshold`` x the median of the previous ``window`` points and
    above that median + 3 x its median absolute deviation (so a flat series with noise is not
    flagged). The first ``window // 2`` points have too little history and are never flagged.
    """
    spikes = []
    for index in range(max(1, window // 2), len(values)):
        history = list(values[max(0, index - window):index])
        level = median(history)
        spread = median(abs(v - level) for v in history)
        if values[index] > threshold * level and values[index] > level + 3 * spread:
            spikes.append(index)
    return spikes
