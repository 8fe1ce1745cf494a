"""A PDF "page-tree bomb", made on the spot for the upload tests (issue 14, finding 1)."""

from __future__ import annotations

import struct
import zlib


def page_tree_bomb(repeats: int = 4_000_000, declared_count: int = 1) -> bytes:
    """About 35 KB: one /Pages node names the same page `repeats` times.

    The /Kids array sits in a Flate-compressed object stream (PDF 1.5), so four million
    references take a few dozen kilobytes on disk; an unbounded parser builds every one of them
    (about 30 s of CPU and 600 MB of memory for pypdf).
    """
    pages = b"<< /Type /Pages /Count %d /Kids [" % declared_count + b"3 0 R " * repeats + b"] >>"
    header = b"2 0 "
    objstm = zlib.compress(header + pages, 9)
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}

    def add(number: int, body: bytes) -> None:
        offsets[number] = len(out)
        out.extend(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    add(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    add(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>")
    add(
        4,
        b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(header), len(objstm))
        + objstm
        + b"\nendstream",
    )
    xref_offset = len(out)
    rows = [
        struct.pack(">BIH", 0, 0, 65535),
        struct.pack(">BIH", 1, offsets[1], 0),
        struct.pack(">BIH", 2, 4, 0),  # object 2 lives in object stream 4, index 0
        struct.pack(">BIH", 1, offsets[3], 0),
        struct.pack(">BIH", 1, offsets[4], 0),
        struct.pack(">BIH", 1, xref_offset, 0),
    ]
    xref = zlib.compress(b"".join(rows))
    out.extend(
        b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode"
        b" /Length %d >>\nstream\n"
        % len(xref)
        + xref
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_offset
    )
    return bytes(out)
