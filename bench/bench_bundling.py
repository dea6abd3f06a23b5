"""Benchmark the Docker-free bundler offline: cold vs cached bundling, and zip size vs naive pip.

Run: ``.venv/bin/python bench/bench_bundling.py``. A synthetic wheelhouse is written to a temporary
folder (an app library with tests, and stand-ins for boto3/botocore with botocore's bulky JSON
models), so no network is used. "Naive" is ``pip install --target`` of the same requirements for the
build host (byte code compiled, as pip does by default) zipped with ``shutil.make_archive``.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lambda_constructs.bundling import BundleOptions, bundle_python, tree_size
from tests.unit.bundling_fixtures import offline_pip_options, write_wheel

WORDS = [
    "def",
    "return",
    "self",
    "value",
    "items",
    "result",
    "event",
    "context",
    "config",
    "client",
    "request",
    "response",
    "data",
]


def fake_source(rng: random.Random, lines: int) -> str:
    body = []
    for i in range(lines):
        name = "_".join(rng.choice(WORDS) for _ in range(2))
        body.append(f"def {name}_{i}(value):\n    return value + {rng.randint(0, 10_000)}  # {rng.choice(WORDS)}\n")
    return "".join(body)


def fake_model(rng: random.Random, operations: int) -> str:
    ops = ",\n".join(
        f'  "{rng.choice(WORDS).title()}{i}": {{"http": {{"method": "POST", "requestUri": "/{i}"}}, '
        f'"input": {{"shape": "{rng.choice(WORDS).title()}Input{i}"}}, "documentation": '
        f'"{" ".join(rng.choice(WORDS) for _ in range(30))}"}}'
        for i in range(operations)
    )
    return "{\n" + ops + "\n}\n"


def build_bench_wheelhouse(wheelhouse: Path) -> str:
    """Write the benchmark wheels; return the requirements text."""
    rng = random.Random(1234)
    app_files = {f"datalib/mod{i}.py": fake_source(rng, 60) for i in range(120)}
    app_files["datalib/__init__.py"] = ""
    app_files.update({f"datalib/tests/test_mod{i}.py": fake_source(rng, 40) for i in range(60)})
    write_wheel(wheelhouse, "datalib", "2.0", requires=["helperdep"], files=app_files)
    write_wheel(wheelhouse, "helperdep", files={"helperdep/__init__.py": fake_source(rng, 200)})
    write_wheel(wheelhouse, "appkit", requires=["boto3"], files={"appkit/__init__.py": fake_source(rng, 50)})
    write_wheel(
        wheelhouse,
        "boto3",
        requires=["botocore", "s3transfer"],
        files={f"boto3/m{i}.py": fake_source(rng, 80) for i in range(20)} | {"boto3/__init__.py": ""},
    )
    botocore = {f"botocore/data/svc{i}/service-2.json": fake_model(rng, 40) for i in range(150)}
    botocore |= {f"botocore/m{i}.py": fake_source(rng, 120) for i in range(40)} | {"botocore/__init__.py": ""}
    write_wheel(wheelhouse, "botocore", requires=["jmespath", "urllib3"], files=botocore)
    write_wheel(wheelhouse, "s3transfer", requires=["botocore"])
    write_wheel(wheelhouse, "jmespath", files={"jmespath/__init__.py": fake_source(rng, 100)})
    write_wheel(wheelhouse, "urllib3", files={"urllib3/__init__.py": fake_source(rng, 300)})
    return "datalib==2.0\nappkit\n"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        wheelhouse = root / "wheelhouse"
        source = root / "src"
        source.mkdir()
        (source / "requirements.txt").write_text(build_bench_wheelhouse(wheelhouse))
        options = BundleOptions(
            source_dir=source,
            python_version="3.13",
            architecture="arm64",
            pip_options=offline_pip_options(wheelhouse),
            cache_dir=root / "cache",
        )

        start = time.perf_counter()
        cold = bundle_python(options)
        cold_s = time.perf_counter() - start
        start = time.perf_counter()
        warm = bundle_python(options)
        warm_s = time.perf_counter() - start
        assert warm.cache_hit and not cold.cache_hit and warm.sha256 == cold.sha256

        naive_dir = root / "naive"
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-warn-conflicts", "--target",
             str(naive_dir), *offline_pip_options(wheelhouse), "-r", str(source / "requirements.txt")],
            check=True,
        )  # fmt: skip
        naive_zip = Path(shutil.make_archive(str(root / "naive"), "zip", naive_dir))
        naive_s = time.perf_counter() - start
        with zipfile.ZipFile(naive_zip) as archive:
            naive_files = len(archive.namelist())
        with zipfile.ZipFile(cold.zip_path) as archive:
            bundle_files = len(archive.namelist())

        rows = [
            ("time, cold bundle (s)", cold_s, naive_s, "naive pip+zip"),
            ("time, cached re-bundle (s)", warm_s, cold_s, "cold bundle"),
            ("zip size (bytes)", cold.zipped_size_bytes, naive_zip.stat().st_size, "naive zip"),
            ("unzipped size (bytes)", cold.unzipped_size_bytes, tree_size(naive_dir), "naive tree"),
            ("files in zip", bundle_files, naive_files, "naive zip"),
        ]
        print(f"python {sys.version.split()[0]}, target CPython 3.13 arm64, offline wheelhouse")
        print(f"excluded as runtime-provided: {', '.join(cold.excluded_packages)}")
        print(f"{'metric':<28}{'bundler':>14}{'baseline':>14}{'ratio':>9}  baseline")
        for label, ours, base, base_name in rows:
            fmt = ",.3f" if isinstance(ours, float) else ","
            print(f"{label:<28}{ours:>14{fmt}}{base:>14{fmt}}{ours / base:>9.3f}  {base_name}")


if __name__ == "__main__":
    main()
