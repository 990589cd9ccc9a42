"""The generated service's API docs used in a real browser, with no internet at all.

Headless Chromium (Debian's, driven by Playwright) opens the docs pages of the
service running as a real uvicorn process. Every request to another host is
aborted and recorded: the pages must work from the service's own assets. They
are served with a strict Content-Security-Policy (inline scripts by hash); the
browser enforcing it must refuse nothing. In Swagger UI a user signs in through
the Authorize dialog (the OAuth2 password flow) and runs `GET /items` with
"Try it out" / "Execute", which must answer 200; in ReDoc the search (a web
worker) finds an operation. With `auth=oidc` the dialog signs in at a real
OpenID provider (oidc-provider under Node, on 127.0.0.1): the authorization
code with PKCE in a popup, back through the service's redirect page, and the
provider's access token on `GET /items`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from conftest import Projects
from helpers import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    SERVICE_HOST,
    free_port,
    project_command,
    running_service,
    skip_or_fail,
)
from oidc_provider import Client, OidcProvider, install, node_tools
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Route,
    expect,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Every wait in a page; each test takes a few seconds.
STEP_TIMEOUT_MS = 15_000
# The answer set rendered with auth=oidc, and what its service is configured with.
OIDC_ANSWER_SET = "py311-oidc-custom-names"
OIDC_AUDIENCE = "api://billing-api"
SWAGGER_CLIENT_ID = "swagger-ui"
# Reports every policy violation of the page (Chromium also logs them to the console).
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || "?"}:${event.lineNumber}`
  );
});
"""


class BrowserWatch:
    """What a page did besides its job: other hosts, refused content, errors."""

    def __init__(self) -> None:
        # (the URL asked for, the URL of the page that asked)
        self.foreign_requests: list[tuple[str, str]] = []
        self.csp_console: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.csp_violations: list[str] = []

    def attach(self, context: BrowserContext) -> None:
        """Abort and record every request to another host; record CSP violations."""
        context.route("**/*", self._only_the_service)
        context.add_init_script(RECORD_CSP_VIOLATIONS)

    def listen(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def collect(self, page: Page) -> None:
        """Read the violations the page itself recorded."""
        self.csp_violations = list(page.evaluate("window.__cspViolations || []"))

    def report(self) -> str:
        found = {
            "requests to other hosts (aborted)": self.foreign_requests,
            "CSP violations": self.csp_violations,
            "CSP console messages": self.csp_console,
            "JavaScript errors": self.page_errors,
            "console errors": self.console_errors,
        }
        return "\n".join(f"{name}: {value}" for name, value in found.items() if value) or (
            "nothing unusual"
        )

    def _only_the_service(self, route: Route) -> None:
        if urlsplit(route.request.url).hostname == SERVICE_HOST:
            route.continue_()
        else:
            self.foreign_requests.append((route.request.url, route.request.frame.url))
            route.abort("blockedbyclient")

    def _on_console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.csp_console.append(message.text)
        elif message.type == "error":
            self.console_errors.append(message.text)


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium: skipped locally without it, failed in CI.

    Session-scoped, so that it is checked before the project is rendered and synced.
    """
    if not os.access(CHROMIUM, os.X_OK):
        skip_or_fail(f"Chromium is not installed at {CHROMIUM} (run .ci/install-browser.sh)")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Browser]:
    """Chromium, headless, driven by Playwright's bundled driver."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def service(
    synced_default_project: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The default project migrated, with an admin, served by uvicorn: its base URL."""
    state = tmp_path_factory.mktemp("browser-service")
    with running_service(
        synced_default_project,
        f"sqlite+aiosqlite:///{state / 'app.db'}",
        log_path=state / "service.log",
    ) as running:
        yield running.url
    assert "Traceback" not in running.log(), running.log()


@pytest.fixture(scope="module")
def oidc_service(
    projects: Projects, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, OidcProvider]]:
    """The auth=oidc project served by uvicorn, and the provider it trusts.

    The provider knows Swagger UI as a public client whose redirect URI is the
    service's redirect page, so the service's port is chosen first.
    """
    if node_tools() is None:
        skip_or_fail("Node.js (node and npm) is not installed: no OIDC provider to run")
    project = projects.synced(OIDC_ANSWER_SET)
    state = tmp_path_factory.mktemp("browser-oidc-service")
    port = free_port()
    swagger_ui = Client(
        SWAGGER_CLIENT_ID,
        "items:read items:write",
        redirect_uris=(f"http://{SERVICE_HOST}:{port}/docs/oauth2-redirect",),
    )
    directory = install(state / "oidc-provider")
    with (
        OidcProvider(directory, [swagger_ui], [OIDC_AUDIENCE]) as provider,
        running_service(
            project,
            f"sqlite+aiosqlite:///{state / 'app.db'}",
            log_path=state / "service.log",
            env_extra={
                "OIDC_ISSUER": provider.issuer,
                "OIDC_AUDIENCE": OIDC_AUDIENCE,
                "OIDC_SWAGGER_CLIENT_ID": SWAGGER_CLIENT_ID,
            },
            command=project_command(project),
            create_admin=False,
            port=port,
        ) as running,
    ):
        yield running.url, provider
    assert "Traceback" not in running.log(), running.log()


@pytest.fixture
def watched_page(browser: Browser) -> Iterator[tuple[Page, BrowserWatch]]:
    """A fresh page in its own context, every other host cut off and watched."""
    context = browser.new_context()
    context.set_default_timeout(STEP_TIMEOUT_MS)
    watch = BrowserWatch()
    watch.attach(context)
    page = context.new_page()
    watch.listen(page)
    try:
        yield page, watch
    finally:
        context.close()


@contextmanager
def reporting(what: str, page: Page, watch: BrowserWatch) -> Iterator[None]:
    """Turn a failed step into an assertion that also says what the browser saw."""
    try:
        yield
    except (AssertionError, PlaywrightError) as exc:
        watch.collect(page)
        raise AssertionError(f"{what}: {exc}\n\nWhat the browser saw:\n{watch.report()}") from exc
    watch.collect(page)


def assert_nothing_refused(watch: BrowserWatch, service: str) -> None:
    """The service's pages reached no other host and refused, threw or logged nothing.

    Pages of other origins (an identity provider's sign-in form) are not the
    service's to judge: their requests to other hosts are aborted all the same.
    """
    report = watch.report()
    from_service = [url for url, page in watch.foreign_requests if page.startswith(service)]
    assert from_service == [], f"the page tried to reach other hosts\n{report}"
    assert watch.csp_violations == [], f"the browser refused parts of the page (CSP)\n{report}"
    assert watch.csp_console == [], f"the console reported CSP violations\n{report}"
    assert watch.page_errors == [], f"the page threw JavaScript errors\n{report}"
    assert watch.console_errors == [], f"the page logged errors\n{report}"


def test_swagger_ui_signs_in_and_lists_items_offline_under_its_csp(
    watched_page: tuple[Page, BrowserWatch], service: str
) -> None:
    # The flow below is the one the OpenAPI document describes.
    spec = httpx.get(f"{service}/openapi.json").json()
    list_items = spec["paths"]["/items"]["get"]
    assert {"OAuth2PasswordBearer": []} in list_items["security"]
    password_flow = spec["components"]["securitySchemes"]["OAuth2PasswordBearer"]["flows"]
    assert password_flow["password"]["tokenUrl"] == "/auth/token"

    page, watch = watched_page
    with reporting("Swagger UI did not work", page, watch):
        _open_docs(page, f"{service}/docs")
        _authorize(page)
        _list_items(page)
    assert_nothing_refused(watch, service)


def test_swagger_ui_signs_in_at_the_oidc_provider_with_pkce_and_lists_items(
    watched_page: tuple[Page, BrowserWatch], oidc_service: tuple[str, OidcProvider]
) -> None:
    service, provider = oidc_service
    spec = httpx.get(f"{service}/openapi.json").json()
    assert spec["components"]["securitySchemes"]["OpenIdConnect"]["openIdConnectUrl"] == (
        f"{provider.issuer}/.well-known/openid-configuration"
    )

    page, watch = watched_page
    with reporting("Swagger UI did not sign in at the provider", page, watch):
        _open_docs(page, f"{service}/docs")
        _authorize_at_provider(page)
        _list_items(page)
    assert_nothing_refused(watch, service)


def test_redoc_renders_and_searches_offline_under_its_csp(
    watched_page: tuple[Page, BrowserWatch], service: str
) -> None:
    page, watch = watched_page
    with reporting("ReDoc did not work", page, watch):
        _open_docs(page, f"{service}/redoc")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Acme Orders")
        # The search index runs in a web worker built from a blob (worker-src blob:).
        page.get_by_placeholder("Search...").fill("audit entries")
        results = page.locator("[data-role='search:results']")
        expect(
            results.locator("[data-item-id='tag/audit/operation/list_audit_entries_audit_get']")
        ).to_be_visible()
    assert_nothing_refused(watch, service)


def _open_docs(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status == 200
    # The browser enforces the page's own strict policy, not a relaxed one:
    # scripts from the service itself and the page's inline ones, by hash.
    directives = {
        name: sources
        for name, *sources in (
            part.split()
            for part in response.headers["content-security-policy"].split(";")
            if part.strip()
        )
    }
    assert directives["default-src"] == ["'none'"]
    assert directives["script-src"][0] == "'self'"
    assert all(source.startswith("'sha256-") for source in directives["script-src"][1:])


def _authorize(page: Page) -> None:
    """Sign in through the Authorize dialog: the OAuth2 password flow."""
    page.get_by_role("button", name="Authorize").first.click()
    dialog = page.locator(".modal-ux")
    dialog.locator("#oauth_username").fill(ADMIN_EMAIL)
    dialog.locator("#oauth_password").fill(ADMIN_PASSWORD)
    dialog.get_by_role("button", name="Apply given OAuth2 credentials").click()
    # Once /auth/token answered with a token, Swagger UI offers to log out.
    expect(dialog.get_by_role("button", name="Remove authorization").first).to_be_visible()
    dialog.get_by_role("button", name="Close").first.click()
    expect(dialog).to_have_count(0)


def _authorize_at_provider(page: Page) -> None:
    """Sign in through the Authorize dialog: the authorization code with PKCE, in a popup."""
    page.get_by_role("button", name="Authorize").first.click()
    dialog = page.locator(".modal-ux")
    # The provider's metadata offers several flows; Swagger UI shows one form each.
    flow = dialog.locator(".auth-container").filter(
        has=page.get_by_role("heading", name="authorization_code with PKCE")
    )
    expect(flow.locator("#client_id_authorization_code")).to_have_value(SWAGGER_CLIENT_ID)
    for scope in ("openid", "items:read"):
        flow.locator(f"label[for='{scope}-authorization_code-checkbox-OpenIdConnect']").click()
    with page.expect_popup() as opened:
        flow.get_by_role("button", name="Apply given OAuth2 credentials").click()
    popup = opened.value
    # oidc-provider's development forms: any name and password, then consent.
    popup.locator("input[name=login]").fill("ada@example.org")
    popup.locator("input[name=password]").fill("any password")
    popup.locator("button[type=submit]").click()
    expect(popup.locator("input[name=login]")).to_have_count(0)
    popup.locator("button[type=submit]").click()
    # The popup returns to the service's redirect page, which hands the code
    # back to the docs page; Swagger UI exchanges it (with the PKCE verifier)
    # at the token endpoint and offers to log out.
    popup.wait_for_event("close")
    expect(flow.get_by_role("button", name="Remove authorization")).to_be_visible()
    dialog.get_by_role("button", name="Close").first.click()
    expect(dialog).to_have_count(0)


def _list_items(page: Page) -> None:
    """GET /items through "Try it out" and "Execute", with the token."""
    operation = page.locator(".opblock-get").filter(
        has=page.locator('.opblock-summary-path[data-path="/items"]')
    )
    expect(operation).to_have_count(1)
    operation.locator(".opblock-summary").first.click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    response = operation.locator(".live-responses-table .response")
    expect(response.locator(".response-col_status")).to_have_text("200")
    expect(operation.locator(".curl-command")).to_contain_text("Authorization: Bearer ")
    # The fresh database has no items: the page shows the empty first page.
    expect(response.locator(".response-col_description")).to_contain_text('"next_cursor": null')
