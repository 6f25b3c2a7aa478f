"""
A PEP 517 build backend using only the standard library, so ``pip install ./clients/python`` works without PyPI (no
setuptools or wheel to download). It builds a pure-Python wheel of the ``switchboard_client`` package, and an sdist.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
import tomllib
import zipfile

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_PACKAGE = "switchboard_client"


def _project() -> dict:
    with open(os.path.join(_ROOT, "pyproject.toml"), "rb") as f:
        return tomllib.load(f)["project"]


def _dist_name() -> str:
    return _project()["name"].replace("-", "_")


def _metadata() -> str:
    p = _project()
    lines = ["Metadata-Version: 2.1", f"Name: {p['name']}", f"Version: {p['version']}", f"Summary: {p['description']}",
             f"Requires-Python: {p['requires-python']}"]
    readme = os.path.join(_ROOT, "README.md")
    if os.path.exists(readme):
        with open(readme, encoding="utf-8") as f:
            lines += ["Description-Content-Type: text/markdown", "", f.read()]
    return "\n".join(lines) + "\n"


def _package_files() -> list[str]:
    out = []
    for folder, _, files in os.walk(os.path.join(_ROOT, _PACKAGE)):
        out += [os.path.relpath(os.path.join(folder, n), _ROOT) for n in files if n.endswith(".py") or n == "py.typed"]
    return sorted(out)


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    version = _project()["version"]
    dist_info = f"{_dist_name()}-{version}.dist-info"
    filename = f"{_dist_name()}-{version}-py3-none-any.whl"
    record = []

    def add(zf: zipfile.ZipFile, arcname: str, data: bytes) -> None:
        zf.writestr(arcname, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{arcname},sha256={digest},{len(data)}")

    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as zf:
        for path in _package_files():
            with open(os.path.join(_ROOT, path), "rb") as f:
                add(zf, path.replace(os.sep, "/"), f.read())
        add(zf, f"{dist_info}/METADATA", _metadata().encode())
        add(zf, f"{dist_info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: stdlib_backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        record.append(f"{dist_info}/RECORD,,")
        zf.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")
    return filename


def build_sdist(sdist_directory, config_settings=None):
    version = _project()["version"]
    base = f"{_dist_name()}-{version}"
    filename = f"{base}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as tar:
        for path in ["pyproject.toml", "README.md", "_build/stdlib_backend.py", *_package_files()]:
            if os.path.exists(os.path.join(_ROOT, path)):
                tar.add(os.path.join(_ROOT, path), arcname=f"{base}/{path}")
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        data = _metadata().encode()
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return filename
