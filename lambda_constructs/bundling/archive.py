"""Deterministic zip archives: sorted entries, fixed timestamps and permissions."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
"""The earliest timestamp a zip entry can hold; used for every entry."""

FILE_MODE = 0o644
EXECUTABLE_MODE = 0o755
COMPRESS_LEVEL = 6


def iter_files(root: Path) -> list[tuple[str, Path]]:
    """All regular files under ``root`` as ``(posix relative path, path)``, sorted by relative path."""
    found: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in filenames:
            path = Path(dirpath) / name
            if path.is_file():
                found.append((path.relative_to(root).as_posix(), path))
    found.sort(key=lambda item: item[0])
    return found


def tree_size(root: Path) -> int:
    """Total size in bytes of the regular files under ``root``."""
    return sum(path.stat().st_size for _, path in iter_files(root))


def write_zip(root: Path, zip_path: Path) -> None:
    """Zip ``root`` into ``zip_path`` so that equal trees give byte-identical archives.

    Entries are sorted, dated 1980-01-01, marked Unix with mode 0644 (0755 when the file has any
    execute bit) and deflated at a fixed level. Directory entries are omitted.
    """
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for rel, path in iter_files(root):
            info = zipfile.ZipInfo(rel, date_time=FIXED_DATE_TIME)
            info.create_system = 3
            executable = path.stat().st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
            info.external_attr = (stat.S_IFREG | (EXECUTABLE_MODE if executable else FILE_MODE)) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes(), compresslevel=COMPRESS_LEVEL)
