import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

# Longer than the timeout the tests give the checker; the server's wait, not the test's.
SLOW_SECONDS = 3


class Handler(BaseHTTPRequestHandler):
    """Answers by path, like the publishers' sites the checker meets."""

    def do_HEAD(self):
        self.answer()

    def do_GET(self):
        self.answer()

    def answer(self):
        self.server.requests.append((self.command, self.path, self.headers["User-Agent"]))
        match self.path:
            case "/ok" | "/caf%C3%A9":
                self.reply(200)
            case "/gone":
                self.reply(404)
            case "/broken":
                self.reply(500)
            case "/moved":
                self.reply(301, location="/ok")
            case "/found":
                self.reply(302, location=f"http://127.0.0.1:{self.server.server_port}/ok")
            case "/no-head":
                self.reply(405 if self.command == "HEAD" else 200)
            case "/slow":
                self.server.stopping.wait(SLOW_SECONDS)
                self.reply(200)
            case "/loop":
                self.reply(302, location="/loop")
            case "/to-metadata":  # a cloud's instance metadata service
                self.reply(302, location="http://169.254.169.254/latest/meta-data/")
            case "/to-ftp":
                self.reply(302, location="ftp://127.0.0.1/file")
            case _:
                self.reply(404)

    def reply(self, status, location=None):
        body = b"<!doctype html><title>A page</title>"
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    def log_message(self, format, *args):
        pass  # keep test output quiet


@pytest.fixture(autouse=True)
def _loopback_allowed(settings):
    """The test servers are on 127.0.0.1, which the checker refuses unless allowed."""
    settings.SOURCE_CHECK_ALLOWED_NETWORKS = ["127.0.0.0/8"]


@pytest.fixture
def web_server(monkeypatch):
    """A local HTTP server on 127.0.0.1; `web_server.url(path)` addresses it."""
    monkeypatch.setenv("no_proxy", "*")  # never send the checker through a proxy here
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.requests = []
    server.stopping = threading.Event()
    server.url = lambda path: f"http://127.0.0.1:{server.server_port}{path}"
    # A short poll interval: shutting down waits for one.
    thread = threading.Thread(target=server.serve_forever, args=[0.01], daemon=True)
    thread.start()
    yield server
    server.stopping.set()
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def closed_port():
    """A port on 127.0.0.1 that nothing listens on: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
