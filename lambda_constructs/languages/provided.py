"""Custom runtimes (``provided.al2023``): a folder with a ready ``bootstrap`` executable.

Checks at synth: ``bootstrap`` exists, is executable, and is an ELF64 little-endian executable whose
``e_machine`` matches the function's architecture (EM_AARCH64=183 for arm64, EM_X86_64=62 for
x86_64). A script starting with ``#!`` is allowed with a warning (its interpreter must exist in the
runtime image: ``/bin/sh`` does, most others do not). Anything else is an error.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from aws_cdk import aws_lambda as lambda_
from constructs import IConstruct

from lambda_constructs import runtimes
from lambda_constructs.errors import fail, warn
from lambda_constructs.languages.strategy import LanguageCode, LanguageFunction, LanguageInfo

EM_X86_64 = 62
EM_AARCH64 = 183
#: Lambda architecture name -> ELF e_machine.
E_MACHINE: dict[str, int] = {"arm64": EM_AARCH64, "x86_64": EM_X86_64}
_MACHINE_NAMES = {
    EM_AARCH64: "arm64 (EM_AARCH64)",
    EM_X86_64: "x86_64 (EM_X86_64)",
    3: "x86 (EM_386)",
    40: "arm (EM_ARM)",
}
_ELF_MAGIC = b"\x7fELF"
_ELFCLASS64 = 2
_ELFDATA2LSB = 1
_ET_EXEC, _ET_DYN = 2, 3


def elf_machine(header: bytes) -> int | None:
    """``e_machine`` of a 64-bit little-endian ELF header, None when ``header`` is not one."""
    if len(header) < 20 or header[:4] != _ELF_MAGIC:
        return None
    if header[4] != _ELFCLASS64 or header[5] != _ELFDATA2LSB:
        return None
    return int.from_bytes(header[18:20], "little")


def check_bootstrap(scope: IConstruct, code_dir: Path, architecture: str) -> None:
    """Validate ``code_dir/bootstrap`` for ``architecture`` ('arm64' or 'x86_64')."""
    bootstrap = code_dir / "bootstrap"
    if not bootstrap.is_file():
        raise fail(
            scope,
            "a custom runtime needs an executable named bootstrap at the root of code_dir",
            value=str(bootstrap),
            fix="build your binary as 'bootstrap' (Go: GOOS=linux go build -o bootstrap; Rust: cargo lambda build)",
        )
    if os.name == "posix" and not bootstrap.stat().st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH):
        raise fail(
            scope,
            "bootstrap is not executable (Lambda runs it directly)",
            value=str(bootstrap),
            fix=f"chmod 755 {bootstrap}",
        )
    with bootstrap.open("rb") as handle:
        header = handle.read(64)
    if header.startswith(b"#!"):
        interpreter = header[2:].split(b"\n", 1)[0].strip().decode(errors="replace")
        warn(
            scope,
            "bootstrapScript",
            f"bootstrap is a script for {interpreter!r}, not a binary: the interpreter must exist in the "
            "provided.al2023 image (it has /bin/sh and bash, no Python, Node.js or Java)",
        )
        return
    if header[:4] != _ELF_MAGIC:
        raise fail(
            scope,
            "bootstrap is neither an ELF executable nor a #! script",
            value=header[:8].hex(),
            fix="build a Linux binary for the function's architecture",
        )
    machine = elf_machine(header)
    if machine is None:
        raise fail(
            scope,
            "bootstrap is not a 64-bit little-endian ELF file",
            value=f"EI_CLASS={header[4]} EI_DATA={header[5]}",
            fix="build a 64-bit Linux binary (arm64 or x86_64)",
        )
    e_type = int.from_bytes(header[16:18], "little")
    if e_type not in (_ET_EXEC, _ET_DYN):
        raise fail(
            scope,
            "bootstrap is an ELF file but not an executable (object file or core dump?)",
            value=f"e_type={e_type}",
            fix="link the program into an executable",
        )
    expected = E_MACHINE[architecture]
    if machine != expected:
        raise fail(
            scope,
            f"bootstrap is built for {_MACHINE_NAMES.get(machine, f'e_machine {machine}')} but the function's "
            f"architecture is {architecture}",
            value=str(bootstrap),
            fix=(
                "rebuild for the function's architecture (Go: GOARCH=arm64 / amd64; Rust: --target "
                "aarch64-unknown-linux-gnu / x86_64-unknown-linux-gnu) or set architecture= to match"
            ),
        )


class ProvidedLanguage:
    """The custom-runtime strategy (``provided.*``, and any runtime of no other family): a folder as it is."""

    name = "provided"

    def validate(self, fn: LanguageFunction) -> LanguageInfo:
        """A folder; for ``provided.*`` runtimes, its ``bootstrap`` (:func:`check_bootstrap`)."""
        code_dir = Path(str(fn.props.code_dir))
        if not code_dir.is_dir():
            raise fail(fn, "code_dir is not a folder", value=str(code_dir), fix="pass the folder that holds bootstrap")
        if runtimes.runtime_name(fn.runtime).startswith("provided"):
            check_bootstrap(fn, code_dir, str(fn.props.architecture.name))
        return LanguageInfo(family=fn.family)

    def code(self, fn: LanguageFunction, info: LanguageInfo) -> LanguageCode:
        """The folder as the asset."""
        return LanguageCode(code=lambda_.Code.from_asset(str(fn.props.code_dir)))

    def after_function(self, fn: LanguageFunction, info: LanguageInfo) -> None:
        """Nothing."""
