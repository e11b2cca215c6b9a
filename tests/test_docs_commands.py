"""Every shell and Python block of README.md and docs/*.md runs as documented.

Conventions for the Markdown files:

* A fenced block whose info string is ``bash`` (or ``sh``, ``shell``) is run. ``bash norun``
  marks a block that must not run here: setting up a virtual environment, installing extras,
  an illustration with the user's own files, a Spark cluster.
* Each command (a line; a line ending in ``\\`` continues on the next) must exit 0, unless its
  trailing comment says otherwise: ``supportmetrics ... --mapping nyc311  # exit 3``.
  Lines that start with ``#`` are comments or shown output and are not run.
* Commands run one after another with ``bash -c``, in a fresh directory per block that holds
  ``demo`` (a small demo workspace, built once per session with ``supportmetrics demo``) and
  ``examples`` (this repository's), with the environment's ``supportmetrics`` on the ``PATH``.
  Paths in the docs are therefore relative to the repository root.
* A ``python`` block (``python norun`` excepted) runs as one script in such a directory and must
  exit 0.

A failure prints the file and line of the block, the whole block, the command, its exit code and
its output.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
SHELLS = ("bash", "sh", "shell")
PYTHON = "python"
EXIT = re.compile(r"#.*\bexit (\d+)\s*$")
DEMO_TICKETS = 3000  # a year of a small team: enough for every documented command
TIMEOUT = 600


@dataclass(frozen=True)
class Command:
    line: int  # 1-based line of the document where the command starts
    text: str
    exit_code: int


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    info: str
    body: str
    commands: tuple[Command, ...]

    @property
    def runs(self) -> bool:
        words = self.info.split()
        return bool(words) and words[0] in (*SHELLS, PYTHON) and "norun" not in words[1:]

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}"


def blocks(path: Path) -> list[Block]:
    """The fenced code blocks of a Markdown file, with the commands of each."""
    found: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        fence = re.match(r"^(```+|~~~+)\s*(.*)$", lines[index])
        if fence is None:
            index += 1
            continue
        marker, info, start = fence.group(1), fence.group(2).strip(), index
        body: list[str] = []
        index += 1
        while index < len(lines) and not lines[index].startswith(marker):
            body.append(lines[index])
            index += 1
        if index == len(lines):
            raise ValueError(f"{path}:{start + 1}: code block is never closed")
        index += 1
        if info.split()[:1] == [PYTHON]:  # one script: the block is the command
            script = (Command(start + 2, "\n".join(body), 0),)
        else:
            script = commands(body, start + 2)
        found.append(Block(path, start + 1, info, "\n".join(body), script))
    return found


def commands(body: list[str], first_line: int) -> tuple[Command, ...]:
    """The commands of a block body (continuation lines joined), with their expected exit codes."""
    result: list[Command] = []
    pending: list[str] = []
    start = first_line
    for offset, raw in enumerate(body):
        line = raw.rstrip()
        if not pending:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            start = first_line + offset
        pending.append(line)
        if line.endswith("\\"):  # continued: bash joins the lines as written
            continue
        text = "\n".join(pending)
        expected = EXIT.search(pending[-1])
        result.append(Command(start, text, int(expected.group(1)) if expected else 0))
        pending = []
    if pending:
        raise ValueError(f"line {start}: a command ends in a continuation backslash")
    return tuple(result)


def _all_blocks() -> list[Block]:
    return [block for path in DOCUMENTS for block in blocks(path)]


RUN = [block for block in _all_blocks() if block.runs]


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)  # the environment's supportmetrics
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", "")])
    src = str(REPO / "src")  # this checkout's code, as the test run itself uses
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    env.update(NO_COLOR="1", TERM="dumb", COLUMNS="120")
    return env


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("docs-demo") / "demo"
    done = subprocess.run(
        ["supportmetrics", "demo", str(directory), "--tickets", str(DEMO_TICKETS)],
        env=_environment(), capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )
    assert done.returncode == 0, f"building the demo workspace failed:\n{done.stdout}{done.stderr}"
    return directory


@pytest.fixture(scope="session")
def pages() -> dict[Path, Path]:
    """The directory each document's blocks run in, made by its first block."""
    return {}


@pytest.fixture
def playground(
    request: pytest.FixtureRequest, tmp_path: Path, demo_workspace: Path, pages: dict[Path, Path]
) -> Iterator[Path]:
    """One directory per document, shared by its blocks in order: a page is a walkthrough, so a
    block may use what an earlier block of the same page made (a workspace, a backup)."""
    block: Block | None = getattr(getattr(request.node, "callspec", None), "params", {}).get("block")
    if block is not None and block.path in pages:
        yield pages[block.path]
        return
    shutil.copytree(demo_workspace, tmp_path / "demo")
    (tmp_path / "examples").symlink_to(REPO / "examples", target_is_directory=True)
    if block is not None:
        pages[block.path] = tmp_path
    yield tmp_path


def _report(block: Block, command: Command, code: int | str, output: str) -> str:
    return (
        f"\n{block.where}: a documented command did not behave as documented\n"
        f"--- block ({block.info}) ---\n{block.body}\n"
        f"--- command (line {command.line}) ---\n{command.text}\n"
        f"--- exit code: {code}, documented: {command.exit_code} ---\n{output}"
    )


@pytest.mark.slow
@pytest.mark.parametrize("block", RUN, ids=[block.where for block in RUN])
def test_documented_commands_run(block: Block, playground: Path) -> None:
    env = _environment()
    for command in block.commands:
        if block.info.split()[0] == PYTHON:
            argv = [sys.executable, "-c", command.text]
        else:
            argv = ["bash", "-c", command.text]
        try:
            done = subprocess.run(
                argv, cwd=playground, env=env, capture_output=True,
                text=True, timeout=TIMEOUT, check=False,
            )
        except subprocess.TimeoutExpired as error:
            pytest.fail(_report(block, command, f"timed out after {TIMEOUT} s", str(error)))
        if done.returncode != command.exit_code:
            output = f"--- stdout ---\n{done.stdout}--- stderr ---\n{done.stderr}"
            pytest.fail(_report(block, command, done.returncode, output))


# The parser itself, on documents written here (expected values by reading them).

SAMPLE = """\
Text.

```bash
supportmetrics -w demo summary
supportmetrics -w demo metrics csat \\
    --by channel   # exit 2
# shown output, not run

supportmetrics -w demo explain x  # breaches per ticket
```

```bash norun
python3 -m venv .venv
```

```toml
timezone = "UTC"
```
"""


def test_blocks_and_commands_are_read(tmp_path: Path) -> None:
    path = tmp_path / "sample.md"
    path.write_text(SAMPLE, encoding="utf-8")
    first, second, third = blocks(path)
    assert (first.line, first.info, first.runs) == (3, "bash", True)
    assert first.commands == (
        Command(4, "supportmetrics -w demo summary", 0),
        Command(5, "supportmetrics -w demo metrics csat \\\n    --by channel   # exit 2", 2),
        Command(9, "supportmetrics -w demo explain x  # breaches per ticket", 0),
    )
    assert (second.line, second.info, second.runs) == (12, "bash norun", False)
    assert (third.info, third.runs) == ("toml", False)


def test_an_unclosed_block_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.md"
    path.write_text("```bash\nsupportmetrics --help\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken.md:1: code block is never closed"):
        blocks(path)


def test_the_readme_has_blocks_to_run() -> None:
    readme = [block for block in RUN if block.path.name == "README.md"]
    # metrics, explain, the Python example, check/backup/restore, the NYC 311 load, the Zendesk
    # export and the report (install, setup and illustrations: norun)
    assert [block.info for block in readme] == ["bash", "bash", "python", "bash", "bash", "bash",
                                                "bash"]
    nyc = [c for block in readme for c in block.commands if "nyc311" in c.text]
    assert [c.exit_code for c in nyc] == [0, 3]  # mkdir/cp, then the load that rejects a row


def test_a_command_that_breaks_its_documentation_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "guide.md"
    path.write_text("```bash\ntrue  # exit 0\necho hello; exit 4\n```\n", encoding="utf-8")
    (block,) = blocks(path)
    block = Block(REPO / "docs" / "guide.md", block.line, block.info, block.body, block.commands)
    with pytest.raises(pytest.fail.Exception) as failure:
        test_documented_commands_run(block, tmp_path)
    message = str(failure.value)
    assert "docs/guide.md:1: a documented command did not behave as documented" in message
    assert "--- command (line 3) ---\necho hello; exit 4" in message
    assert "--- exit code: 4, documented: 0 ---" in message
    assert "--- stdout ---\nhello\n" in message
