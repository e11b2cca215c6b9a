"""supportmetrics.atomic: a file is replaced whole or left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from supportmetrics.atomic import atomic_write, temporary_name


def test_the_new_file_replaces_the_old_one_at_the_end(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    with atomic_write(target) as tmp:
        tmp.write_text("new", encoding="utf-8")
        assert target.read_text(encoding="utf-8") == "old"  # not before the block ends
    assert target.read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(OSError, match="No space left"), atomic_write(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise OSError(28, "No space left on device")
    assert target.read_text(encoding="utf-8") == "old"
    assert not temporary_name(target).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
