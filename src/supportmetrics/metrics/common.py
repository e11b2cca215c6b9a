"""Small expression helpers shared by the catalogue modules.

Deferrable: called on deferred expressions they give a deferred expression that prints as
written (``ratio(_.solved, _.created)``, docs/metrics.md), resolved when the metric is compiled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import ibis
from ibis.common.deferred import deferrable


def _ratio(numerator: Any, denominator: Any) -> Any:
    """numerator / denominator, null when the denominator is zero (a rate over no units)."""
    return ibis.ifelse(denominator != 0, numerator / denominator, ibis.null("float64"))


def _flag(condition: Any) -> Any:
    """A boolean as 0/1 (null counts as 0)."""
    return condition.fill_null(False).cast("int64")


_ratio.__name__, _flag.__name__ = "ratio", "flag"  # as expressions print them
ratio = cast(Callable[[Any, Any], Any], deferrable(_ratio))
flag = cast(Callable[[Any], Any], deferrable(_flag))
