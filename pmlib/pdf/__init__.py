"""Print rendered HTML reports to tagged PDF with Chromium and join them into a pack.

May import pmlib.core and pmlib.render.
"""

from pmlib.core.deprecation import moved_names

#: Names importable from the package itself (loaded on first use).
_NAMES = {
    "CHROMIUM_ENV": "pmlib.pdf.chromium",
    "INSTALL_HINT": "pmlib.pdf.chromium",
    "assemble_pack": "pmlib.pdf.pack",
    "close_browser": "pmlib.pdf.chromium",
    "find_chromium": "pmlib.pdf.chromium",
    "print_html_file": "pmlib.pdf.chromium",
    "require_pdf_support": "pmlib.pdf.chromium",
    "warm_up": "pmlib.pdf.chromium",
    "write_index_pdf": "pmlib.pdf.chromium",
    "write_pdf": "pmlib.pdf.chromium",
}

__getattr__ = moved_names(__name__, _NAMES)
__all__ = sorted(_NAMES)
