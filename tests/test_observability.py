"""The generated deploy/ folder checked by real tools: promtool, Prometheus, YAML and JSON.

Alert rules are unit-tested with `promtool test rules`; every dashboard query is
compiled by promtool and then evaluated by a real Prometheus that scrapes the
generated service over HTTP.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from conftest import Projects
from helpers import clean_env, free_port, run, skip_or_fail, wait_until_ok

# Grafana's variables, replaced by what they stand for so promtool can parse the query.
_GRAFANA_VARIABLES = {"$__rate_interval": "1m", '"$job"': '".+"'}

METRICS_TOKEN = "scrape-token-for-the-test"  # noqa: S105 - a test value, not a secret


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        skip_or_fail(f"{name} is not installed (run .ci/install-obs-tools.sh)")
    assert path is not None
    return path


def _dashboards(project: Path) -> list[dict[str, Any]]:
    folder = project / "deploy/grafana/dashboards"
    return [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))]


def _dashboard_queries(project: Path) -> list[str]:
    queries = [
        target["expr"]
        for dashboard in _dashboards(project)
        for panel in dashboard["panels"]
        for target in panel["targets"]
    ]
    resolved = []
    for query in queries:
        for variable, value in _GRAFANA_VARIABLES.items():
            query = query.replace(variable, value)
        assert "$" not in query, f"unknown Grafana variable in {query}"
        resolved.append(query)
    return resolved


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.yml"))


# The rule files each answer set ships: the accounts' with auth=builtin, the
# jobs' with worker=taskiq.
RULE_FILES = {
    "default": ["accounts", "alerts"],
    "py311-oidc-custom-names": ["alerts", "jobs"],
}


@pytest.mark.parametrize("answer_set", sorted(RULE_FILES))
def test_alert_rules_pass_their_unit_tests(projects: Projects, answer_set: str) -> None:
    promtool = _tool("promtool")
    deploy = projects.rendered(answer_set) / "deploy/prometheus"
    rule_files = [path.relative_to(deploy).as_posix() for path in _yaml_files(deploy / "rules")]
    test_files = [path.relative_to(deploy).as_posix() for path in _yaml_files(deploy / "tests")]
    assert rule_files == [f"rules/{name}.yml" for name in RULE_FILES[answer_set]]
    assert test_files == [f"tests/{name}_test.yml" for name in RULE_FILES[answer_set]]
    for rule_file in rule_files:
        rules = yaml.safe_load((deploy / rule_file).read_text())
        count = sum(len(group["rules"]) for group in rules["groups"])
        checked = run([promtool, "check", "rules", rule_file], deploy)
        assert f"SUCCESS: {count} rules found" in checked.stdout
    tested = run([promtool, "test", "rules", *test_files], deploy)
    assert tested.stdout.count("SUCCESS") == len(test_files), tested.stdout


@pytest.mark.parametrize("answer_set", sorted(RULE_FILES))
def test_every_alert_has_a_firing_test(projects: Projects, answer_set: str) -> None:
    deploy = projects.rendered(answer_set) / "deploy/prometheus"
    alerts = {
        rule["alert"]
        for path in _yaml_files(deploy / "rules")
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
    }
    fired = {
        case["alertname"]
        for path in _yaml_files(deploy / "tests")
        for test in yaml.safe_load(path.read_text())["tests"]
        for case in test["alert_rule_test"]
        if case["exp_alerts"]
    }
    assert alerts == fired
    expected = {
        "HighErrorRatio",
        "VeryHighErrorRatio",
        "HighLatencyP99",
        "TargetDown",
        "ReadinessFailing",
        "DatabasePoolSaturated",
        "RateLimiterRedisFailing",
        "UpstreamCircuitOpen",
    }
    if answer_set == "default":
        expected.add("FailedLoginSpike")
    else:
        expected |= {"JobWorkersDown", "JobQueueStuck", "JobQueueGrowing", "JobsFailing"}
        expected.add("JobBrokerUnavailable")
    assert alerts >= expected


@pytest.mark.parametrize("answer_set", sorted(RULE_FILES))
def test_dashboard_queries_are_valid_promql(
    projects: Projects, tmp_path: Path, answer_set: str
) -> None:
    promtool = _tool("promtool")
    queries = _dashboard_queries(projects.rendered(answer_set))
    assert len(queries) >= 15
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {"record": f"dashboard:query{number}", "expr": query}
                    for number, query in enumerate(queries)
                ],
            }
        ]
    }
    path = tmp_path / "dashboard_rules.yml"
    path.write_text(yaml.safe_dump(rules))
    checked = run([promtool, "check", "rules", str(path)], tmp_path)
    assert f"SUCCESS: {len(queries)} rules found" in checked.stdout


@pytest.mark.parametrize("answer_set", sorted(RULE_FILES))
def test_grafana_and_compose_files_fit_together(projects: Projects, answer_set: str) -> None:
    deploy = projects.rendered(answer_set) / "deploy"
    compose = yaml.safe_load((deploy / "compose.observability.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"otel-collector", "jaeger", "prometheus", "grafana"}
    for name, service in services.items():
        assert service["profiles"] == ["observability"], name
        assert re.fullmatch(r"[\w./-]+:[\w.-]+", service["image"]), name
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert (deploy / source).exists(), f"{name} mounts missing {source}"
    datasource = yaml.safe_load(
        (deploy / "grafana/provisioning/datasources/prometheus.yml").read_text()
    )["datasources"][0]
    uids = {
        target["datasource"]["uid"]
        for dashboard in _dashboards(deploy.parent)
        for panel in dashboard["panels"]
        for target in panel["targets"]
    }
    assert uids == {datasource["uid"]}
    provider = yaml.safe_load(
        (deploy / "grafana/provisioning/dashboards/dashboards.yml").read_text()
    )["providers"][0]
    mounted = [v for v in services["grafana"]["volumes"] if v.startswith("./grafana/dashboards:")]
    assert mounted == [f"./grafana/dashboards:{provider['options']['path']}:ro"]
    collector = yaml.safe_load((deploy / "otel-collector/config.yaml").read_text())
    assert collector["service"]["pipelines"]["traces"]["receivers"] == ["otlp"]


@pytest.fixture
def running_service(synced_default_project: Path, tmp_path: Path) -> Iterator[str]:
    """The generated service under `serve`, on SQLite; yields its host:port."""
    port = free_port()
    env = clean_env(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'app.db'}",
        PORT=str(port),
        LOG_LEVEL="WARNING",
        BUILD_COMMIT="0123abc",
        METRICS_TOKEN=METRICS_TOKEN,
    )
    run(["uv", "run", "--no-sync", "acme-orders", "migrate"], synced_default_project, env=env)
    server = subprocess.Popen(
        ["uv", "run", "--no-sync", "acme-orders", "serve"],
        cwd=synced_default_project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        wait_until_ok(f"http://127.0.0.1:{port}/health/ready", server, "the service")
        yield f"127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _query(prometheus: str, expr: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{prometheus}/api/v1/query", params={"query": expr}, timeout=10)
    body = response.json()
    assert body["status"] == "success", (expr, body)
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


def test_prometheus_scrapes_the_service_and_runs_the_dashboard(
    default_project: Path, running_service: str, tmp_path: Path
) -> None:
    prometheus_bin = _tool("prometheus")
    # The shipped scrape job and rules, pointed at the local service and a fast interval.
    config = yaml.safe_load((default_project / "deploy/prometheus/prometheus.yml").read_text())
    config["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s"}
    config["rule_files"] = [str(default_project / "deploy/prometheus/rules/alerts.yml")]
    job = config["scrape_configs"][0]
    assert job["job_name"] == "acme-orders"
    job["static_configs"] = [{"targets": [running_service]}]
    # The shipped job presents the token from a file; the service requires it.
    (tmp_path / "metrics_token").write_text(METRICS_TOKEN)
    assert job["authorization"]["credentials_file"] == "/etc/prometheus/metrics_token"
    job["authorization"]["credentials_file"] = str(tmp_path / "metrics_token")
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    prometheus = subprocess.Popen(
        [
            prometheus_bin,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ok(f"{url}/-/ready", prometheus, "Prometheus")
        base = f"http://{running_service}"
        for _ in range(20):
            httpx.get(f"{base}/items")
            httpx.get(f"{base}/items/00000000-0000-4000-8000-000000000000")
        deadline = time.monotonic() + 30
        while True:
            up = _query(url, 'up{job="acme-orders"}')
            requests = _query(url, 'http_requests_total{route="/items/{item_id}"}')
            if up and up[0]["value"][1] == "1" and requests:
                break
            assert time.monotonic() < deadline, f"no successful scrape: {up} {requests}"
            time.sleep(0.5)
        build = _query(url, "app_build_info")
        assert build[0]["metric"]["commit"] == "0123abc"
        for query in _dashboard_queries(default_project):
            _query(url, query)
        rules = httpx.get(f"{url}/api/v1/rules").json()["data"]["groups"][0]["rules"]
        declared = yaml.safe_load(
            (default_project / "deploy/prometheus/rules/alerts.yml").read_text()
        )
        assert len(rules) == sum(len(group["rules"]) for group in declared["groups"])
        assert all(rule["health"] == "ok" for rule in rules), rules
    finally:
        prometheus.terminate()
        _, errors = prometheus.communicate(timeout=30)
    assert prometheus.returncode == 0, errors[-4000:]


@pytest.mark.parametrize("answer_set", ["py311-oidc-custom-names", "py312-auth-none"])
def test_without_the_accounts_nothing_watches_their_metrics(
    projects: Projects, answer_set: str
) -> None:
    # The login counters exist only with auth=builtin: no rule, test or panel
    # elsewhere waits for a series that never comes.
    deploy = projects.rendered(answer_set) / "deploy"
    mentions = [
        path.relative_to(deploy).as_posix()
        for path in sorted(deploy.rglob("*"))
        if path.is_file() and "auth_" in path.read_text()
    ]
    assert mentions == []
    jobs = ["jobs"] if answer_set in RULE_FILES else []
    rules = [path.name for path in _yaml_files(deploy / "prometheus/rules")]
    assert rules == [f"{name}.yml" for name in ["alerts", *jobs]]
    dashboards = sorted(path.name for path in (deploy / "grafana/dashboards").glob("*.json"))
    assert dashboards == [f"{name}.json" for name in [*jobs, "service-overview"]]
