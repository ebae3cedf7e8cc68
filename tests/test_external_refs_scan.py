"""The offline check's scan (pmlib.render.html.find_external_refs) looks only at tags holding
``//`` but finds exactly what visiting every tag finds, on any text: checked against that
plain definition on generated markup full of the awkward cases (stray ``<`` and ``>``, script
bodies, links, CSS, unclosed tags)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pmlib.render import html
from pmlib.render.html import find_external_refs


def _every_tag(page: str) -> list[str]:
    """The definition: every tag's resource attributes, then CSS imports and ``url()``."""
    text = html._SCRIPT_BODY.sub(r"\1\2", page)
    found: list[str] = []
    for tag in html._TAG.finditer(text):
        if tag.group(1).lower() in ("a", "area"):
            continue
        found += [m.group(2) for m in html._URL_ATTR.finditer(tag.group(2))]
    found += [m.group(1) for m in html._CSS_URL.finditer(text)]
    return found


PIECES = st.sampled_from([
    "<", ">", "/", "//", " ", "=", '"', "'", "<img", "<IMG", "<a", "<area", "<svg", "<x-y-",
    " src=", " href=", " xlink:href=", " data=", "http:", "https:", "//cdn.example/x.js",
    "//h/i.png", "<script>", "</script>", "<script src=//s.example/a.js>", "url(", "@import ",
    ")", ";", "text", "<!-- ", " -->", "\n", "b", "-", ":", "<link rel=stylesheet href=",
])  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_the_scan_finds_what_visiting_every_tag_finds(page):
    assert find_external_refs(page) == _every_tag(page)


def test_a_page_of_charts_with_one_remote_image_among_them():
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><g><path d="M0,0"/></g></svg>'
    page = (
        f"<html><body>{svg * 50}<p>see //x and <a href='https://ok.example'>a link</a></p>"
        f'<img alt="x" src="https://img.example/a.png">{svg * 50}</body></html>'
    )
    assert find_external_refs(page) == ["https://img.example/a.png"] == _every_tag(page)
