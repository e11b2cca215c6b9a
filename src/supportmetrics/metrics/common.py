"""Small expression helpers shared by the catalogue modules."""

from __future__ import annotations

from typing import Any

import ibis


def ratio(numerator: Any, denominator: Any) -> Any:
    """numerator / denominator, null when the denominator is zero (a rate over no units)."""
    return ibis.ifelse(denominator != 0, numerator / denominator, ibis.null("float64"))


def flag(condition: Any) -> Any:
    """A boolean as 0/1 (null counts as 0)."""
    return condition.fill_null(False).cast("int64")
