"""Import time of bundled dependencies with and without byte code (docs/performance.md, "Byte code in bundles").

``python bench/bench_bytecode.py [--runs 5] [--packages "requests pydantic aws-lambda-powertools"]``
bundles the packages (from PyPI) for the running Python version and this machine's architecture twice,
with ``bytecode=False`` and with byte code, unpacks each zip, and times ``import`` of the packages in a
fresh interpreter with ``PYTHONDONTWRITEBYTECODE=1`` (Lambda's code directory is read-only, so nothing
compiled at import is kept). Prints the median wall seconds of each and their ratio.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lambda_constructs.bundling.python import BundleOptions, bundle_python

#: Package → module. jmespath (which powertools imports) is in every Lambda Python runtime, so the bundler
#: leaves it out unless it is named: it is named here so the bundle imports on this machine too.
MODULES = {
    "requests": "requests",
    "pydantic": "pydantic",
    "aws-lambda-powertools": "aws_lambda_powertools",
    "jmespath": "jmespath",
}


def _bundle(root: Path, packages: list[str], *, bytecode: bool) -> Path:
    source = root / ("with" if bytecode else "without")
    source.mkdir(parents=True)
    (source / "requirements.txt").write_text("\n".join(packages) + "\n")
    arch = "arm64" if platform.machine() in ("aarch64", "arm64") else "x86_64"
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    result = bundle_python(
        BundleOptions(
            source_dir=source,
            python_version=version,
            architecture=arch,  # type: ignore[arg-type]
            layout="function",
            cache_dir=root / "cache",
            bytecode=bytecode,
        )
    )
    target = root / f"unzipped-{'with' if bytecode else 'without'}"
    with zipfile.ZipFile(result.zip_path) as archive:
        archive.extractall(target)
    print(
        f"bundle {'with' if bytecode else 'without'} byte code: {result.zipped_size_bytes / 1e6:.1f} MB zipped, "
        f"{result.unzipped_size_bytes / 1e6:.1f} MB unzipped, bytecode_python={result.bytecode_python}"
    )
    return target


def _time_import(directory: Path, modules: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(directory), "PYTHONDONTWRITEBYTECODE": "1"}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-S", "-c", "import " + ", ".join(modules)], env=env, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--packages", default=" ".join(MODULES))
    args = parser.parse_args()
    packages = args.packages.split()
    modules = [MODULES.get(p, p.replace("-", "_")) for p in packages]
    root = Path(tempfile.mkdtemp(prefix="bench-bytecode-"))
    without, with_ = _bundle(root, packages, bytecode=False), _bundle(root, packages, bytecode=True)
    baseline = _time_import(with_, ["sys"])  # interpreter start-up alone
    times: dict[str, list[float]] = {"without": [], "with": []}
    for _ in range(args.runs):  # alternate, so machine load hits both alike
        times["without"].append(_time_import(without, modules))
        times["with"].append(_time_import(with_, modules))
    a, b = statistics.median(times["without"]), statistics.median(times["with"])
    print(f"python {platform.python_version()}, runs={args.runs}, interpreter start-up {baseline:.3f} s")
    print(f"import {' '.join(modules)}: without byte code {a:.3f} s, with {b:.3f} s, ratio {a / b:.2f}")
    print(f"imports alone (start-up subtracted): {a - baseline:.3f} s vs {b - baseline:.3f} s")


if __name__ == "__main__":
    main()
