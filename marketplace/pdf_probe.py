"""Child process of marketplace.uploads: count a PDF's pages under hard CPU and memory limits.

Run as `python -I pdf_probe.py CPU_SECONDS MEMORY_MB MAX_PAGES` with the PDF on stdin. The
limits are set before anything else, so a crafted file (a page tree naming one page millions of
times) is killed by the kernel within CPU_SECONDS instead of holding a web worker. Prints one
line: `ok N`, `too_many N` or `invalid`. Imports nothing from the project.
"""

from __future__ import annotations

import io
import resource
import sys


def verdict(data: bytes, max_pages: int) -> str:
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        # The declared count first: a file that admits to too many pages is not walked at all.
        declared = int(reader.trailer["/Root"]["/Pages"].get("/Count", 0))
        if declared > max_pages:
            return f"too_many {declared}"
        pages = len(reader.pages)
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 — anything pypdf cannot read is "not a PDF we accept"
        return "invalid"
    if pages > max_pages:
        return f"too_many {pages}"
    return f"ok {pages}" if pages >= 1 else "invalid"


def main() -> int:
    cpu_seconds, memory_mb, max_pages = (int(arg) for arg in sys.argv[1:4])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    sys.stdout.write(verdict(sys.stdin.buffer.read(), max_pages) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
