"""A disc image of an exported bag: ISO 9660 with Joliet and Rock Ridge, for burning.

Courts and archives often take a case on disc; the image holds the bag exactly as written, and
its volume label names the case.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from liuhen import lazy
from liuhen.durable import fsync_dir
from liuhen.errors import ExportTargetExists

if TYPE_CHECKING:
    import pycdlib
else:  # only writing a disc image needs it
    pycdlib = lazy.module("pycdlib")


def write_iso(bag: Path, iso: Path, volume: str) -> None:
    """An ISO 9660 image of the bag with Joliet and Rock Ridge names, for burning to disc.

    Plain ISO 9660 names are short and upper-case, so they are generated; the real names live in
    the Rock Ridge (Unix) and Joliet (Windows) records every current system reads.
    """
    if iso.exists() or iso.is_symlink():
        raise ExportTargetExists(f"目标“{iso}”已存在：不会覆盖")
    image = pycdlib.PyCdlib()
    image.new(interchange_level=3, joliet=3, rock_ridge="1.09", vol_ident=volume)
    iso_dirs = {".": ""}
    counter = 0
    handles = []
    partial = iso.with_name(f"{iso.name}.partial-{secrets.token_hex(6)}")
    try:
        for folder, dirs, files in os.walk(bag):
            dirs.sort()
            rel = Path(folder).relative_to(bag)
            parent = iso_dirs[rel.as_posix()]
            for d in dirs:
                counter += 1
                path = f"{parent}/D{counter:06d}"
                iso_dirs[(rel / d).as_posix()] = path
                image.add_directory(path, rr_name=d, joliet_path="/" + (rel / d).as_posix())
            for f in sorted(files):
                counter += 1
                fh = open(Path(folder) / f, "rb")  # noqa: SIM115 (closed after the write)
                handles.append(fh)
                image.add_fp(
                    fh, os.fstat(fh.fileno()).st_size, f"{parent}/F{counter:06d}.;1",
                    rr_name=f, joliet_path="/" + (rel / f).as_posix(),
                )  # fmt: skip
        image.write(str(partial))
        with open(partial, "rb+") as out:
            os.fsync(out.fileno())
        os.rename(partial, iso)
        fsync_dir(iso.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        image.close()
        for fh in handles:
            fh.close()


def volume_id(case: str) -> str:
    """The volume label: ISO 9660 allows 32 d-characters, but Joliet holds only 16 UCS-2 ones,
    so the case number's ASCII part is cut short and a digest of the whole keeps it unique."""
    ascii_part = re.sub(r"[^A-Z0-9]+", "_", case.upper()).strip("_")[:7]
    tail = hashlib.sha256(case.encode("utf-8")).hexdigest()[:8].upper()
    return f"{ascii_part}_{tail}" if ascii_part else f"LH_{tail}"
