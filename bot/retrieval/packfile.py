"""A file of named flat arrays and JSON lists, memory-mapped when read: the derived corpus files.

Layout (offsets in bytes from the start of the file)::

    b"JXPACK1\\n"        8 bytes: the format
    header offset        8 bytes, little-endian
    header length        8 bytes, little-endian
    sections             each array's raw items (``array.tobytes()``, native byte order) and
                         each list as UTF-8 JSON, every section at a multiple of 8
    header               JSON: {"meta": ..., "byteorder": "little",
                                "arrays": {name: [offset, typecode, count]},
                                "lists": {name: [offset, length]}}, last in the file

Offsets are from the start of the file. :class:`Pack` maps the file and hands out each
array as a ``memoryview`` cast to its typecode (nothing is copied: pages are read when
touched, and the kernel may drop them again), a byte array also as a function that reads a
range of it (:meth:`Pack.reader`), and each list parsed from JSON when first asked for. A file written on a machine of the other byte order, cut short, or of another
format is refused with :class:`PackError`, and the caller rebuilds it.
"""

from __future__ import annotations

import json
import mmap
import os
import secrets
import sys
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any

MAGIC = b"JXPACK1\n"
ALIGN = 8


class PackError(ValueError):
    """The file is not a whole pack of this format (the message says why)."""


def _aligned(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


def write_pack(path: Path, meta: dict[str, Any], arrays: dict[str, array | bytes], lists: dict[str, list]) -> None:
    """Write the pack atomically: a temporary file beside ``path``, fsynced, renamed over it."""
    header: dict[str, Any] = {"meta": meta, "byteorder": sys.byteorder, "arrays": {}, "lists": {}}
    temp = path.with_name(f".{path.name}.tmp-{secrets.token_hex(8)}")
    try:
        with open(temp, "wb") as handle:
            handle.write(MAGIC + bytes(16))  # the header's place and length, filled in at the end
            at = len(MAGIC) + 16

            def put(data: bytes) -> int:
                nonlocal at
                offset = _aligned(at)
                handle.write(bytes(offset - at) + data)
                at = offset + len(data)
                return offset

            for name, value in arrays.items():
                if isinstance(value, (bytes, bytearray, memoryview)):
                    header["arrays"][name] = [put(bytes(value)), "B", len(value)]
                else:
                    header["arrays"][name] = [put(value.tobytes()), value.typecode, len(value)]
            for name, value in lists.items():
                header["lists"][name] = [put(json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")), 0]
                header["lists"][name][1] = at - header["lists"][name][0]
            encoded = json.dumps(header, ensure_ascii=False).encode("utf-8")
            offset = put(encoded)
            handle.seek(len(MAGIC))
            handle.write(offset.to_bytes(8, "little") + len(encoded).to_bytes(8, "little"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Pack:
    """A pack file, mapped into memory (read only)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        with open(self.path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size < len(MAGIC) + 16:
                raise PackError(f"{self.path}: too short to be a pack")
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        self._fd = os.open(self.path, os.O_RDONLY)  # for reader(): kept open with the mapping
        view = memoryview(self._map)
        if bytes(view[: len(MAGIC)]) != MAGIC:
            raise PackError(f"{self.path}: not a pack of this format")
        offset = int.from_bytes(view[len(MAGIC): len(MAGIC) + 8], "little")
        length = int.from_bytes(view[len(MAGIC) + 8: len(MAGIC) + 16], "little")
        if offset + length != size or offset < len(MAGIC) + 16:
            raise PackError(f"{self.path}: {size} bytes, not what its header's place says (cut short?)")
        try:
            header = json.loads(bytes(view[offset: offset + length]).decode("utf-8"))
        except ValueError as error:
            raise PackError(f"{self.path}: unreadable header ({error})") from None
        if header.get("byteorder") != sys.byteorder:
            raise PackError(f"{self.path}: written on a {header.get('byteorder')}-endian machine")
        self.meta: dict[str, Any] = header["meta"]
        self._arrays: dict[str, list] = header["arrays"]
        self._lists: dict[str, list] = header["lists"]
        self._view = view
        self._parsed: dict[str, list] = {}

    @staticmethod
    def read_meta(path: Path) -> dict[str, Any] | None:
        """Only the ``meta`` of the pack at ``path`` (``None`` if there is no readable pack)."""
        try:
            return Pack(path).meta
        except (OSError, PackError, KeyError, ValueError):
            return None

    def array(self, name: str) -> memoryview:
        offset, typecode, count = self._arrays[name]
        itemsize = 1 if typecode == "B" else array(typecode).itemsize
        return self._view[offset: offset + count * itemsize].cast(typecode)

    def reader(self, name: str) -> Callable[[int, int], bytes]:
        """A function giving the bytes ``[start, end)`` of array ``name`` (a ``"B"`` array) by
        reading the file (``os.pread``), not through the mapping: what is read is cached by the
        kernel but not counted in this process's resident set, as touched mapped pages (and
        their neighbours, mapped with them) would be."""
        offset, typecode, count = self._arrays[name]
        if typecode != "B":
            raise PackError(f"{self.path}: {name} holds {typecode!r} items, not bytes")
        fd = self._fd

        def read(start: int, end: int) -> bytes:
            if not 0 <= start <= end <= count:
                raise IndexError(f"{name}: bytes {start}:{end} of {count}")
            return os.pread(fd, end - start, offset + start)

        return read

    def list(self, name: str) -> list:
        if name not in self._parsed:
            offset, length = self._lists[name]
            self._parsed[name] = json.loads(bytes(self._view[offset: offset + length]).decode("utf-8", "surrogatepass"))
        return self._parsed[name]

    def names(self) -> tuple[list[str], list[str]]:
        """The names of the arrays and of the lists."""
        return list(self._arrays), list(self._lists)
