"""The offline build backend makes a wheel holding the whole package (pip install
./clients/python uses it; no index needed)."""
import os
import sys
import tempfile
import unittest
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_ROOT = os.path.dirname(HERE)
sys.path[:0] = [PACKAGE_ROOT, os.path.join(PACKAGE_ROOT, "_build")]

import backend  # noqa: E402
import refer_graphql  # noqa: E402


class Packaging(unittest.TestCase):
    def test_wheel_holds_every_module_and_the_version(self):
        self.assertEqual(backend.get_requires_for_build_wheel(), [])
        with tempfile.TemporaryDirectory() as out:
            name = backend.build_wheel(out)
            with zipfile.ZipFile(os.path.join(out, name)) as wheel:
                names = set(wheel.namelist())
                metadata = wheel.read("refer_graphql-%s.dist-info/METADATA" % refer_graphql.__version__).decode()
        modules = {"refer_graphql/" + f for f in os.listdir(os.path.join(PACKAGE_ROOT, "refer_graphql")) if f.endswith(".py")}
        self.assertTrue(modules <= names, modules - names)
        self.assertIn("Version: %s\n" % refer_graphql.__version__, metadata)
        self.assertIn("Requires-Python: >=3.8", metadata)
