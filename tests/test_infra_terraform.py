"""Terraform of the generated project: fmt, validate, mocked tests, checkov.

Each root is copied out of the read-only rendered project once per session
and initialised once (offline, from the local provider mirror); validate and
test reuse that initialisation.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import Projects
from infra_tools import CHECKOV_VERSION, check, missing, run, terraform_env, tool_path

ROOTS = ["modules/service", "modules/github_oidc", "envs/staging", "envs/production"]
TESTED_ROOTS = ["modules/service", "envs/staging", "envs/production"]


@pytest.fixture(scope="session")
def terraform_dir(default_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("terraform") / "terraform"
    shutil.copytree(default_project / "terraform", target)
    return target


@pytest.fixture(scope="session")
def tf(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, str]]:
    return tool_path("terraform"), terraform_env(tmp_path_factory.mktemp("tfrc"))


@pytest.fixture(scope="session")
def initialised(terraform_dir: Path, tf: tuple[str, dict[str, str]]) -> dict[str, Path]:
    terraform, env = tf
    roots = {}
    for root in ROOTS:
        path = terraform_dir / root
        check(
            run(
                [terraform, "init", "-backend=false", "-input=false", "-no-color"],
                cwd=path,
                env=env,
            )
        )
        roots[root] = path
    return roots


def test_fmt(terraform_dir: Path, tf: tuple[str, dict[str, str]]) -> None:
    terraform, env = tf
    check(
        run(
            [terraform, "fmt", "-check", "-recursive", "-diff", "-no-color"],
            cwd=terraform_dir,
            env=env,
        )
    )


@pytest.mark.parametrize("root", ROOTS)
def test_validate(root: str, initialised: dict[str, Path], tf: tuple[str, dict[str, str]]) -> None:
    terraform, env = tf
    out = check(run([terraform, "validate", "-no-color"], cwd=initialised[root], env=env)).stdout
    assert "The configuration is valid" in out


@pytest.mark.parametrize("root", TESTED_ROOTS)
def test_terraform_test(
    root: str, initialised: dict[str, Path], tf: tuple[str, dict[str, str]]
) -> None:
    terraform, env = tf
    out = check(run([terraform, "test", "-no-color"], cwd=initialised[root], env=env)).stdout
    match = re.search(r"Success! (\d+) passed, 0 failed", out)
    assert match, out
    # The module's suite covers the properties that matter; each must run.
    if root == "modules/service":
        assert int(match.group(1)) >= 8, out
        for run_name in [
            "database_is_private_and_encrypted",
            "task_definitions_hold_no_plaintext_secrets",
            "load_balancer_checks_readiness_over_https",
            "production_is_highly_available_and_protected",
            "production_refuses_single_az_database",
        ]:
            assert f'run "{run_name}"... pass' in out, out


def test_every_variable_is_typed_described_and_validated(terraform_dir: Path) -> None:
    try:
        import hcl2  # type: ignore[import-untyped]
    except ImportError:
        missing("python-hcl2 is not installed (dev dependency)")
    checked = 0
    for variables_tf in sorted(terraform_dir.glob("**/variables.tf")):
        document = hcl2.loads(variables_tf.read_text())
        for block in document.get("variable", []):
            for name, spec in block.items():
                where = f"{variables_tf.relative_to(terraform_dir)}: {name}"
                assert "type" in spec, f"{where} has no type"
                assert str(spec.get("description", "")).strip('"'), f"{where} has no description"
                if not isinstance(spec.get("type"), str) or "bool" not in spec["type"]:
                    assert spec.get("validation"), f"{where} has no validation"
                checked += 1
    assert checked >= 40, checked


def test_provider_constraint_admits_the_mirrored_aws_provider(terraform_dir: Path) -> None:
    for versions_tf in terraform_dir.glob("**/versions.tf"):
        text = versions_tf.read_text()
        assert re.search(r'version\s*=\s*">= 5\.\d+, < 6\.0"', text), versions_tf


def test_no_plaintext_secrets_in_terraform(terraform_dir: Path) -> None:
    for tf_file in terraform_dir.glob("**/*.tf"):
        text = tf_file.read_text()
        assert not re.search(r"^\s*(password|master_password)\s*=", text, re.M), tf_file
        # Secret values never pass through variables: only Secrets Manager ARNs do.
        assert not re.search(r'variable\s+"[^"]*(password|secret_value|token)[^"]*"', text, re.I), (
            tf_file
        )


def test_checkov_has_no_failed_check(terraform_dir: Path, tmp_path: Path) -> None:
    _assert_checkov_passes(terraform_dir, tmp_path)


def _assert_checkov_passes(terraform_dir: Path, tmp_path: Path, *, min_passed: int = 100) -> None:
    uvx = shutil.which("uvx")
    if uvx is None:
        missing("uvx is not installed (needed to run checkov in its own environment)")
    assert uvx is not None
    proc = run(
        [
            uvx,
            "--from",
            f"checkov=={CHECKOV_VERSION}",
            "checkov",
            "--directory",
            str(terraform_dir),
            "--framework",
            "terraform",
            "--skip-download",
            "--output",
            "json",
            "--output-file-path",
            str(tmp_path),
        ],
        timeout=900,
    )
    report_file = tmp_path / "results_json.json"
    assert report_file.exists(), proc.stdout + proc.stderr
    report = json.loads(report_file.read_text())
    reports = report if isinstance(report, list) else [report]
    summary = reports[0]["summary"]
    failed = [
        f"{c['check_id']} {c['resource']} {c['file_path']}"
        for r in reports
        for c in r["results"].get("failed_checks", [])
    ]
    assert not failed, "\n".join(failed)
    assert summary["failed"] == 0
    assert summary["passed"] > min_passed, summary
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Every skip is inline, next to its resource, with a justification.
    skipped = [c for r in reports for c in r["results"].get("skipped_checks", [])]
    assert skipped, "expected the documented inline skips"
    for c in skipped:
        comment = c.get("check_result", {}).get("suppress_comment") or ""
        assert len(comment) > 20, c["check_id"]


def test_the_worker_is_valid_tested_and_passes_checkov(
    projects: Projects, tf: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    # worker=taskiq adds a file to the module and to each environment: the
    # module's and production's roots are checked like the default's.
    terraform, env = tf
    target = tmp_path / "terraform"
    shutil.copytree(projects.rendered("py311-oidc-custom-names") / "terraform", target)
    check(run([terraform, "fmt", "-check", "-recursive", "-no-color"], cwd=target, env=env))
    for root in ["modules/service", "envs/production"]:
        path = target / root
        init = [terraform, "init", "-backend=false", "-input=false", "-no-color"]
        check(run(init, cwd=path, env=env))
        check(run([terraform, "validate", "-no-color"], cwd=path, env=env))
        out = check(run([terraform, "test", "-no-color"], cwd=path, env=env)).stdout
        assert re.search(r"Success! \d+ passed, 0 failed", out), out
        if root == "modules/service":
            assert 'run "the_worker_is_a_service_of_its_own"... pass' in out, out
    report = tmp_path / "checkov"
    report.mkdir()
    _assert_checkov_passes(target / "modules/service", report, min_passed=50)
