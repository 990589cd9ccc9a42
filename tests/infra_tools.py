"""Helpers for the infrastructure tests: locating tools, skip-or-fail, podman.

A tool that `.ci/install-infra-tools.sh` (or the dev dependencies) provide is
required in CI: when it is missing the test fails there (env `CI` set) and is
skipped with the reason everywhere else.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from helpers import pyenv_version, skip_or_fail

TF_PLUGIN_MIRROR = Path(os.environ.get("TF_PLUGIN_MIRROR", "/opt/tf-plugins"))
CHECKOV_VERSION = "3.3.30"
# Debian suite whose python3 matches each supported Python version.
DEBIAN_SUITE_FOR_PYTHON = {"3.11": "bookworm", "3.13": "trixie"}


def missing(reason: str) -> None:
    """Skip locally, fail in CI: CI must never pass by skipping."""
    skip_or_fail(reason)


def tool_path(name: str) -> str:
    """The executable for `name`, looked up on PATH and next to this interpreter."""
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        missing(
            f"{name} is not installed (see .ci/install-infra-tools.sh and the dev dependencies)"
        )
    assert found is not None
    return found


def tool_env() -> dict[str, str]:
    """Environment with this interpreter's bin directory on PATH (pip-installed tools).

    Tools run inside generated projects, whose `.python-version` would otherwise
    steer pyenv's shims and uv's interpreter search (see `helpers.pyenv_version`).
    """
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    versions = pyenv_version()
    if versions:
        env["PYENV_VERSION"] = versions
    return env


def run(
    args: list[str],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        env=env or tool_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def check(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert proc.returncode == 0, (
        f"{' '.join(proc.args)} exited {proc.returncode}\n"
        f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
    )
    return proc


# --------------------------------------------------------------------- terraform


def terraform_env(tmp_dir: Path) -> dict[str, str]:
    """Offline terraform: providers only from the local filesystem mirror."""
    if not TF_PLUGIN_MIRROR.is_dir():
        missing(f"no terraform provider mirror at {TF_PLUGIN_MIRROR} (set TF_PLUGIN_MIRROR)")
    rc = tmp_dir / "terraform.rc"
    rc.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{TF_PLUGIN_MIRROR}"\n'
        '    include = ["registry.terraform.io/*/*"]\n  }\n'
        '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n'
    )
    env = tool_env()
    env.update(
        TF_CLI_CONFIG_FILE=str(rc),
        CHECKPOINT_DISABLE="1",
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        TF_PLUGIN_CACHE_DIR="",
    )
    env.pop("TF_PLUGIN_CACHE_DIR")
    return env


# ------------------------------------------------------------------------ podman


def base_images(dockerfile: Path) -> list[str]:
    """Every external image the Dockerfile's FROM lines name (not stage names)."""
    stages: set[str] = set()
    images: list[str] = []
    for line in dockerfile.read_text().splitlines():
        match = re.match(r"^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", line, re.I)
        if not match:
            continue
        image, alias = match.group(1), match.group(2)
        if image not in stages and image not in images:
            images.append(image)
        if alias:
            stages.add(alias)
    return images


def qualified(image: str) -> str:
    """docker.io-qualified name, as podman stores short names."""
    first = image.split("/", 1)[0]
    if "/" in image and ("." in first or ":" in first or first == "localhost"):
        return image
    if "/" not in image:
        return f"docker.io/library/{image}"
    return f"docker.io/{image}"


def podman_env(tmp_dir: Path) -> dict[str, str]:
    """containers.conf that works on this machine kind (runc, bounded ulimits)."""
    import resource

    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    nofile = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
    conf = tmp_dir / "containers.conf"
    conf.write_text(
        "[containers]\n"
        f'default_ulimits = ["nofile={nofile}:{nofile}", "nproc=4096:4096"]\n'
        "[engine]\n"
        'runtime = "runc"\n'
    )
    env = tool_env()
    env["CONTAINERS_CONF"] = str(conf)
    return env


def image_exists(podman: str, image: str, env: dict[str, str]) -> bool:
    return run([podman, "image", "exists", qualified(image)], env=env).returncode == 0


def apt_mirror() -> str:
    """The Debian mirror that apt's own sources name."""
    for source in [Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list")]:
        if source.exists():
            match = re.search(r"(?:URIs:|deb)\s+(https?://\S+/debian)\b", source.read_text())
            if match:
                return match.group(1)
    return "http://deb.debian.org/debian"


def build_python_standin(podman: str, image: str, env: dict[str, str]) -> None:
    """A local `python:<ver>-slim`: debootstrap of the Debian suite with that Python."""
    version = re.search(r"python:(\d+\.\d+)", image)
    assert version, f"cannot tell the Python version of {image}"
    suite = DEBIAN_SUITE_FOR_PYTHON.get(version.group(1))
    if suite is None:
        missing(f"no Debian suite ships Python {version.group(1)} for a local {image} stand-in")
    debootstrap = tool_path("debootstrap")
    with tempfile.TemporaryDirectory(prefix="rootfs-") as root:
        check(
            run(
                [
                    debootstrap,
                    "--variant=minbase",
                    "--include=python3,python3-venv,ca-certificates",
                    suite,
                    root,
                    apt_mirror(),
                ],
                env=env,
                timeout=900,
            )
        )
        for marker in Path(root).glob("usr/lib/python3*/EXTERNALLY-MANAGED"):
            marker.unlink()
        # HTTPS on this machine may be re-signed by a local CA: trust the host's bundle.
        host_bundle = Path("/etc/ssl/certs/ca-certificates.crt")
        bundle = Path(root) / "etc/ssl/certs/ca-certificates.crt"
        shutil.copyfile(host_bundle, bundle)
        for cache in Path(root).glob("var/cache/apt/archives/*.deb"):
            cache.unlink()
        with subprocess.Popen(["tar", "-C", root, "-c", "."], stdout=subprocess.PIPE) as tar:
            imported = subprocess.run(
                [
                    podman,
                    "import",
                    "--change",
                    "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
                    "--change",
                    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "-",
                    qualified(image),
                ],
                stdin=tar.stdout,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
        assert tar.returncode == 0, "tar of the stand-in root filesystem failed"
        assert imported.returncode == 0, imported.stderr


def _is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"\x7fELF"
    except OSError:
        return False


def uv_binaries() -> tuple[Path, Path]:
    """The real uv and uvx executables (not a pyenv or asdf shim script)."""
    candidates: list[Path] = []
    # `uv run` tells its children where the uv executable is.
    if os.environ.get("UV"):
        candidates.append(Path(os.environ["UV"]))
    try:
        import uv as uv_package  # type: ignore[import-untyped]

        candidates.append(Path(uv_package.find_uv_bin()))
    except (ImportError, FileNotFoundError):
        pass
    found = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    if found:
        candidates.append(Path(found).resolve())
        # pyenv shims: ask pyenv where the real one is.
        pyenv = run(["pyenv", "which", "uv"]) if shutil.which("pyenv") else None
        if pyenv is not None and pyenv.returncode == 0:
            candidates.append(Path(pyenv.stdout.strip()))
    for uv in candidates:
        uvx = uv.with_name("uvx")
        if _is_elf(uv) and _is_elf(uvx):
            return uv, uvx
    missing(f"no uv/uvx executables found (looked at {candidates})")
    raise AssertionError  # unreachable: missing() skips or fails


def build_uv_standin(podman: str, image: str, env: dict[str, str]) -> None:
    """A local `ghcr.io/astral-sh/uv:<ver>`: scratch plus the pip-installed uv binaries."""
    uv, uvx = uv_binaries()
    with tempfile.TemporaryDirectory(prefix="uv-standin-") as ctx:
        shutil.copy2(uv, Path(ctx) / "uv")
        shutil.copy2(uvx, Path(ctx) / "uvx")
        (Path(ctx) / "Containerfile").write_text("FROM scratch\nCOPY uv uvx /\n")
        check(run([podman, "build", "--pull=never", "-t", qualified(image), ctx], env=env))


def prepare_standins(podman: str, dockerfile: Path, env: dict[str, str]) -> list[str]:
    """Build missing stand-ins for the Dockerfile's base images; cached by tag."""
    images = base_images(dockerfile)
    for image in images:
        if image_exists(podman, image, env):
            continue
        if image.startswith("ghcr.io/astral-sh/uv:"):
            build_uv_standin(podman, image, env)
        elif re.match(r"^(docker\.io/(library/)?)?python:", image):
            build_python_standin(podman, image, env)
        else:
            missing(f"no registry here and no local stand-in recipe for {image}")
    return images
