"""supportmetrics.ingest.mapping: the checks of a mapping made before any file is read."""

from __future__ import annotations

import pytest

from supportmetrics.config import TableMapping, strptime_error
from supportmetrics.errors import MappingError
from supportmetrics.ingest.mapping import check_formats


def test_one_probe_says_what_the_database_cannot_read() -> None:
    assert strptime_error("%d.%m.%Y %H:%M") is None
    assert strptime_error("%Q") == ("Failed to parse format specifier %Q: Unrecognized format for "
                                    "strftime/strptime: %Q")


def test_a_format_the_database_cannot_read_is_refused_before_a_load() -> None:
    # the settings refuse it already; a mapping made without them (model_construct) meets the
    # same probe at the start of the load
    mapping = TableMapping.model_construct(table="tickets", timestamp_format=None,
                                           timestamp_formats={"created_at": "%Q"})
    with pytest.raises(MappingError) as caught:
        check_formats(mapping)
    assert str(caught.value) == (
        "the timestamp format of created_at '%Q' cannot be used: Failed to parse format "
        "specifier %Q: Unrecognized format for strftime/strptime: %Q (strptime codes such as "
        "%Y-%m-%d %H:%M)")
