"""README.md's "Two commands", run as written from a fresh clone, then `copier update`.

The generate command must record a template source that `copier update` can read
back; the generated README's update command must then bring in a new template
version.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

import yaml
from helpers import REPO_ROOT, clean_env, free_port, run, wait_until_ok
from packaging.version import Version
from template_repo import GIT_IDENTITY, TemplateRepo, commit_all, commit_all_tracked, git


def shell_blocks(markdown: str, heading: str) -> list[str]:
    """The ```sh blocks of the section under `heading` (up to the next "## ")."""
    section = markdown.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, re.S)


def readme_generate_command() -> str:
    return shell_blocks((REPO_ROOT / "README.md").read_text(), "Two commands")[0].strip()


def generated_update_command(project: Path) -> str:
    """The generated README's "newest version" update command, without its comment."""
    blocks = shell_blocks((project / "README.md").read_text(), "Keeping up with the template")
    lines = [line for block in blocks for line in block.splitlines()]
    command = next(line for line in lines if "copier update" in line and "--vcs-ref" not in line)
    return command.split("#", 1)[0].strip()


def test_readme_command_generates_a_service_that_serves_and_updates(
    template_repo: TemplateRepo, tmp_path: Path
) -> None:
    command = readme_generate_command()
    assert command.startswith("uvx --from copier==")
    clone = tmp_path / "copier-fastapi-service"
    git(tmp_path, "clone", "--quiet", str(template_repo.path), str(clone))
    # Copier generates from the newest tag: drop the versions other tests of this
    # session synthesize on top of the candidate, which a user's clone would not
    # have, and start from the candidate itself.
    git(clone, "checkout", "--quiet", template_repo.candidate)
    candidate = Version(template_repo.candidate.removeprefix("v"))
    for tag in git(clone, "tag", "--list", "v*").split():
        if Version(tag.removeprefix("v")) > candidate:
            git(clone, "tag", "--delete", tag)

    # The command as written, in a shell in the clone; the service's own settings
    # (port) come from the environment, as a user's would.
    port = free_port()
    env = clean_env(**GIT_IDENTITY, PORT=str(port))
    server = subprocess.Popen(
        ["bash", "-c", command],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        ready = wait_until_ok(
            f"http://127.0.0.1:{port}/health/ready", server, "the README's command", timeout=300
        )
        assert ready.json() == {"status": "ok"}
    finally:
        # The whole chain (bash, uv run, the server) is one process group.
        os.killpg(server.pid, signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    assert "Traceback" not in output, output

    project = tmp_path / "acme-orders"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == str(clone)
    assert answers["_commit"] == template_repo.candidate

    # The user commits the project; the template moves on with a new release.
    git(project, "init", "--quiet", "--initial-branch=main")
    commit_all_tracked(project, "Generated from copier-fastapi-service")
    readme = clone / "template" / "README.md.jinja"
    readme.write_text(readme.read_text() + "\nA line from the next template version.\n")
    commit_all(clone, "Next version")
    tag = f"v{candidate.major}.{candidate.minor}.{candidate.micro + 1}"
    git(clone, "tag", tag)

    update = generated_update_command(project)
    # One copier for generating and updating, in both READMEs and the after-copy message.
    pin = re.compile(r"copier==[0-9.]+")
    message = yaml.safe_load((REPO_ROOT / "copier.yml").read_text())["_message_after_copy"]
    assert set(pin.findall(update)) == set(pin.findall(command)) == set(pin.findall(message))
    run(["bash", "-c", update], project, env=clean_env(**GIT_IDENTITY))

    assert "A line from the next template version." in (project / "README.md").read_text()
    updated = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert updated["_commit"] == tag
    assert updated["_src_path"] == str(clone)
