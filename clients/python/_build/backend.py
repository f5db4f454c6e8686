"""A PEP 517 build backend in the standard library alone, so that
`pip install ./clients/python` works offline.

pip builds in an isolated environment and installs the backend's requirements there from
an index; setuptools (>= 61, and < 70.1 also `wheel`) is not reachable without internet,
and Debian's python3 ships setuptools 66 without `wheel`. This package is pure Python, so
a wheel is just a zip of refer_graphql/ plus its metadata.
"""
import base64
import hashlib
import os
import tarfile
import zipfile

NAME = "refer_graphql"
VERSION = "0.1.0"
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
METADATA = """Metadata-Version: 2.1
Name: refer_graphql
Version: %s
Summary: The Python REFER API (refer.py) over a refer-graphql server: change one import
License: MIT
Requires-Python: >=3.8
Provides-Extra: numpy
Requires-Dist: numpy; extra == "numpy"
""" % VERSION
WHEEL = "Wheel-Version: 1.0\nGenerator: refer_graphql _build/backend.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def _package_files():
    root = os.path.join(HERE, NAME)
    for name in sorted(os.listdir(root)):
        if name.endswith(".py"):
            yield os.path.join(root, name), "%s/%s" % (NAME, name)


def _record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (arcname, digest, len(data))


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    wheel_name = "%s-%s-py3-none-any.whl" % (NAME, VERSION)
    dist_info = "%s-%s.dist-info" % (NAME, VERSION)
    records = []
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w", zipfile.ZIP_DEFLATED) as wheel:
        entries = [(arc, _read(path)) for path, arc in _package_files()]
        entries += [(dist_info + "/METADATA", METADATA.encode()), (dist_info + "/WHEEL", WHEEL.encode())]
        for arcname, data in entries:
            wheel.writestr(arcname, data)
            records.append(_record_line(arcname, data))
        records.append(dist_info + "/RECORD,,")
        wheel.writestr(dist_info + "/RECORD", "\n".join(records) + "\n")
    return wheel_name


def build_sdist(sdist_directory, config_settings=None):
    base = "%s-%s" % (NAME, VERSION)
    sdist_name = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, sdist_name), "w:gz") as sdist:
        for path in ("pyproject.toml", "README.md", "_build", NAME):
            full = os.path.join(HERE, path)
            if os.path.exists(full):
                sdist.add(full, arcname="%s/%s" % (base, path), filter=lambda t: None if "__pycache__" in t.name else t)
    return sdist_name
