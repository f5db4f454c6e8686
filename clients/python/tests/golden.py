"""The recorded answers of Python REFER on the golden data (test/fixtures/golden), and
the server to ask: $REFER_GRAPHQL_URL, serving that data root."""
import glob
import json
import os
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.environ.get("REFER_GOLDEN_DIR") or os.path.normpath(os.path.join(HERE, "..", "..", "..", "test", "fixtures", "golden"))
URL = os.environ.get("REFER_GRAPHQL_URL")


def goldens():
    paths = sorted(glob.glob(os.path.join(GOLDEN, "answers", "ref*.json")))
    if not paths:
        raise RuntimeError("no golden answers under %s/answers (set REFER_GOLDEN_DIR)" % GOLDEN)
    out = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            out.append(json.load(f))
    return out


def needs_server(cls):
    return unittest.skipUnless(URL, "set REFER_GRAPHQL_URL to a server on %s/data (test/python-client.test.ts does)" % GOLDEN)(cls)


def assert_same(test, got, want, where):
    """Equal values of the same Python types, all the way down (1 is not 1.0 here)."""
    if want is None:
        test.assertIsNone(got, where)
        return
    # Anns' dicts are a dict subclass (their segmentation arrives on first read).
    same_type = isinstance(got, dict) if type(want) is dict else type(got) is type(want)
    test.assertTrue(same_type, "%s: %r is a %s; REFER's %r is a %s" % (where, got, type(got).__name__, want, type(want).__name__))
    if isinstance(want, list):
        test.assertEqual(len(got), len(want), "%s: length" % where)
        for i, (g, w) in enumerate(zip(got, want)):
            assert_same(test, g, w, "%s[%d]" % (where, i))
    elif isinstance(want, dict):
        test.assertEqual(sorted(got), sorted(want), "%s: keys" % where)
        for key in want:
            assert_same(test, got[key], want[key], "%s[%r]" % (where, key))
    else:
        test.assertEqual(got, want, where)


def keyed_by_str(mapping, key_type, test, where):
    """A dict of the client with its keys as JSON writes them, after checking their type."""
    for key in mapping:
        test.assertIs(type(key), key_type, "%s: key %r" % (where, key))
    return {str(k): v for k, v in mapping.items()}
