"""The benchmark's built-in load generator, against a tiny local HTTP/1.1 server."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import loadgen


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the load generator expects

    def do_GET(self):
        found = self.path == "/page"
        body = b"x" * 1000 if found else b"missing"
        self.send_response(200 if found else 404)
        if self.path == "/chunked":
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"7\r\nmissing\r\n0\r\n\r\n")
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_counts_requests_bytes_and_errors(server):
    result = loadgen.run(
        "127.0.0.1", server, ["/page", "/missing", "/chunked"], connections=2, duration=0.5
    )
    ok = result["requests"] - result["errors_status"]
    assert result["requests"] > 0 and result["errors_read"] == 0
    # The paths rotate: about a third find the page, the rest are 404s (one of them chunked).
    assert ok > 0 and result["errors_status"] > ok
    assert result["bytes"] >= ok * 1000
    assert 0 < result["p50_ms"] <= result["p99_ms"] <= result["max_ms"]
