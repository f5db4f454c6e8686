"""A server that is down, or is not a (compatible) refer-graphql: one ConnectionError
naming the URL, from the constructor. Needs no refer-graphql server."""
import json
import os
import socket
import sys
import threading
import unittest
from http.server import BaseHTTPRequestHandler, HTTPServer

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from refer_graphql import REFER  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Imposter(BaseHTTPRequestHandler):
    """Answers /graphql as configured by the test: HTML, or a schema without our fields."""

    answer = b""
    status = 200

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(self.status)
        self.end_headers()
        self.wfile.write(self.answer)

    def log_message(self, *args):
        pass


class ConnectionErrors(unittest.TestCase):
    def serve(self, status, answer):
        handler = type("Handler", (Imposter,), {"status": status, "answer": answer})
        server = HTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return "http://127.0.0.1:%d" % server.server_address[1]

    def test_server_down(self):
        url = "http://127.0.0.1:%d" % free_port()
        with self.assertRaises(ConnectionError) as caught:
            REFER(url, "refcoco", "unc")
        self.assertIn(url, str(caught.exception))

    def test_not_graphql(self):
        url = self.serve(404, b"<html>not found</html>")
        with self.assertRaises(ConnectionError) as caught:
            REFER(url, "refcoco", "unc")
        self.assertIn(url, str(caught.exception))

    def test_another_version(self):
        body = json.dumps({"errors": [{"message": 'Cannot query field "splitBy" on type "Dataset".', "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}]})
        url = self.serve(400, body.encode())
        with self.assertRaises(ConnectionError) as caught:
            REFER(url, "refcoco", "unc")
        self.assertIn(url, str(caught.exception))
        self.assertIn("version", str(caught.exception))

    def test_default_url_from_environment(self):
        url = "http://127.0.0.1:%d" % free_port()
        old = os.environ.get("REFER_GRAPHQL_URL")
        os.environ["REFER_GRAPHQL_URL"] = url
        try:
            with self.assertRaises(ConnectionError) as caught:
                REFER(dataset="refcoco", splitBy="unc")
        finally:
            if old is None:
                del os.environ["REFER_GRAPHQL_URL"]
            else:
                os.environ["REFER_GRAPHQL_URL"] = old
        self.assertIn(url, str(caught.exception))
