"""Draw the README's picture of a data return workbook, as Excel would show it.

Usage (from the repository root)::

    .venv/bin/python docs/make_return_picture.py

Makes the demo council's 2026/27 Q3 return for the Street Scene Manager (``pmlib returns
make``), types figures into it with openpyxl as an officer would (November's 90.5% is below the
92% target and no narrative is written yet), draws the Return sheet as an HTML table — the
cells' own fills, the grey read-only cells, the yellow input cells, the red "narrative
required" cells — and photographs it with the system Chromium into
``docs/img/return-workbook.png``. LibreOffice is not needed; the live formulas ("On target?",
"Narrative") are shown with the values Excel would compute, by pmlib's own off-target rule.
"""

from __future__ import annotations

import html
import shutil
import tempfile
from pathlib import Path

from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import sync_playwright

from pmlib.cli.init import scaffold
from pmlib.data.validate import read_dataset
from pmlib.returns.config import read_returns_settings
from pmlib.returns.due import off_target, quarter_of, return_rows
from pmlib.returns.make import make_returns

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "img" / "return-workbook.png"
OWNER = "Street Scene Manager"
SHOWN = [
    "ID", "Indicator", "Period", "Unit", "Better is", "Target", "Previous 4", "Previous 3",
    "Previous 2", "Previous 1", "Same period last year", "Value", "Numerator", "Denominator",
    "Status", "On target?", "Performance update", "Approach to improve", "Narrative", "Due by",
]  # fmt: skip
TYPED = {
    ("ENV06", "2026/27 Q3"): {"Value": 5.2},
    ("ENV09", "2026-10"): {"Value": 93.0, "Numerator": 93, "Denominator": 100},
    ("ENV09", "2026-11"): {"Value": 90.5, "Numerator": 181, "Denominator": 200},
}


def _colour(cell) -> str:
    rgb = cell.fill.fgColor.rgb if cell.fill and cell.fill.fill_type else None
    return f"#{rgb[-6:]}" if isinstance(rgb, str) and rgb != "00000000" else "#FFFFFF"


def _shown(value: object, fmt: str) -> str:
    if isinstance(value, float | int) and not isinstance(value, bool):
        decimals = fmt.count("0") - 1 if "." in fmt else 0
        return f"{value:.{max(decimals, 0)}f}"
    return "" if value is None else str(value)


def sheet_html(path: Path, rows) -> str:
    ws = load_workbook(path)["Return"]
    head = {c.value: c.column for c in ws[4]}
    info = {(r.indicator_id, r.period): r for r in rows.itertuples()}
    checks: dict[str, list[str]] = {}
    body = []
    for r in range(5, ws.max_row + 1):
        key = (ws.cell(r, head["ID"]).value, ws.cell(r, head["Period"]).value)
        if key not in info:
            continue
        row = info[key]
        value = ws.cell(r, head["Value"]).value
        check = ""
        if isinstance(value, float | int):
            off = off_target(float(value), row.target, row.lower, row.upper, row.polarity,
                             row.comparable)  # fmt: skip
            check = ("Off target" if off else "On target") if row.comparable else "Not judged"
        checks.setdefault(key[0], []).append(check)
        cells = []
        for title in SHOWN:
            cell = ws.cell(r, head[title])
            text = _shown(cell.value, cell.number_format)
            colour = _colour(cell)
            if title == "On target?":
                text = check
            elif title == "Narrative" and str(cell.value).startswith("="):
                text = "Required: off target" if "Off target" in checks[key[0]] else "Optional"
            elif (
                title in ("Performance update", "Approach to improve")
                and row.narrative_row
                and "Off target" in checks[key[0]]
                and not cell.value
            ):
                colour = "#F4B6B6"  # the conditional format Excel applies
            cls = "num" if isinstance(cell.value, float | int) else ""
            cells.append(f'<td class="{cls}" style="background:{colour}">{html.escape(text)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    title = html.escape(str(ws["B1"].value))
    sub = html.escape(str(ws["B2"].value))
    heads = "".join(f"<th>{html.escape(t)}</th>" for t in SHOWN)
    return f"""<!doctype html><meta charset="utf-8"><style>
body {{ font: 13px Calibri, Carlito, Arial, sans-serif; margin: 12px; background: #fff; }}
h1 {{ font-size: 18px; margin: 0 0 4px; }} p {{ margin: 0 0 10px; }}
table {{ border-collapse: collapse; }}
th {{ background: #1F4E79; color: #fff; text-align: left; vertical-align: top; padding: 4px;
     border: 1px solid #999; max-width: 110px; }}
td {{ border: 1px solid #BFBFBF; padding: 4px; vertical-align: top; max-width: 190px;
     height: 36px; }}
td.num {{ text-align: right; }}
.tabs span {{ display: inline-block; padding: 3px 12px; border: 1px solid #999; margin-right: 2px;
             background: #eee; }} .tabs span.on {{ background: #fff; font-weight: bold; }}
</style><h1>{title}</h1><p>{sub}</p><table><tr>{heads}</tr>{"".join(body)}</table>
<p class="tabs" style="margin-top:10px"><span>Instructions</span><span class="on">Return</span></p>
"""


def main() -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        folder = scaffold(Path(tmp) / "northmoor", demo=True)
        data, params = folder / "data", folder / "parameters"
        ds = read_dataset(data, params)
        q = quarter_of("2026/27 Q3", ds)
        (made,) = make_returns(ds, q, Path(tmp) / "returns", read_returns_settings(params),
                               owners=[OWNER])  # fmt: skip
        wb = load_workbook(made.path)
        ws = wb["Return"]
        head = {c.value: c.column for c in ws[4]}
        for r in range(5, ws.max_row + 1):
            key = (ws.cell(r, head["ID"]).value, ws.cell(r, head["Period"]).value)
            for title, value in TYPED.get(key, {}).items():
                ws.cell(r, head[title]).value = value
        wb.save(made.path)
        page = Path(tmp) / "return.html"
        page.write_text(sheet_html(made.path, return_rows(ds, q, owners=[OWNER])), "utf-8")
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            tab = browser.new_page(viewport={"width": 1900, "height": 400})
            tab.goto(page.as_uri())
            tab.screenshot(path=str(OUT), full_page=True)
            browser.close()
    with Image.open(OUT) as im:
        im.convert("P", palette=Image.Palette.ADAPTIVE, colors=128).save(OUT, optimize=True)
    return OUT


if __name__ == "__main__":
    print(main())
