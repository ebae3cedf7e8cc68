"""Peer groups: named lists of area codes (``nearest-neighbours``, ``county``, ...).

Read from one file in any of the shapes councils keep them in; see
:func:`read_peer_groups`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pmlib.benchmarking.grid import _read_grid, _required_text, _sheet, _text
from pmlib.core.errors import DataValidationError, Problem


# -- peer groups --------------------------------------------------------------------------------
class PeerGroups(dict[str, list[str]]):
    """Named peer groups (``{name: [area codes]}``) with the warnings found reading them.

    A plain ``dict`` to its users; ``warnings`` lists tidy-ups made on the way (duplicate codes
    dropped), ``names`` any area names the file gave, and ``source`` the file name.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.warnings: tuple[Problem, ...] = ()
        self.names: dict[str, str] = {}
        self.source = ""


def read_peer_groups(path: Path | str) -> PeerGroups:
    """Read named peer groups from one file (CSV, XLSX or Parquet).

    Accepted shapes, detected from the headers:

    * long form ``group, area_code[, area_name]`` — one row per member;
    * ``subject_area_code, subject_area_name, list, neighbour_area_code, neighbour_area_name``
      (e.g. Trafford's CIPFA neighbours): the group is named by ``list`` and **includes the
      subject area itself**, first, because a nearest-neighbour comparison ranks the council
      among its neighbours. If one ``list`` name is used for several subjects the groups are
      named ``list:subject_code``;
    * ``la_code, neighbour_code, includes_self, list_size`` (Oflog's nearest neighbours): one
      group per council named ``nn:<la_code>``, the council included.

    Member order is kept; a code listed twice in a group is kept once (with a warning).
    ``all`` is reserved (every area in the data) and may not be defined in the file.
    """
    path = Path(path)
    grid = _read_grid(path)

    def is_header(keys: set[str]) -> bool:
        return (
            {"group", "area_code"} <= keys
            or {"subject_area_code", "list", "neighbour_area_code"} <= keys
            or {"la_code", "neighbour_code"} <= keys
        )

    sheet = _sheet(
        path,
        grid,
        is_header,
        "use the columns 'group, area_code[, area_name]' (see docs/benchmarking.md#peer-groups)",
    )
    keys = set(sheet.frame.columns)
    problems: list[Problem] = []
    subjects = None  # (group, subject code, subject name): a subject heads its own group
    if {"group", "area_code"} <= keys:
        listed = pd.DataFrame(
            {
                "group": _required_text(sheet, "group", "a group name", problems),
                "area_code": _required_text(sheet, "area_code", "an area code", problems),
                "area_name": _text(sheet, "area_name"),
            }
        )
    elif {"subject_area_code", "list", "neighbour_area_code"} <= keys:
        subject = _required_text(sheet, "subject_area_code", "the subject area code", problems)
        lst = _required_text(sheet, "list", "a list name", problems)
        per_list = pd.DataFrame({"l": lst, "s": subject}).drop_duplicates().groupby("l").size()
        group = lst.where(lst.map(per_list).eq(1), lst + ":" + subject)
        listed = pd.DataFrame(
            {
                "group": group,
                "area_code": _required_text(sheet, "neighbour_area_code", "an area code", problems),
                "area_name": _text(sheet, "neighbour_area_name"),
            }
        )
        subjects = pd.DataFrame(
            {"group": group, "area_code": subject, "area_name": _text(sheet, "subject_area_name")}
        )
    else:
        la = _required_text(sheet, "la_code", "a council code", problems)
        listed = pd.DataFrame(
            {
                "group": "nn:" + la,
                "area_code": _required_text(sheet, "neighbour_code", "an area code", problems),
                "area_name": pd.Series(pd.NA, index=la.index, dtype="string"),
            }
        )
        subjects = pd.DataFrame(
            {
                "group": "nn:" + la,
                "area_code": la,
                "area_name": pd.Series(pd.NA, index=la.index, dtype="string"),
            }
        )
    if listed["group"].str.strip().str.lower().eq("all").any():
        problems.append(
            Problem(
                path.name,
                "'all' is a reserved peer group name (every area in the data)",
                "rename this group",
                column="group",
                value="all",
            )
        )
    if any(p.severity == "error" for p in problems):
        raise DataValidationError(problems)
    dupes = listed.duplicated(["group", "area_code"])
    for g, repeated in listed[dupes].groupby("group", sort=False):
        codes = list(dict.fromkeys(repeated["area_code"]))
        problems.append(
            Problem(
                path.name,
                f"peer group {g} lists {len(codes)} area code"
                f"{'s' if len(codes) != 1 else ''} more than once; each is kept once",
                "remove the repeated rows",
                row=int(sheet.rows[repeated.index[0]]),
                column=sheet.col(
                    "neighbour_code"
                    if "la_code" in keys
                    else "neighbour_area_code"
                    if subjects is not None
                    else "area_code"
                ),
                value=", ".join(codes[:5]) + (" ..." if len(codes) > 5 else ""),
                severity="warning",
            )
        )
    members = listed[~dupes]
    if subjects is not None:
        members = pd.concat([subjects.drop_duplicates("group"), members])
        members = members.drop_duplicates(["group", "area_code"])
    # Groups in the order the file first names them; members in file order, subject first.
    first = {g: i for i, g in reversed(list(enumerate(listed["group"])))}
    members = members.sort_values("group", key=lambda s: s.map(first), kind="stable")
    groups = PeerGroups()
    for g, codes in members.groupby("group", sort=False)["area_code"]:
        groups[str(g)] = [str(c) for c in codes]
    groups.names = {
        str(c): str(n)
        for c, n in zip(members["area_code"], members["area_name"], strict=True)
        if pd.notna(n)
    }
    groups.warnings = tuple(problems)
    groups.source = path.name
    return groups
