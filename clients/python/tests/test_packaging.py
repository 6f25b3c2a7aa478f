import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_build"))

import stdlib_backend  # noqa: E402


def test_the_wheel_pip_builds_holds_the_package_and_imports(tmp_path):
    assert stdlib_backend.get_requires_for_build_wheel() == []
    name = stdlib_backend.build_wheel(str(tmp_path))
    wheel = tmp_path / name
    names = zipfile.ZipFile(wheel).namelist()
    assert "switchboard_client/client.py" in names and "switchboard_client/py.typed" in names
    assert any(n.endswith(".dist-info/RECORD") for n in names)
    out = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(wheel)!r}); import switchboard_client as s; print(s.Client.__module__)"],
                         capture_output=True, text=True, cwd=tmp_path, check=True)
    assert out.stdout.strip() == "switchboard_client.client"
