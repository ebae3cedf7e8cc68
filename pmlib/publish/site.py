"""``pmlib publish``: a quarter's public website folder, built from the quarter's batch run.

The run output (``outputs/<quarter>/``) is the council's internal working view: every
committee's report, notebooks, the manifest, ``provenance.json``. A website needs something
else: only the public committees' reports, nothing that names a server or a build, open data
described well enough to reuse, and pages that work from any folder of any web server. So
:func:`publish_quarter`

1. plans the quarter as ``pmlib run`` does, keeps the public committees only, and runs (or,
   when nothing changed, reuses) their reports as HTML and PDF in the run folder;
2. builds the site in a temporary folder beside the destination: the reports' HTML and PDF
   (and ``pack.pdf`` when the run's agenda pack is current), ``data/`` (each report's CSV
   files and the quarter's public dataset, :mod:`pmlib.publish.opendata`, described by
   ``datapackage.json``, :mod:`pmlib.publish.datapackage`), the landing page ``index.html``
   (:mod:`pmlib.publish.landing`) and ``sitemap.xml``;
3. checks it: ``frictionless`` validates the data package, and :mod:`pmlib.publish.check`
   looks through every file for server paths, hashes and anything internal;
4. only then replaces the destination folder (so a failed publication leaves the last good
   site in place) and records what it published in the run's ``provenance.json``.

Every link in the site is relative, so the folder can be copied anywhere (``docs/publishing.md``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from pmlib.core.errors import ParameterError, RenderError

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_SITE", "SiteResult", "publish_quarter"]

#: Where sites go by default: one folder per quarter (``site/2026-27-Q2``).
DEFAULT_SITE = Path("site")
#: The public dataset's files: name -> (title, description), in landing-page order.
DATASET_FILES = {
    "indicators": (
        "Indicators",
        "Every indicator in the public reports: its definition, Council Plan priority, unit, "
        "polarity (whether higher or lower is better), frequency and data source.",
    ),
    "ratings": (
        "Ratings",
        "Each indicator's value for the quarter with its target, RAG rating and the reason "
        "for it, Direction of Travel and year-end forecast.",
    ),
    "targets": (
        "Targets",
        "The financial year's targets, one row per indicator and target period.",
    ),
    "commentary": (
        "Commentary",
        "What officers say about each indicator the reports explain: performance, what is "
        "being done, plans, issues and risks.",
    ),
}
#: How the foreign keys of the public dataset point at its indicators.
_TO_INDICATORS = [("indicator_id", "indicators", "id")]


@dataclass(frozen=True)
class SiteResult:
    """What a publication produced."""

    site: Path
    run_dir: Path
    reports: tuple[str, ...]
    files: tuple[str, ...]
    pack: bool
    rendered: int
    reused: int


def publish_quarter(
    quarter: str,
    *,
    out: str | Path | None = None,
    data_dir: str | Path | None = None,
    params_dir: str | Path | None = None,
    run_dir: str | Path | None = None,
    notebook_dir: str | Path | None = None,
    status: str = "final",
    allow_unapproved: bool = False,
    signed_off_by: str | None = None,
    pack: bool = False,
    base_url: str | None = None,
    jobs: int | None = None,
    force: bool = False,
    progress: bool = True,
) -> SiteResult:
    """Build the public site for ``quarter`` (see the module docstring).

    Parameters
    ----------
    out
        The site folder (default ``site/<quarter slug>``); replaced as a whole.
    run_dir
        The batch run folder (default ``outputs/<quarter slug>``, as ``pmlib run``).
    status, allow_unapproved, signed_off_by
        As for ``pmlib run``; a site is published from ``final`` reports, a ``draft`` site
        is a preview and says so on every page.
    pack
        Also bind (or re-bind) the agenda pack and publish it as ``pack.pdf``. Without it, an
        agenda pack already in the run folder is published when it is current.
    base_url
        The address the folder will be served from (e.g.
        ``https://www.example.gov.uk/performance/2026-27-q2/``): the sitemap then lists full
        addresses, as search engines require. Links in the pages stay relative.

    Raises
    ------
    ParameterError
        No public committee receives a report this quarter, or a bad ``base_url``.
    RenderError
        A report failed, or the site failed its checks (nothing is replaced then).
    """
    from pmlib.batch.pack import assemble_agenda_pack, plan_pack, run_pack
    from pmlib.pdf.chromium import require_pdf_support

    if base_url is not None and not base_url.startswith(("https://", "http://")):
        raise ParameterError(
            f"--base-url must be a full web address starting https://, got {base_url!r}."
        )
    plan = plan_pack(
        quarter, data_dir=data_dir, params_dir=params_dir, out_dir=run_dir,
        notebook_dir=notebook_dir, status=status, allow_unapproved=allow_unapproved,
        signed_off_by=signed_off_by, kind="quarter",
    )  # fmt: skip
    if not plan.public:
        raise ParameterError(
            f"No public committee receives a report for {plan.period_label}, so there is "
            "nothing to publish. Fix: mark the committees whose reports are published "
            "`audience: public` in committees.yaml."
        )
    plan = replace(plan, committees=plan.public)
    require_pdf_support()  # a site offers every report as a PDF too
    result = run_pack(plan, formats=["html", "pdf"], jobs=jobs, force=force, progress=progress)
    if result.failed:
        names = ", ".join(r.name for r in result.failed)
        raise RenderError(
            f"Not published: the report(s) for {names} failed. Fix the problem shown in "
            f"{result.manifest_path} (and notebooks/<committee>.failed.ipynb), then publish again."
        )
    pack_pdf = assemble_agenda_pack(plan, result) if pack else None
    site = Path(out) if out else DEFAULT_SITE / plan.period_slug
    site = site.resolve()
    site.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{site.name}.", suffix=".building", dir=site.parent))
    try:
        files = _build(plan, result, build, pack_pdf, base_url)
        _swap(build, site)
    finally:
        if build.exists():
            shutil.rmtree(build, ignore_errors=True)
    _record(plan.out_dir, site, files)
    statuses = [r.status for r in result.reports]
    return SiteResult(
        site=site,
        run_dir=plan.out_dir,
        reports=tuple(plan.public),
        files=tuple(files),
        pack=(site / "pack.pdf").exists(),
        rendered=statuses.count("ok"),
        reused=statuses.count("skipped"),
    )


def _build(plan, result, build: Path, pack_pdf: Path | None, base_url: str | None) -> list[str]:
    """Write the whole site into ``build``, check it, and return its files (relative paths)."""
    import json

    from pmlib.core.csv_out import write_csv
    from pmlib.core.files import write_text_atomic
    from pmlib.core.periods import parse_period
    from pmlib.core.version import __version__
    from pmlib.data.validate import read_dataset
    from pmlib.publish.check import internal_texts, site_problems
    from pmlib.publish.datapackage import datapackage, validation_errors
    from pmlib.publish.landing import LandingReport, file_size, landing_html
    from pmlib.publish.opendata import public_data
    from pmlib.reports.cover import period_meeting

    dataset = read_dataset(plan.data_dir, plan.params_dir)
    council = dataset.council
    period = parse_period(plan.period_label, council.fy_start_month)
    committees = [dataset.settings.committees[s] for s in plan.public]
    public = public_data(dataset, committees, period)
    manifest = json.loads(Path(result.manifest_path).read_text(encoding="utf-8"))
    entries = {e["name"]: e for e in manifest.get("reports", [])}
    (build / "data").mkdir()

    reports: list[LandingReport] = []
    report_files: list[Any] = []
    resources: list[dict[str, Any]] = []
    for c in committees:
        entry = entries[c.slug]
        paths = {f["path"]: f.get("kind") for f in entry.get("files", [])}
        html = next(p for p, k in paths.items() if k == "html")
        pdf = next((p for p, k in paths.items() if k == "pdf"), None)
        for rel in (html, pdf):
            if rel:
                shutil.copyfile(plan.out_dir / rel, build / rel)
        data_files = []
        for rel in (p for p, k in paths.items() if k == "data"):
            shutil.copyfile(plan.out_dir / rel, build / rel)
            table = Path(rel).stem.removeprefix(c.slug).lstrip("-") or "scorecard"
            title = f"{table.replace('_', ' ').capitalize()} data"
            desc = f"The {table.replace('_', ' ')} table of the {c.title} report, as it prints it."
            resources.append({"path": Path(rel).name, "title": f"{c.title}: {title}",
                              "description": desc})  # fmt: skip
            data_files.append(_file(build, rel, title, desc))
            report_files.append(_file(build, rel, f"{c.title}: {table.replace('_', ' ')}", desc))
        meeting = period_meeting(council, c, period)
        reports.append(
            LandingReport(
                slug=c.slug,
                title=c.title,
                summary=entry.get("summary") or {},
                html=html,
                pdf=pdf,
                pdf_size=file_size((build / pdf).stat().st_size) if pdf else "",
                data=tuple(data_files),
                meeting=_meeting_words(meeting),
            )
        )

    dataset_files = []
    for name, frame in public.tables().items():
        rel = f"data/{name}.csv"
        write_csv(frame, build / rel)
        title, desc = DATASET_FILES[name]
        keys = {"primary_key": ["id"]} if name == "indicators" else {"foreign_keys": _TO_INDICATORS}
        resources.append({"path": f"{name}.csv", "title": title, "description": desc, **keys})
        dataset_files.append(_file(build, rel, title, desc, rows=len(frame)))

    now = dt.datetime.now().replace(microsecond=0)
    slug = f"{council.short_name or council.name}-performance-{period.slug}".lower()
    package = datapackage(
        name="".join(ch if ch.isalnum() else "-" for ch in slug).strip("-"),
        title=f"{council.name}: performance indicators, {period.label}",
        description=(
            f"The figures behind {council.name}'s public performance reports for "
            f"{period.label} ({period.start_date.isoformat()} to {period.end_date.isoformat()})."
        ),
        publisher=council.name,
        created=now.astimezone().isoformat(),
        resources=resources,
        folder=build / "data",
    )
    package_path = build / "data" / "datapackage.json"
    write_text_atomic(package_path, json.dumps(package, indent=2, ensure_ascii=False) + "\n")

    pack_file = None
    pack_src = pack_pdf or _current_pack(plan.out_dir, manifest, plan.public)
    if pack_src is not None:
        shutil.copyfile(pack_src, build / "pack.pdf")
        pack_file = _file(
            build, "pack.pdf", "All the reports in one document (the agenda pack)",
            f"the {len(plan.public)} reports above with a contents page, for printing.",
        )  # fmt: skip

    data_as_at = _data_as_at(dataset, public.ratings["indicator_id"], period)
    page = landing_html(
        council=council.name,
        period_label=period.label,
        period_start=period.start_date,
        period_end=period.end_date,
        published=now.date(),
        data_as_at=data_as_at,
        ratings=public.ratings,
        reports=reports,
        open_data=dataset_files,
        report_data=report_files,
        package=_file(build, "data/datapackage.json", "datapackage.json", "", rows=None),
        pack=pack_file,
        version=__version__,
        draft=plan.status != "final",
    )
    write_text_atomic(build / "index.html", page)
    pages = ["index.html", *[r.html for r in reports], *[r.pdf for r in reports if r.pdf]]
    pages += ["pack.pdf"] if pack_file else []
    write_text_atomic(build / "sitemap.xml", sitemap_xml(pages, base_url, now.date()))

    problems = [f"data/datapackage.json: {e}" for e in validation_errors(package_path)]
    secrets = internal_texts(dataset, public.indicators["id"]) + _server_paths(plan, build)
    problems += site_problems(build, secrets)
    if problems:
        raise RenderError(
            "Not published: the site failed its checks (the published folder was left as it "
            "was).\n  " + "\n  ".join(problems[:20])
        )
    return sorted(p.relative_to(build).as_posix() for p in build.rglob("*") if p.is_file())


def _file(build: Path, rel: str, title: str, description: str, *, rows: int | None = None) -> Any:
    from pmlib.publish.landing import OpenDataFile, file_size

    size = file_size((build / rel).stat().st_size)
    return OpenDataFile(path=rel, title=title, description=description, rows=rows, size=size)


def _meeting_words(meeting: Any) -> str:
    """ "12 November 2026 (agenda item 8)", or "" without a meeting."""
    from pmlib.core.words import long_date

    if meeting is None:
        return ""
    item = f" (agenda item {meeting.agenda_item})" if meeting.agenda_item else ""
    return f"{long_date(meeting.date)}{item}"


def _data_as_at(dataset: Any, ids: Any, period: Any) -> str:
    """The latest collection or approval of a published figure this financial year, in words
    (as each report's cover and footer say it for its own indicators)."""
    from pmlib.core.words import long_date

    act = dataset.actuals
    act = act[act["indicator_id"].isin(set(ids)) & act["fy"].eq(period.fy)]
    latest = act[["collected_at", "approved_at"]].max().max()
    return long_date(latest)


def _current_pack(run_dir: Path, manifest: dict[str, Any], public: tuple[str, ...]) -> Path | None:
    """The run's agenda pack when it can be published as it is: recorded in the manifest with
    the hash it still has, binding exactly the public reports, and newer than each of their
    PDFs (a report re-rendered since would be missing from it)."""
    from pmlib.core.files import sha256_file

    record = manifest.get("pack") or {}
    path = run_dir / str(record.get("path") or "pack.pdf")
    if not record or not path.is_file() or sha256_file(path) != record.get("sha256"):
        return None
    if sorted(record.get("reports") or []) != sorted(public):
        return None
    newest = max(
        (
            (run_dir / f"{name}.pdf").stat().st_mtime
            for name in public
            if (run_dir / f"{name}.pdf").exists()
        ),
        default=0.0,
    )
    return path if path.stat().st_mtime >= newest else None


def _server_paths(plan: Any, build: Path) -> list[str]:
    """Folders whose names must never appear in the site (as the server knows them)."""
    folders = {plan.data_dir, plan.params_dir, plan.out_dir, plan.notebook.parent, build,
               Path.cwd(), Path.home()}  # fmt: skip
    texts = set()
    for f in folders:
        with contextlib.suppress(OSError, RuntimeError):
            texts |= {str(Path(f)), str(Path(f).resolve()), Path(f).resolve().as_uri()}
    return sorted(t for t in texts if len(t) > 1)  # never "/" itself


def sitemap_xml(pages: list[str], base_url: str | None, when: dt.date) -> str:
    """``sitemap.xml`` (sitemaps.org): every page and PDF with the day it was published.

    The protocol wants full addresses; without ``base_url`` the entries are relative to the
    sitemap itself, which is enough for a site search tool and is corrected by passing
    ``--base-url`` once the address is known.

    >>> print(sitemap_xml(["index.html"], "https://x.gov.uk/q2", dt.date(2026, 12, 2)))
    ... # doctest: +NORMALIZE_WHITESPACE
    <?xml version="1.0" encoding="UTF-8"?>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url><loc>https://x.gov.uk/q2/index.html</loc><lastmod>2026-12-02</lastmod></url>
    </urlset>
    """
    base = (base_url.rstrip("/") + "/") if base_url else ""
    rows = [
        f"<url><loc>{xml_escape(base + p)}</loc><lastmod>{when.isoformat()}</lastmod></url>"
        for p in pages
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(rows)
        + "\n</urlset>\n"
    )


def _swap(build: Path, site: Path) -> None:
    """Put the built folder in the site's place; the old site is removed only after."""
    old = None
    if site.exists():
        old = site.with_name(f".{site.name}.old")
        if old.exists():
            shutil.rmtree(old)
        site.rename(old)
    build.rename(site)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _record(run_dir: Path, site: Path, files: list[str]) -> None:
    """What was published, in the run's ``provenance.json`` (path and SHA-256 of each file)."""
    from pmlib.batch.provenance import add_publication
    from pmlib.core.files import sha256_file

    add_publication(
        run_dir,
        {
            "published": dt.datetime.now().replace(microsecond=0).isoformat(),
            "site": str(site),
            "files": [
                {
                    "path": rel,
                    "sha256": sha256_file(site / rel),
                    "bytes": (site / rel).stat().st_size,
                }
                for rel in files
            ],
        },
    )
