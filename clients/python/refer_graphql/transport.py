"""HTTP to the server: GraphQL requests, the bulk export, PNGs; server errors as the
exceptions a REFER user expects (KeyError, ValueError, ConnectionError)."""
import gzip
import json
import os
import urllib.error
import urllib.parse
import urllib.request

DEFAULT_URL = "http://127.0.0.1:4000"
TIMEOUT_S = 300


def default_url():
    return os.environ.get("REFER_GRAPHQL_URL") or DEFAULT_URL


LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


class Transport:
    def __init__(self, url):
        self.url = url.rstrip("/")
        host = urllib.parse.urlsplit(self.url).hostname or ""
        # gzip pays on a network; over loopback compressing 100+ MB costs more than it saves.
        self.gzip = not (host in LOOPBACK_HOSTS or host.startswith("127."))

    def _open(self, path, body=None, headers=None):
        request = urllib.request.Request(self.url + path, data=body, headers=headers or {})
        try:
            return urllib.request.urlopen(request, timeout=TIMEOUT_S)
        except urllib.error.HTTPError as e:
            detail = e.read().decode("utf-8", "replace").strip()
            e.close()
            raise ServerAnswer(e.code, detail) from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise ConnectionError("no refer-graphql server answers at %s: %s" % (self.url, reason)) from None

    def graphql(self, query, variables=None):
        """The `data` of a GraphQL answer; the first error raised as KeyError/ValueError."""
        body = json.dumps({"query": query, "variables": variables or {}}).encode("utf-8")
        try:
            response = self._open("/graphql", body, {"content-type": "application/json", "accept": "application/json"})
            with response:
                text = response.read()
        except ServerAnswer as e:
            text = e.detail.encode("utf-8")  # GraphQL errors can come with a 4xx status
        try:
            answer = json.loads(text)
        except ValueError:
            raise ConnectionError("%s/graphql did not answer with GraphQL JSON: is this a refer-graphql server?" % self.url) from None
        if not isinstance(answer, dict) or ("data" not in answer and "errors" not in answer):
            raise ConnectionError("%s/graphql did not answer with GraphQL JSON: is this a refer-graphql server?" % self.url)
        errors = answer.get("errors")
        if errors:
            raise error_of(self.url, errors[0])
        return answer["data"]

    def lines(self, path):
        """The JSON lines of an export path, as bytes lines (gzip accepted)."""
        try:
            response = self._open(path, headers={"accept-encoding": "gzip"} if self.gzip else {})
        except ServerAnswer as e:
            raise error_of_text(self.url, path, e.status, e.detail) from None
        with response:
            raw = response.read()
            if response.headers.get("content-encoding") == "gzip":
                raw = gzip.decompress(raw)
        return raw.splitlines()

    def get_bytes(self, path):
        try:
            response = self._open(path)
        except ServerAnswer as e:
            raise error_of_text(self.url, path, e.status, e.detail) from None
        with response:
            return response.read()

    def post_json(self, path, payload):
        body = json.dumps(payload).encode("utf-8")
        try:
            response = self._open(path, body, {"content-type": "application/json"})
        except ServerAnswer as e:
            raise error_of_text(self.url, path, e.status, e.detail) from None
        with response:
            return json.loads(response.read())


class ServerAnswer(Exception):
    """An HTTP error status, with the body that explains it."""

    def __init__(self, status, detail):
        super().__init__("%s %s" % (status, detail))
        self.status = status
        self.detail = detail


def error_of(url, error):
    """A GraphQL error as the exception REFER would raise for the same mistake."""
    message = error.get("message", "")
    code = (error.get("extensions") or {}).get("code")
    if "Cannot query field" in message or "Unknown argument" in message or code == "GRAPHQL_VALIDATION_FAILED":
        return ConnectionError("the server at %s is not a compatible refer-graphql version: %s" % (url, message))
    if "no dataset" in message or "unknown dataset" in message or "no such split" in message or "valid splits" in message:
        return ValueError(message)
    if code == "NOT_FOUND":
        return KeyError(message)
    return ValueError(message)


def error_of_text(url, path, status, detail):
    if status == 404 and "no export at" in detail or status == 404 and not detail:
        return ConnectionError("the server at %s does not serve %s: is it a compatible refer-graphql version? (%s)" % (url, path, detail))
    if status in (400, 404):
        return ValueError(detail)
    return ConnectionError("%s%s answered %s: %s" % (url, path, status, detail))
