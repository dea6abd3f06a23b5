"""Offline wheelhouse for bundling tests and the benchmark: tiny wheels written by hand.

A wheel is a zip with ``<name>-<version>.dist-info/{METADATA,WHEEL,RECORD}``; the WHEEL ``Tag`` line
and the file name set the platform. Writing them directly needs neither network nor ``wheel``.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

PURE_TAG = "py3-none-any"
AARCH64_ONLY_TAG = "cp313-cp313-manylinux2014_aarch64"


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def write_wheel(
    wheelhouse: Path,
    name: str,
    version: str = "1.0",
    *,
    tag: str = PURE_TAG,
    requires: Sequence[str] = (),
    files: Mapping[str, str] | None = None,
) -> Path:
    """Write ``<name>-<version>-<tag>.whl`` into ``wheelhouse`` and return its path.

    ``files`` maps paths inside the wheel to text; the default is ``<name>/__init__.py``.
    """
    module = name.replace("-", "_")
    dist_info = f"{module}-{version}.dist-info"
    contents = dict(files or {f"{module}/__init__.py": f"NAME = {name!r}\nVERSION = {version!r}\n"})
    contents[f"{dist_info}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {req}\n" for req in requires
    )
    purelib = "true" if tag == PURE_TAG else "false"
    contents[f"{dist_info}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: bundling_fixtures\nRoot-Is-Purelib: {purelib}\nTag: {tag}\n"
    )
    record_lines = [f"{path},{_record_hash(text.encode())},{len(text.encode())}" for path, text in contents.items()]
    record_lines.append(f"{dist_info}/RECORD,,")
    contents[f"{dist_info}/RECORD"] = "\n".join(record_lines) + "\n"
    wheel_path = wheelhouse / f"{module}-{version}-{tag}.whl"
    wheelhouse.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel_path, "w") as archive:
        for path, text in contents.items():
            archive.writestr(path, text)
    return wheel_path


def build_wheelhouse(wheelhouse: Path) -> Path:
    """The standard test wheelhouse.

    * ``purepkg`` (pure) requires ``helperdep`` (pure) and ships a ``purepkg/tests`` folder;
    * ``nativepkg`` has only a ``manylinux2014_aarch64`` CPython 3.13 wheel;
    * ``awsthing`` requires ``boto3``; fake ``boto3`` -> ``botocore``, ``s3transfer``;
      ``botocore`` -> ``jmespath``, ``urllib3``; ``webthing`` -> ``urllib3``.
    """
    write_wheel(
        wheelhouse,
        "purepkg",
        requires=["helperdep>=1.0"],
        files={
            "purepkg/__init__.py": "from helperdep import VALUE\n",
            "purepkg/core.py": "def answer() -> int:\n    return 42\n",
            "purepkg/tests/__init__.py": "",
            "purepkg/tests/test_core.py": "def test_answer() -> None:\n    pass\n",
        },
    )
    write_wheel(wheelhouse, "helperdep", files={"helperdep/__init__.py": "VALUE = 1\n"})
    write_wheel(
        wheelhouse,
        "nativepkg",
        tag=AARCH64_ONLY_TAG,
        files={"nativepkg/__init__.py": "", "nativepkg/_speedups.cpython-313-aarch64-linux-gnu.so": "ELF"},
    )
    write_wheel(wheelhouse, "awsthing", requires=["boto3>=1.0"])
    write_wheel(wheelhouse, "boto3", requires=["botocore>=1.0", "s3transfer>=1.0"])
    write_wheel(wheelhouse, "botocore", requires=["jmespath>=1.0", "urllib3>=1.0"])
    write_wheel(wheelhouse, "s3transfer", requires=["botocore>=1.0"])
    write_wheel(wheelhouse, "jmespath")
    write_wheel(wheelhouse, "urllib3")
    write_wheel(wheelhouse, "webthing", requires=["urllib3>=1.0"])
    return wheelhouse


def offline_pip_options(wheelhouse: Path) -> tuple[str, ...]:
    """pip options that install only from ``wheelhouse``."""
    return ("--no-index", "--find-links", str(wheelhouse))
