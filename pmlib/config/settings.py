"""The parameters folder: ``council.yaml``, ``committees.yaml``, ``rag_schemes.yaml``.

Configuration is data under version control. This module turns it into frozen settings and
reports every problem in it at once (file, key, value, fix), like the data loader does.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pmlib.config.cycles import read_bank_holidays, read_cycles, read_deadline
from pmlib.config.database import read_data_source, read_table_queries
from pmlib.config.plan import PLAN_KEYS, read_plan
from pmlib.config.rules import parse_exception_rule, parse_on_target
from pmlib.config.schemes import read_rag_schemes
from pmlib.config.templates import read_meetings, read_narrative_headings
from pmlib.config.yaml import read_yaml
from pmlib.core.errors import DataValidationError, ParameterError, Problem
from pmlib.core.model import Committee, Council, Settings

#: Where pmlib looks when no --params is given: ./parameters in the current folder.
DEFAULT_PARAMS_DIR = Path("parameters")

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_COUNCIL_KEYS = {
    "name",
    "short_name",
    "area_code",
    "fy_start_month",
    "rag_scheme",
    "dot_tolerance",
    "data_dir",
    "submission_deadline_days",
    "submission_deadline",
    "bank_holidays",
    "benchmark_dir",
    "peer_group",
    "exceptions",
    "on_target",
}
_COMMITTEE_KEYS = {
    "slug",
    "title",
    "audience",
    "all_indicators",
    "priorities",
    "indicators",
    "exceptions",
    "on_target",
    "cycles",
}
_COUNCIL_KEYS |= {"narrative_headings"}  # pmlib.config.templates
_COUNCIL_KEYS |= PLAN_KEYS  # actions:, risks:, finance: (pmlib.config.plan)
_COUNCIL_KEYS |= {"tables"}  # a database's tables, views or queries (pmlib.config.database)
_COMMITTEE_KEYS |= {"meetings"}  # pmlib.config.templates


def _resolve(base: Path, value: Any) -> Path | None:
    if value in (None, ""):
        return None
    p = Path(str(value)).expanduser()
    return p if p.is_absolute() else (base / p).resolve()


def _council(path: Path, raw: Any, problems: list[Problem]) -> Council:
    f = path.name
    if not isinstance(raw, dict):
        problems.append(
            Problem(
                f,
                "expected a mapping of settings (name: ..., ...)",
                "see docs/data-format.md#parameters",
            )
        )
        return Council(name="")
    for key in sorted(set(raw) - _COUNCIL_KEYS):
        problems.append(
            Problem(
                f,
                "unknown setting",
                f"remove it or use one of {', '.join(sorted(_COUNCIL_KEYS))}",
                column=key,
            )
        )
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(
            Problem(
                f,
                "the council's name is required",
                "add `name: <Council name>`",
                column="name",
                value=name,
            )
        )
        name = ""
    start = raw.get("fy_start_month", 4)
    if not isinstance(start, int) or not 1 <= start <= 12:
        problems.append(
            Problem(
                f,
                "must be a month number 1-12",
                "use 4 for April",
                column="fy_start_month",
                value=start,
            )
        )
        start = 4
    tol = raw.get("dot_tolerance", 0.0)
    if not isinstance(tol, int | float) or isinstance(tol, bool) or tol < 0:
        problems.append(
            Problem(
                f,
                "must be a number >= 0 (a fraction, 0.01 = 1%)",
                "e.g. dot_tolerance: 0.01",
                column="dot_tolerance",
                value=tol,
            )
        )
        tol = 0.0
    days, deadline = read_deadline(f, raw, problems)
    return Council(
        name=name.strip(),
        short_name=str(raw.get("short_name") or name).strip(),
        area_code=str(raw.get("area_code") or ""),
        fy_start_month=start,
        rag_scheme=str(raw.get("rag_scheme") or "south-derbyshire"),
        dot_tolerance=float(tol),
        data_dir=read_data_source(path, raw, problems),
        tables=read_table_queries(path, raw, problems),
        submission_deadline_days=days,
        submission_deadline=deadline,
        bank_holidays=read_bank_holidays(f, raw, problems),
        benchmark_dir=_resolve(path.parent, raw.get("benchmark_dir")),
        peer_group=str(raw.get("peer_group") or ""),
        narrative_headings=read_narrative_headings(f, raw.get("narrative_headings"), problems),
        plan=read_plan(f, raw, problems),
        **_conventions(f, "", raw, problems),
    )


def _conventions(f: str, where: str, raw: dict, problems: list[Problem]) -> dict[str, Any]:
    """``exceptions:`` and ``on_target:`` (pmlib.config.rules), as keyword arguments; a key
    left out is not passed, so the council's default (or, for a committee, inheriting) holds."""
    out: dict[str, Any] = {}
    rule = parse_exception_rule(raw.get("exceptions"), f, f"{where}exceptions", problems)
    if rule is not None:
        out["exceptions"] = rule
    on_target = parse_on_target(raw.get("on_target"), f, f"{where}on_target", problems)
    if on_target is not None:
        out["on_target"] = on_target
    return out


def _str_list(f: str, where: str, value: Any, problems: list[Problem]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        problems.append(
            Problem(
                f,
                "expected a list of names",
                "write [A, B] or one per line with '- '",
                column=where,
                value=value,
            )
        )
        return ()
    return tuple(str(v) for v in value)


def _committees(path: Path, raw: Any, problems: list[Problem]) -> dict[str, Committee]:
    f = path.name
    items = raw.get("committees") if isinstance(raw, dict) else None
    if not isinstance(items, list) or not items:
        problems.append(
            Problem(
                f,
                "expected a top-level `committees:` list with at least one committee",
                "see docs/data-format.md#parameters",
            )
        )
        return {}
    out: dict[str, Committee] = {}
    for i, item in enumerate(items, start=1):
        where = f"committees[{i}]"
        if not isinstance(item, dict):
            problems.append(
                Problem(f, "expected a mapping with slug and title", "", column=where, value=item)
            )
            continue
        for key in sorted(set(item) - _COMMITTEE_KEYS):
            problems.append(
                Problem(
                    f,
                    "unknown key",
                    f"use one of {sorted(_COMMITTEE_KEYS)}",
                    column=f"{where}.{key}",
                )
            )
        slug = str(item.get("slug", ""))
        if not _SLUG.match(slug):
            problems.append(
                Problem(
                    f,
                    "a slug must be lower-case letters, digits and hyphens",
                    "e.g. slug: environment",
                    column=f"{where}.slug",
                    value=slug,
                )
            )
            continue
        if slug in out:
            problems.append(
                Problem(
                    f,
                    "duplicate committee slug",
                    "give each committee its own slug",
                    column=f"{where}.slug",
                    value=slug,
                )
            )
        audience = str(item.get("audience", "public")).strip().lower()
        if audience not in ("public", "internal"):
            problems.append(
                Problem(
                    f,
                    "audience must be public or internal",
                    "write audience: public (never shown internal indicators) or "
                    "audience: internal",
                    column=f"{where}.audience",
                    value=audience,
                )
            )
            audience = "public"
        committee = Committee(
            slug=slug,
            title=str(item.get("title") or slug),
            audience=audience,
            all_indicators=bool(item.get("all_indicators", False)),
            priorities=_str_list(f, f"{where}.priorities", item.get("priorities"), problems),
            indicators=_str_list(f, f"{where}.indicators", item.get("indicators"), problems),
            meetings=read_meetings(f, where, item.get("meetings"), problems),
            **_conventions(f, f"{where}.", item, problems),
            cycles=read_cycles(f, where, item.get("cycles"), problems),
        )
        if not (committee.all_indicators or committee.priorities or committee.indicators):
            # Indicators may still name this committee in their `committees` column.
            pass
        out[slug] = committee
    return out


def read_settings(params_dir: Path | str | None = None) -> Settings:
    """Read and check the parameters folder; raise once with every problem found."""

    base = Path(params_dir) if params_dir is not None else DEFAULT_PARAMS_DIR
    if not base.is_dir():
        raise ParameterError(
            f"Parameters folder {base} not found. Fix: pass --params DIR pointing at the folder "
            f"holding council.yaml, committees.yaml and rag_schemes.yaml."
        )
    base = base.resolve()
    problems: list[Problem] = []
    council = _council(base / "council.yaml", read_yaml(base / "council.yaml"), problems)
    committees = _committees(
        base / "committees.yaml", read_yaml(base / "committees.yaml"), problems
    )
    schemes, scheme_problems = read_rag_schemes(base / "rag_schemes.yaml")
    problems += scheme_problems
    # a scheme that is defined but has errors is reported once, not again as "unknown"
    broken = {
        str(p.column).split(".")[1]
        for p in scheme_problems
        if p.column and str(p.column).startswith("schemes.") and str(p.column).count(".") >= 1
    }
    if schemes and council.rag_scheme not in schemes and council.rag_scheme not in broken:
        problems.append(
            Problem(
                "council.yaml",
                "unknown RAG scheme",
                f"use one of {', '.join(sorted(schemes))} or define it in rag_schemes.yaml",
                column="rag_scheme",
                value=council.rag_scheme,
            )
        )
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataValidationError(problems)
    return Settings(council=council, committees=committees, schemes=schemes, params_dir=base)


def check_committee(settings: Settings, committee: str) -> Committee:
    """Return the committee with this slug, or explain which slugs exist."""
    if committee not in settings.committees:
        known = ", ".join(sorted(settings.committees))
        raise ParameterError(
            f"Unknown committee {committee!r}. Fix: use one of the slugs in committees.yaml: "
            f"{known}."
        )
    return settings.committees[committee]
