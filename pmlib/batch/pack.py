"""A quarter's committee pack: one report per committee, rendered by the batch machinery.

This is what ``pmlib run`` calls, and what the explorer's "render" button calls. It validates the
whole dataset *before* anything is rendered (bad data: every problem reported, nothing written),
resolves the period and committees, and hands :func:`pmlib.batch.runner.run_batch` one
:class:`~pmlib.batch.runner.ReportSpec` per committee with absolute folder paths as parameters, so a
report renders the same whatever folder it runs in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pmlib.core.errors import ParameterError
from pmlib.core.sources import is_file_source, source_location

NOTEBOOK = "committee_report.ipynb"
#: A committee report's work apart from its indicators (reading the data, the period's ratings,
#: the cover and appendix, the export), in indicators' worth: the demo's warm reports take
#: about 0.6 s plus 0.06 s an indicator. Only the order reports start in depends on it.
REPORT_FIXED = 10
DEFAULT_OUT = Path("outputs")
#: Imported by each report kernel while it starts, so the first report does not pay for them.
REPORT_PRELOAD = (
    "pmlib.reports.committee",
    "pmlib.data.validate",
    "pmlib.rating.engine",
    "pmlib.present.charts",
    "pmlib.present.theme",
    "pmlib.render.kernel:warm_charts",  # vl-convert's engine, started before the first report
)


@dataclass(frozen=True)
class PackPlan:
    """What a run will render: resolved before any work starts, so mistakes surface first."""

    period_label: str
    period_slug: str
    council: str
    committees: tuple[str, ...]
    titles: dict[str, str]
    public: tuple[str, ...]
    sizes: dict[str, int]
    data_dir: Path | str  # a folder, or a database URL
    params_dir: Path
    notebook: Path
    out_dir: Path
    status: str
    inputs: tuple[Path, ...] = ()
    #: final only: who signed the pack off, and whether unapproved figures may be shown
    #: (marked provisional; see pmlib.reports.signoff)
    signed_off_by: str = ""
    allow_unapproved: bool = False
    #: the figures shown before approval, as (indicator, period, status), when allowed
    provisional: tuple[tuple[str, str, str], ...] = ()
    #: committees not rendered because they do not receive this cycle: slug -> why
    skipped: dict[str, str] = field(default_factory=dict)
    #: every committee's audience ("public" or "internal"), for the index's labels
    audiences: dict[str, str] = field(default_factory=dict)
    #: the indicators each committee's report shows (ids): reports showing the same ones draw
    #: the same charts, so the batch runs them one after another (pmlib.batch.schedule)
    shown: dict[str, tuple[str, ...]] = field(default_factory=dict)


def find_notebook(
    name: str = NOTEBOOK, notebook_dir: Path | None = None, *, project: Path | None = None
) -> Path:
    """The report notebook: in ``notebook_dir``; else in ``./notebooks``; else in the
    ``notebooks`` folder of ``project`` (the folder holding the parameters folder); else the
    one pmlib ships.

    A council folder made by ``pmlib init`` renders its own (possibly edited) notebooks, whether
    ``pmlib run`` starts in it or the explorer does from its ``notebooks`` folder (whose
    parameters are ``../parameters``). An explicit ``notebook_dir`` must hold the notebook.
    """
    from pmlib.core.shipped import notebook_path

    if notebook_dir is not None:
        path = Path(notebook_dir) / name
        if not path.is_file():
            raise ParameterError(
                f"Report notebook {name} not found in {notebook_dir}. Fix: pass --notebooks DIR "
                f"pointing at the folder that holds {name}, or leave --notebooks out to use the "
                "notebook pmlib ships."
            )
        return path.resolve()
    folders = [Path.cwd() / "notebooks"] + ([Path(project) / "notebooks"] if project else [])
    for folder in folders:
        if (folder / name).is_file():
            return (folder / name).resolve()
    return notebook_path(name).resolve()


def plan_pack(
    period: str,
    *,
    committees: Sequence[str] | None = None,
    data_dir: str | Path | None = None,
    params_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    notebook_dir: str | Path | None = None,
    status: str = "draft",
    annual: bool = False,
    allow_unapproved: bool = False,
    signed_off_by: str | None = None,
    kind: str | None = None,
) -> PackPlan:
    """Validate the data and parameters and decide what to render. Writes nothing.

    ``kind`` is the report cycle: ``quarter`` (default), ``year`` (also ``annual=True``),
    ``month`` or ``half``. Only committees whose ``cycles`` (committees.yaml) include it are
    rendered; the others are listed in ``skipped`` with the reason. A committee named in
    ``committees`` is rendered whatever its cycles: it was asked for by name.

    Raises
    ------
    DataValidationError
        When the data has errors (all of them, in one message).
    ParameterError
        For an unknown committee, an unreadable or future period, or a missing notebook.
    SignOffError
        For a final pack showing a figure not yet approved, unless ``allow_unapproved``.
    """
    from pmlib.config.cycles import committees_for_cycle, parse_report_period
    from pmlib.config.settings import check_committee
    from pmlib.core.model import check_period_has_data
    from pmlib.data.validate import read_dataset

    if status not in ("draft", "final"):
        raise ParameterError(f"Status must be 'draft' or 'final', got {status!r}.")
    dataset = read_dataset(data_dir, params_dir)
    council = dataset.council
    kind = kind or ("year" if annual else "quarter")
    p = parse_report_period(period, kind, council.fy_start_month)
    check_period_has_data(dataset, p)
    slugs = list(dict.fromkeys(committees or dataset.settings.committees))
    unknown = [s for s in slugs if s not in dataset.settings.committees]
    if unknown:
        check_committee(dataset.settings, unknown[0])  # raises with the list of valid slugs
    skipped: dict[str, str] = {}
    if not committees:
        slugs, skipped = committees_for_cycle(dataset.settings.committees, kind)
    shown = {
        s: tuple(dataset.indicators_for(dataset.settings.committees[s], p)["id"].astype(str))
        for s in slugs
    }
    sizes = {s: len(ids) for s, ids in shown.items()}
    empty = [s for s in slugs if not sizes[s]]
    if empty:  # refuse now, not as a failed notebook cell per committee
        # lazy, here and in _check_signoff: the report module imports altair (~1 s), which
        # planning a draft pack never needs
        from pmlib.reports.committee import no_indicators_message

        raise ParameterError(no_indicators_message(dataset, dataset.settings.committees[empty[0]]))
    titles = {s: dataset.settings.committees[s].title for s in slugs}
    provisional = _check_signoff(dataset, slugs, p, status, allow_unapproved, signed_off_by)
    data_path = _data_dir(dataset)
    params_path = Path(dataset.settings.params_dir or params_dir or "parameters").resolve()
    nb = find_notebook(
        NOTEBOOK, Path(notebook_dir) if notebook_dir else None, project=params_path.parent
    )
    out = Path(out_dir) if out_dir else DEFAULT_OUT / p.slug
    inputs = _input_files(dataset, params_path)
    return PackPlan(
        period_label=p.label,
        period_slug=p.slug,
        council=council.name,
        committees=tuple(slugs),
        titles=titles,
        public=tuple(s for s in slugs if dataset.settings.committees[s].is_public),
        sizes=sizes,
        data_dir=data_path,
        params_dir=params_path,
        notebook=nb,
        out_dir=out.resolve(),
        status=status,
        inputs=inputs,
        signed_off_by=str(signed_off_by or "").strip(),
        allow_unapproved=allow_unapproved,
        provisional=provisional,
        skipped=skipped,
        audiences={
            s: "public" if c.is_public else "internal"
            for s, c in dataset.settings.committees.items()
        },
        shown=shown,
    )


def _check_signoff(
    dataset, slugs, period, status: str, allow_unapproved: bool, signed_off_by: str | None
) -> tuple[tuple[str, str, str], ...]:
    """Refuse a final pack with unapproved figures before anything renders (every report's
    figures listed at once); sign-off options only mean something for a final pack."""
    if status != "final":
        flags = [("--allow-unapproved", allow_unapproved), ("--signed-off-by", signed_off_by)]
        flag = next((name for name, given in flags if given), None)
        if flag:
            raise ParameterError(
                f"{flag} applies to a final report only. Fix: add --status final, or leave "
                f"{flag} out for a draft (a draft may show unapproved figures)."
            )
        return ()
    from pmlib.reports.committee import HISTORY_PERIODS
    from pmlib.reports.signoff import check_signoff

    committees = [dataset.settings.committees[s] for s in slugs]
    figures = check_signoff(
        dataset, committees, period, allow_unapproved=allow_unapproved, history=HISTORY_PERIODS
    )
    return tuple(zip(figures["indicator_id"], figures["period"], figures["status"], strict=True))


TABLE_SUFFIXES = (".csv", ".xlsx", ".parquet")


def _input_files(dataset, params_dir: Path) -> tuple[Path, ...]:
    """What a report reads: the four tables' files, the parameters, the benchmark files.

    Only these are hashed into the manifest and the skip check, so editing a README or a
    script that sits in the data folder does not re-render every report.
    """
    sources = dataset.sources.values()
    files = {Path(p).resolve() for p in sources if is_file_source(p)}
    files |= {p.resolve() for p in Path(params_dir).glob("*.yaml")}
    bench = dataset.council.benchmark_dir
    if bench and Path(bench).is_dir():
        files |= {
            p.resolve()
            for p in Path(bench).iterdir()
            if p.suffix.lower() in TABLE_SUFFIXES and not p.name.startswith((".", "~$"))
        }
    # a database's tables by the digest of their rows (pmlib.core.sources.DatabaseTable)
    tables = sorted((p for p in sources if not is_file_source(p)), key=str)
    return (*sorted(files), *tables)


def _data_dir(dataset) -> Path | str:
    sources = list(dataset.sources.values())
    if sources:
        first = sources[0]  # a file's folder, or the database's URL
        return Path(first).resolve().parent if is_file_source(first) else source_location(first)
    if dataset.council.data_dir:
        return Path(dataset.council.data_dir).resolve()
    raise ParameterError("Could not tell which data folder was read. Fix: pass --data DIR.")


def assemble_agenda_pack(plan: PackPlan, result) -> Path | None:
    """The agenda pack ``pack.pdf``: the public committees' reports as one tagged document.

    A cover, contents with each report's page range (and each exception's page), every public
    report without its own methodology appendix, then the methodology statements once, with
    continuous "Page n of N" and a bookmark per report and per exception
    (:func:`pmlib.pdf.pack_print.print_pack`). Internal committees' reports are never bound
    into it. Returns ``None`` when no public report was rendered.
    """
    import json
    from datetime import date

    from pmlib.core.words import long_date
    from pmlib.pdf.pack_html import PackReport
    from pmlib.pdf.pack_print import print_pack

    names = [
        r.name for r in result.reports if r.status in ("ok", "skipped") and r.name in plan.public
    ]
    if not names:
        return None
    manifest = json.loads(Path(result.manifest_path).read_text(encoding="utf-8"))
    titles = {r["name"]: r.get("title") or r["name"] for r in manifest.get("reports", [])}
    reports = [
        PackReport(n, titles.get(n, plan.titles.get(n, n)), plan.out_dir / f"{n}.html")
        for n in names
    ]
    period = plan.period_label
    status = "Final" if plan.status == "final" else "Draft – not for publication"
    committees = "; ".join(plan.titles.get(n, n) for n in names)
    printed = print_pack(
        plan.out_dir,
        reports,
        title=f"{plan.council}: performance reports {period}",
        council=plan.council,
        heading=f"Performance reports {period}: agenda pack",
        subtitle=(
            f"The public performance reports for {period}, one after another, then the "
            "methodology statements for every indicator they show, once."
        ),
        details=[
            ("Period", period),
            (f"Reports ({len(names)})", committees),
            ("Status", status),
            ("Built", long_date(date.today())),
        ],
    )
    _record_pack(result, printed.path, names, pages=printed.pages)
    return printed.path


def _record_pack(result, pack: Path, names: list[str], *, pages: int | None = None) -> None:
    """List the agenda pack in manifest.json (path, SHA-256, pages, reports) and link it from
    the index page, both rewritten atomically."""
    import json

    from pmlib.batch.manifest import render_index
    from pmlib.core.files import sha256_file, write_text_atomic

    manifest_path = Path(result.manifest_path)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["pack"] = {"path": pack.name, "sha256": sha256_file(pack), "reports": names}
    if pages is not None:
        manifest["pack"]["pages"] = pages
    write_text_atomic(manifest_path, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    write_text_atomic(Path(result.index_path), render_index(manifest, title=manifest["title"]))


def report_specs(plan: PackPlan) -> list:
    """One :class:`~pmlib.batch.runner.ReportSpec` per committee, parameters as plain JSON values."""
    from pmlib.batch.runner import ReportSpec

    return [
        ReportSpec(
            name=slug,
            title=f"{plan.titles[slug]}: {plan.period_label}",
            notebook=plan.notebook,
            parameters={
                "quarter": plan.period_label,
                "committee": slug,
                "data_dir": str(plan.data_dir),
                "params_dir": str(plan.params_dir),
                "status": plan.status,
                # only when set, so a council's own notebook without them still runs
                **({"allow_unapproved": True} if plan.allow_unapproved else {}),
                **({"signed_off_by": plan.signed_off_by} if plan.signed_off_by else {}),
            },
            weight=REPORT_FIXED + plan.sizes.get(slug, 1),
            shares=_shares(plan, slug),
        )
        for slug in plan.committees
    ]


def _shares(plan: PackPlan, slug: str) -> frozenset[str]:
    """What a committee's report shares with others (:attr:`ReportSpec.shares`): the charts of
    the indicators it shows, which depend on the data and the period (so two councils', or two
    quarters', reports share nothing)."""
    where = f"{plan.data_dir}|{plan.period_label}|"
    return frozenset(where + str(i) for i in (plan.shown or {}).get(slug, ()))


def run_pack(
    plan: PackPlan,
    *,
    formats: Sequence[str] = ("html",),
    jobs: int | None = None,
    force: bool = False,
    progress: bool = True,
    timeout: int | None = None,
    scheduler: str | None = None,
):
    """Render the plan's reports (skipping unchanged ones); returns the batch result.
    ``scheduler``: on a dask cluster instead of the local pool (:mod:`pmlib.batch.cluster`)."""
    from pmlib.batch.runner import run_batch
    from pmlib.render.kernel import DEFAULT_PRELOAD

    inputs = list(plan.inputs) or [plan.data_dir, plan.params_dir]
    return run_batch(
        report_specs(plan),
        plan.out_dir,
        jobs=jobs,
        force=force,
        inputs=inputs,
        formats=formats,
        extra_manifest={
            "council": plan.council,
            "period": plan.period_label,
            "status": plan.status,
            "committees": list(plan.committees),
            # who each report is for: the index labels and separates them
            "audience": plan.audiences
            or {s: "public" if s in plan.public else "internal" for s in plan.committees},
            **_signoff_record(plan),
        },
        title=f"{plan.council}: performance reports {plan.period_label}",
        timeout=timeout,
        cwd=plan.notebook.parent,
        progress=progress,
        preload=(*DEFAULT_PRELOAD, *REPORT_PRELOAD),
        scheduler=scheduler,
        # the kernels' zygote works out once what every report shares, then forks them
        warm=(WARM_SHARED, _warm_arguments(plan)),
    )


#: What a pack's reports share, worked out before its kernels are forked (run_pack).
WARM_SHARED = "pmlib.reports.committee:warm_shared"


def _warm_arguments(plan: PackPlan) -> dict[str, str]:
    """:data:`WARM_SHARED`'s arguments: the report parameters it shares with every report."""
    return {
        "quarter": plan.period_label,
        "data_dir": str(plan.data_dir),
        "params_dir": str(plan.params_dir),
    }


def _signoff_record(plan: PackPlan) -> dict:
    """A final pack's sign-off for manifest.json: who signed it off (``None`` if not said) and
    any figures shown provisional; nothing for a draft (its manifest is as before)."""
    if plan.status != "final":
        return {}
    return {
        "signed_off_by": plan.signed_off_by or None,
        "provisional": [{"indicator": i, "period": p, "status": s} for i, p, s in plan.provisional],
    }


__all__ = [
    "PackPlan",
    "assemble_agenda_pack",
    "find_notebook",
    "plan_pack",
    "report_specs",
    "run_pack",
]
