"""A bulk transfer that is not what this client reads (an older server without key
columns, a body cut short, columns of the wrong length): one ConnectionError naming the
URL and the problem on first access, never wrong indexes. Needs no refer-graphql server."""
import json
import os
import sys
import threading
import unittest
from http.server import BaseHTTPRequestHandler, HTTPServer

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from refer_graphql import REFER  # noqa: E402

IMAGE = {"id": 7, "file_name": "a.jpg", "height": 2, "width": 3}
ANN = {"id": 70, "image_id": 7, "category_id": 1, "bbox": [0.0, 0.0, 1.0, 1.0], "area": 1.0, "iscrowd": 0}
REF = {"ref_id": 700, "ann_id": 70, "image_id": 7, "category_id": 1, "split": "train", "sent_ids": [1], "sentences": [{"sent_id": 1, "raw": "a", "sent": "a", "tokens": ["a"]}]}
KEYS = {
    "images": {"id": [7]},
    "annotations": {"id": [70], "image_row": [0]},
    "refs": {"ref_id": [700], "ann_row": [0], "image_row": [0], "category_id": [1], "sent_start": [0, 1], "sent_id": [1]},
}


def transfer(keys=KEYS, refs=(REF,)):
    lines = [{"dataset": "refcoco", "splitBy": "unc", "sections": {"categories": 1, "images": 1, "annotations": 1, "refs": len(refs)}}]
    for kind, records in (("categories", [{"id": 1, "name": "person"}]), ("images", [IMAGE]), ("annotations", [ANN]), ("refs", list(refs))):
        section = {"section": kind, "count": 1}
        if kind in keys:
            section["keys"] = keys[kind]
        lines += [section] + records
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


class Imposter(BaseHTTPRequestHandler):
    body = b""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(json.dumps({"data": {"dataset": {"name": "refcoco", "splitBy": "unc"}}}).encode())

    def do_GET(self):
        self.send_response(200)
        self.send_header("content-length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


class TransferErrors(unittest.TestCase):
    def refer_on(self, body):
        server = HTTPServer(("127.0.0.1", 0), type("Handler", (Imposter,), {"body": body}))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return REFER("http://127.0.0.1:%d" % server.server_address[1], "refcoco", "unc")

    def test_a_well_formed_transfer_reads(self):
        refer = self.refer_on(transfer())
        self.assertEqual(refer.Refs[700], REF)
        self.assertIs(refer.refToAnn[700], refer.Anns[70])
        self.assertEqual(refer.imgToRefs, {7: [REF]})

    def assert_refused(self, body, *words):
        refer = self.refer_on(body)
        with self.assertRaises(ConnectionError) as caught:
            refer.Refs
        for word in (refer.url,) + words:
            self.assertIn(word, str(caught.exception))

    def test_no_key_columns_is_another_version(self):
        self.assert_refused(transfer(keys={}), "no key columns", "compatible")

    def test_a_key_column_of_the_wrong_length(self):
        keys = dict(KEYS, refs=dict(KEYS["refs"], ref_id=[700, 701]))
        self.assert_refused(transfer(keys=keys), "ref_id has 2 entries, expected 1")

    def test_a_body_cut_short(self):
        body = transfer()
        self.assert_refused(body[: body.index(b'{"section": "refs"')], "ends before section 4")
