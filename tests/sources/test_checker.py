import ssl
from io import StringIO
from urllib.error import URLError

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError

from sources.checker import NotPublicError, check_sources, describe_error, may_connect
from sources.models import Source
from tests.sources.factories import make_source

pytestmark = pytest.mark.django_db

TIMEOUT = 0.5
AGENT = "Healthsite-link-checker/1.0 (+https://healthsite.test/; checks cited sources)"


@pytest.fixture(autouse=True)
def _user_agent(settings):
    settings.SOURCE_CHECK_USER_AGENT = AGENT


def check(*sources):
    summary = check_sources(sources, timeout=TIMEOUT)
    for source in sources:
        source.refresh_from_db()
    return summary


class TestOutcomes:
    @pytest.mark.parametrize(
        ("path", "status", "error", "final_path"),
        [
            ("/ok", 200, "", "/ok"),
            ("/gone", 404, "", "/gone"),
            ("/broken", 500, "", "/broken"),
            ("/moved", 200, "", "/ok"),
            ("/found", 200, "", "/ok"),
            ("/no-head", 200, "", "/no-head"),
            ("/slow", None, "timed out", "/slow"),
            ("/loop", 302, "too many redirects", "/loop"),
            ("/caf%C3%A9", 200, "", "/caf%C3%A9"),
        ],
    )
    def test_what_is_recorded(self, web_server, path, status, error, final_path):
        source = make_source(url=web_server.url(path))

        check(source)

        assert (source.last_status, source.last_error) == (status, error)
        assert source.final_url == web_server.url(final_path)
        assert source.last_checked is not None
        assert source.is_broken == (path in {"/gone", "/broken", "/slow", "/loop"})

    def test_a_refused_connection(self, closed_port):
        url = f"http://127.0.0.1:{closed_port}/page"
        source = make_source(url=url)

        check(source)

        assert (source.last_status, source.last_error, source.final_url) == (
            None,
            "connection refused",
            url,
        )
        assert source.is_broken

    def test_only_web_addresses_are_fetched(self, web_server):
        ftp = make_source(url="ftp://127.0.0.1/file")
        redirected = make_source(url=web_server.url("/to-ftp"))

        check(ftp, redirected)

        assert ftp.last_error == redirected.last_error == "not a web address"
        assert redirected.final_url == "ftp://127.0.0.1/file"

    @pytest.mark.parametrize("url", ["http://[::1/page", "http:///page", "https://bad host/"])
    def test_a_malformed_address_is_reported_not_raised(self, url):
        source = make_source(url=url)

        check(source)

        assert (source.last_error, source.is_broken) == ("invalid address", True)

    def test_an_address_with_non_ascii_characters_is_encoded(self, web_server):
        source = make_source(url=web_server.url("/café"))

        check(source)

        assert source.last_status == 200


class TestRequests:
    def test_head_first_and_get_only_when_head_fails(self, web_server):
        check(make_source(url=web_server.url("/ok")), make_source(url=web_server.url("/no-head")))

        methods = sorted((method, path) for method, path, _ in web_server.requests)
        assert methods == [("GET", "/no-head"), ("HEAD", "/no-head"), ("HEAD", "/ok")]

    def test_a_redirected_head_stays_a_head(self, web_server):
        check(make_source(url=web_server.url("/moved")))

        assert [(m, p) for m, p, _ in web_server.requests] == [("HEAD", "/moved"), ("HEAD", "/ok")]

    def test_at_most_five_redirects_are_followed(self, web_server):
        check(make_source(url=web_server.url("/loop")))

        # Six requests (the first and five redirects) for HEAD, then again for GET.
        assert [m for m, _, _ in web_server.requests] == ["HEAD"] * 6 + ["GET"] * 6

    def test_every_request_names_the_checker(self, web_server):
        check(
            make_source(url=web_server.url("/no-head")), make_source(url=web_server.url("/moved"))
        )

        assert {agent for _, _, agent in web_server.requests} == {AGENT}


class TestRecording:
    def test_only_the_check_fields_change(self, web_server):
        source = make_source(title="Old title", url=web_server.url("/gone"))
        Source.objects.filter(pk=source.pk).update(title="Edited meanwhile")

        check_sources([source], timeout=TIMEOUT)

        source.refresh_from_db()
        assert (source.title, source.last_status) == ("Edited meanwhile", 404)

    def test_a_later_success_clears_the_error(self, web_server):
        source = make_source(url=web_server.url("/ok"))
        Source.objects.filter(pk=source.pk).update(last_error="timed out")

        check(source)

        assert (source.last_status, source.last_error, source.is_broken) == (200, "", False)

    def test_the_summary_counts_ok_and_broken(self, web_server, closed_port):
        ok = make_source(url=web_server.url("/ok"))
        gone = make_source(url=web_server.url("/gone"))
        refused = make_source(url=f"http://127.0.0.1:{closed_port}/")

        summary = check_sources(Source.objects.all(), timeout=TIMEOUT, concurrency=2)

        assert summary.ok == 1
        assert {source.pk for source in summary.broken} == {gone.pk, refused.pk}
        assert str(summary) == "Checked 3 sources: 1 OK, 2 broken."
        assert ok.pk not in {source.pk for source in summary.broken}


class TestOnlyPublicAddresses:
    """A cited URL is anyone's to write: the checker must not become a way in."""

    @pytest.fixture(autouse=True)
    def _nothing_allowed(self, settings):
        settings.SOURCE_CHECK_ALLOWED_NETWORKS = []

    @pytest.mark.parametrize(
        "host",
        ["127.0.0.1", "localhost", "2130706433", "0x7f.1", "[::ffff:127.0.0.1]"],
    )
    def test_this_machine_however_written_is_not_asked(self, web_server, host):
        source = make_source(url=f"http://{host}:{web_server.server_port}/ok")

        check(source)

        assert (source.last_status, source.last_error) == (None, "not a public address")
        assert source.is_broken
        assert web_server.requests == []

    def test_nor_where_a_redirect_points(self, web_server, settings):
        settings.SOURCE_CHECK_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # the first hop only
        source = make_source(url=web_server.url("/to-metadata"))

        check(source)

        assert (source.last_status, source.last_error) == (None, "not a public address")
        assert source.final_url == "http://169.254.169.254/latest/meta-data/"

    def test_an_allowed_network_is_asked(self, web_server, settings):
        settings.SOURCE_CHECK_ALLOWED_NETWORKS = ["127.0.0.0/30"]
        source = make_source(url=web_server.url("/ok"))

        check(source)

        assert source.last_status == 200

    def test_a_malformed_allowed_network_is_a_configuration_error(self, settings):
        settings.SOURCE_CHECK_ALLOWED_NETWORKS = ["10.0.0.0/33"]
        with pytest.raises(ImproperlyConfigured, match="SOURCE_CHECK_ALLOWED_NETWORKS"):
            check(make_source(url="https://example.org/"))
        with pytest.raises(SystemCheckError, match=r"sources\.E001"):
            call_command("check")

    @pytest.fixture
    def proxy(self, web_server, monkeypatch, settings):
        """The test server as an outgoing proxy for every address (allowed, as it must be)."""
        settings.SOURCE_CHECK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
        monkeypatch.setenv("http_proxy", web_server.url(""))
        monkeypatch.delenv("no_proxy")
        return web_server

    def test_through_a_proxy_a_private_host_is_not_asked_for(self, proxy):
        source = make_source(url="http://10.1.2.3/internal")

        check(source)

        assert (source.last_status, source.last_error) == (None, "not a public address")
        assert proxy.requests == []

    def test_through_a_proxy_a_public_host_is_asked_for(self, proxy):
        source = make_source(url="http://93.184.215.14/page")

        check(source)

        assert source.last_status == 404  # the proxy's answer
        assert [path for _, path, _ in proxy.requests] == ["http://93.184.215.14/page"] * 2

    @pytest.mark.parametrize(
        ("address", "public"),
        [
            ("93.184.215.14", True),
            ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
            ("127.0.0.1", False),
            ("10.1.2.3", False),
            ("172.16.0.1", False),
            ("192.168.1.1", False),
            ("169.254.169.254", False),  # cloud metadata
            ("100.64.0.1", False),  # carrier-grade NAT
            ("0.0.0.0", False),
            ("224.0.0.1", False),  # multicast
            ("::1", False),
            ("fe80::1", False),
            ("fd00::1", False),
            ("::ffff:10.0.0.1", False),
            # IPv6 addresses carrying an IPv4 one, or reaching hosts in ways not checked:
            ("::7f00:1", False),  # IPv4-compatible 127.0.0.1
            ("::a9fe:a9fe", False),
            ("::ffff:0:7f00:1", False),  # IPv4-translated
            ("64:ff9b::a9fe:a9fe", False),  # NAT64 of 169.254.169.254
            ("64:ff9b::5db8:d70e", True),  # NAT64 of 93.184.215.14
            ("64:ff9b:1::a00:1", False),
            ("2002:a9fe:a9fe::1", False),  # 6to4 of 169.254.169.254
            ("2002:5db8:d70e::1", True),
            ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),  # Teredo
            ("fec0::1", False),  # site-local
        ],
    )
    def test_which_addresses_are_public(self, address, public):
        assert may_connect(address) is public


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (URLError(TimeoutError("timed out")), "timed out"),
        (URLError(ConnectionRefusedError(111, "Connection refused")), "connection refused"),
        (URLError(ssl.SSLCertVerificationError(1, "bad")), "certificate not trusted"),
        (URLError("no host given"), "invalid address"),
        (TimeoutError("timed out"), "timed out"),
        (URLError(NotPublicError("10.0.0.1 is not a public address")), "not a public address"),
    ],
)
def test_errors_are_described_in_a_few_words(error, text):
    assert describe_error(error) == text


class TestCommand:
    def run(self, *args):
        out = StringIO()
        call_command("check_sources", "--timeout", str(TIMEOUT), *args, stdout=out)
        return out.getvalue()

    def test_prints_the_broken_sources_and_a_summary(self, web_server, closed_port):
        make_source(url=web_server.url("/ok"))
        make_source(title="Gone page", publisher="NICE", url=web_server.url("/gone"))
        refused = f"http://127.0.0.1:{closed_port}/"
        make_source(title="Closed site", publisher="BMJ", url=refused)

        *broken, summary = self.run().splitlines()

        assert sorted(broken) == [
            f"HTTP 404: {web_server.url('/gone')} (NICE: Gone page)",
            f"connection refused: {refused} (BMJ: Closed site)",
        ]
        assert summary == "Checked 3 sources: 1 OK, 2 broken."

    def test_only_broken_checks_just_the_broken_ones(self, web_server):
        ok = make_source(url=web_server.url("/ok"))
        gone = make_source(url=web_server.url("/gone"))
        self.run()
        web_server.requests.clear()

        output = self.run("--only-broken")

        assert {path for _, path, _ in web_server.requests} == {"/gone"}
        assert output.endswith("Checked 1 source: 0 OK, 1 broken.\n")
        assert Source.objects.get(pk=ok.pk).last_status == 200
        assert Source.objects.get(pk=gone.pk).last_status == 404

    def test_nothing_to_check(self):
        assert self.run() == "Checked 0 sources: 0 OK, 0 broken.\n"

    @pytest.mark.parametrize(
        "args",
        [
            ["--timeout", "0"],
            ["--concurrency", "-1"],
            ["--timeout", "x"],
            ["--timeout", "nan"],
            ["--timeout", "inf"],
            ["--timeout", "1e10"],
            ["--concurrency", "100000"],
        ],
    )
    def test_usage_errors(self, args):
        with pytest.raises(CommandError):
            call_command("check_sources", *args)
