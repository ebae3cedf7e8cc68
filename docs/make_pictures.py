"""Rebuild the README's pictures from a real run of the demo quarter.

Usage (from the repository root, after ``make report``)::

    .venv/bin/python docs/make_pictures.py [outputs/2026-27-Q2]

Writes ``docs/img/report.png`` (the top of the Environment committee's HTML report, as Chromium
draws it), ``docs/img/report-phone.png`` (its contents and scorecard on a 390 px wide phone)
and ``docs/img/report-pdf.png`` (pages 1-3 and an exception page of its PDF side by side). The explorer's picture comes from ``PMLIB_SCREENSHOTS=1 pytest tests/test_explore.py``.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
IMG = ROOT / "docs" / "img"


def html_picture(page_path: Path, out: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 2100})
        page.goto(page_path.as_uri())
        page.wait_for_function("document.documentElement.dataset.pmlibCharts === 'done'")
        page.screenshot(path=str(out))
        browser.close()
    with Image.open(out) as im:
        im.convert("P", palette=Image.Palette.ADAPTIVE, colors=128).save(out, optimize=True)


def phone_picture(page_path: Path, out: Path) -> None:
    """The report as a phone shows it (390 px wide): from the contents to the scorecard."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
        page.goto(page_path.as_uri())
        page.wait_for_function("document.documentElement.dataset.pmlibCharts === 'done'")
        top = page.evaluate("document.querySelector('.pmlib-contents').getBoundingClientRect().top")
        card = page.evaluate(
            "document.querySelector('.pmlib-scorecard').getBoundingClientRect().top"
        )
        # two screens side by side: the contents, and the top of the scorecard
        shots = []
        for y in (top - 16, card - 220):
            page.evaluate(f"window.scrollTo(0, {y})")
            shots.append(Image.open(io.BytesIO(page.screenshot())).convert("RGB"))
        browser.close()
    gap = 24
    sheet = Image.new(
        "RGB", (2 * shots[0].width + 3 * gap, shots[0].height + 2 * gap), (222, 224, 226)
    )
    for i, shot in enumerate(shots):
        sheet.paste(shot, (gap + i * (shot.width + gap), gap))
    sheet = sheet.resize((sheet.width // 2, sheet.height // 2), Image.Resampling.LANCZOS)
    sheet.convert("P", palette=Image.Palette.ADAPTIVE, colors=128).save(out, optimize=True)


def pdf_picture(pdf_path: Path, out: Path, pages: tuple[int, ...]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        images = []
        for n in pages:
            prefix = Path(tmp) / f"p{n}"
            subprocess.run(
                ["pdftoppm", "-png", "-r", "50", "-f", str(n), "-l", str(n), "-singlefile",
                 str(pdf_path), str(prefix)],
                check=True,
            )  # fmt: skip
            images.append(Image.open(f"{prefix}.png").convert("RGB"))
        gap = 16
        width = sum(i.width for i in images) + gap * (len(images) + 1)
        height = max(i.height for i in images) + 2 * gap
        sheet = Image.new("RGB", (width, height), (222, 224, 226))
        x = gap
        for image in images:
            sheet.paste(image, (x, gap))
            x += image.width + gap
        sheet.convert("P", palette=Image.Palette.ADAPTIVE, colors=128).save(out, optimize=True)


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "outputs" / "2026-27-Q2"
    IMG.mkdir(parents=True, exist_ok=True)
    html_picture(folder / "environment.html", IMG / "report.png")
    phone_picture(folder / "environment.html", IMG / "report-phone.png")
    pdf_picture(folder / "environment.pdf", IMG / "report-pdf.png", (1, 2, 3, 4))
    print(f"wrote {IMG / 'report.png'}, {IMG / 'report-phone.png'} and {IMG / 'report-pdf.png'}")


if __name__ == "__main__":
    main()
