"""Browser tests: Playwright for Python driving Debian's Chromium against `live_server`.

Nothing here downloads a browser: Chromium comes from Debian (`apt-get install
chromium`), Playwright's driver from its pip package, axe-core from
`npm ci`. When one of them is missing the tests skip and say which; with
CI=true they fail instead, so CI cannot pass by skipping them.

Every test runs against the live server in its own browser context (fresh
cookies and storage) of one Chromium per session, started with a throwaway
profile. Screenshots and failure captures go to artifacts/, outside git.
"""

import contextlib
import io
import json
import os
import shutil
from importlib import import_module
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from tests.factories import make_user

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or fails in CI) and says why
    expect = None

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
FAILURES = ARTIFACTS / "e2e-failures"
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Long enough for a slow CI machine, short enough that a broken page fails fast.
TIMEOUT_MS = 10_000
PASSWORD = "correct-horse-battery-staple"
# The WCAG 2.2 AA rule set (with the A and AA rules of 2.0 and 2.1 it builds on).
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def unavailable(reason):
    """Skip locally; fail in CI, where a skipped browser test would hide a broken setup."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run, not skip)", pytrace=False)
    pytest.skip(reason=f"Browser test not run here (CI runs it): {reason}")


def _sync_api():
    try:
        from playwright import sync_api
    except ImportError:
        unavailable(
            "the Python package playwright is not installed: "
            "pip install -r requirements-dev.txt (never `playwright install`)"
        )
    return sync_api


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install chromium)")
    sync_api = _sync_api()
    shutil.rmtree(FAILURES, ignore_errors=True)  # keep only this run's failure captures
    # Playwright's sync API runs an event loop in this thread, so Django would
    # refuse ORM calls from the tests; they are plain synchronous code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_api.sync_playwright().start()
    try:
        # launch() gives Chromium a new temporary --user-data-dir of its own.
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        sync_api.expect.set_options(timeout=TIMEOUT_MS)
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


_reports = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


@pytest.fixture
def new_context(request, browser, live_server):
    """Make browser contexts on the live server; on failure, keep a picture of each page."""
    contexts = []

    def make(**options):
        options = {"viewport": {"width": 1280, "height": 800}, "locale": "en-GB"} | options
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    report = request.node.stash.get(_reports, {}).get("call")
    for n, context in enumerate(contexts):
        if report is not None and report.failed:
            FAILURES.mkdir(parents=True, exist_ok=True)
            for m, page in enumerate(context.pages):
                name = f"{request.node.name}-{n}-{m}.png"
                with contextlib.suppress(Exception):  # best effort: the page may be gone
                    page.screenshot(path=FAILURES / name, full_page=True)
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def demo(db):
    """The demo articles, causes and questions (`manage.py load_demo`)."""
    call_command("load_demo", stdout=io.StringIO())


def editorial_groups():
    """The groups that migrations made, with their permissions.

    A transactional test ends by emptying every table; permissions come back
    (Django's post_migrate), but the groups the data migrations made do not.
    """
    for module in (
        "articles.migrations.0004_editorial_groups",
        "sources.migrations.0002_editorial_groups",
    ):
        for name, permissions in import_module(module).GROUPS.items():
            group, _ = Group.objects.get_or_create(name=name)
            by_app = permissions if isinstance(permissions, dict) else {"sources": permissions}
            for app_label, codenames in by_app.items():
                found = Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
                assert found.count() == len(set(codenames)), (app_label, codenames)
                group.permissions.add(*found)


def member(group, **fields):
    """A staff user in one of the editorial groups, who can log in with PASSWORD."""
    editorial_groups()
    user = make_user(is_staff=True, password=PASSWORD, **fields)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def fast_hasher(settings):
    # The tests log in through the real form, and PBKDF2 is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def editor(fast_hasher):
    return member("Editor", first_name="Ed", last_name="Itor")


@pytest.fixture
def reviewer(fast_hasher):
    return member("Medical reviewer", first_name="Rae", last_name="Viewer")


def log_in(page, user):
    """Log in through the admin's own form, as a person would."""
    next_url = reverse("admin:index")
    page.goto(f"{reverse('admin:login')}?next={next_url}")
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_url}")


@pytest.fixture
def axe():
    """Run axe-core in a page: returns the violations of the WCAG 2.2 AA rules."""
    if not AXE.exists():
        unavailable(f"{AXE.relative_to(ROOT)} is missing: run `npm ci` in {ROOT}")

    def run(page, selector=None):
        # An inline script: a page whose CSP forbids those needs a context
        # made with bypass_csp=True, as the accessibility tests' contexts are.
        page.add_script_tag(path=AXE)
        options = {"runOnly": {"type": "tag", "values": WCAG_AA_TAGS}}
        results = page.evaluate(
            "([context, options]) => axe.run(context || document, options)"
            ".then(r => ({violations: r.violations, passes: r.passes.length}))",
            [selector, options],
        )
        assert results["passes"], "axe checked nothing: did the page load?"
        return results["violations"]

    return run


def describe(violations):
    """A readable summary of axe violations for an assertion message."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {json.dumps(node['target'])}: {node['failureSummary']}")
    return "\n".join(lines)
