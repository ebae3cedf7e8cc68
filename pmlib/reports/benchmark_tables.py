"""The benchmarking deep-dive's tables: positions on every measure, the ranking, missing
peers, target options, data notes and the methodology (plain escaped HTML with captions)."""

from __future__ import annotations

import pandas as pd

from pmlib.benchmarking.positions import (
    position_text,
)
from pmlib.benchmarking.stats import (
    metric_metadata,
    missing_peers,
    peer_group_members,
    target_options,
)
from pmlib.core.words import ordinal, quartile_words
from pmlib.present.fragments import (
    BETTER_WORDS,
    is_missing,
    movement_words,
    rank_text,
    signed_one,
)
from pmlib.present.tables import Html, html_table
from pmlib.present.text import esc


class BenchmarkTables:
    """Table sections of :class:`~pmlib.reports.benchmark.BenchmarkReport` (see there)."""

    def positions_frame(self) -> pd.DataFrame:
        """The council's latest position on every metric of the data (one row per metric)."""
        meta = metric_metadata(self.data).set_index("metric")
        records = []
        for metric in pd.unique(self.stats["metric"]):
            rows = self.stats[
                self.stats["metric"].eq(metric)
                & self.stats["is_focus"]
                & self.stats["value"].notna()
            ]
            name = meta.at[metric, "metric_name"] if metric in meta.index else None
            name = metric if is_missing(name) else str(name)
            if rows.empty:
                records.append({"metric": metric, "Measure": name, "Period": "–"})
                continue
            r = rows.iloc[-1]
            tied = int(
                self.stats[
                    self.stats["metric"].eq(metric)
                    & self.stats["period"].eq(r["period"])
                    & self.stats["rank"].eq(r["rank"])
                ].shape[0]
            )
            change = r["rank_change"]
            records.append(
                {
                    "metric": metric,
                    "Measure": name,
                    "Period": r["period"],
                    "Position": position_text(
                        int(r["rank"]),
                        int(r["n"]),
                        int(r["quartile"]),
                        str(r["polarity"]),
                        self.peer_label,
                        joint=tied > 1,
                    ),
                    "quartile": int(r["quartile"]),
                    "Since previous": movement_words(change, r["previous_period"]),
                }
            )
        return pd.DataFrame.from_records(records)

    def positions_table(self) -> Html:
        frame = self.positions_frame()
        shown = frame.reindex(columns=["Measure", "Period", "Position", "Since previous"])
        return html_table(
            shown.fillna("–"),
            caption=f"{self.council_name}'s latest position on each measure",
            row_header="Measure",
            highlight=list(frame["metric"].eq(self.metric)),
        )

    def ranking_table(self) -> Html:
        """The figures behind the ranked chart, the council's row marked in words and bold."""
        rows = self.period_rows
        frame = pd.DataFrame(
            {
                "Rank": [rank_text(r, rows["rank"]) for r in rows["rank"]],
                "Area": [
                    self.area_label(c, a)
                    for c, a in zip(rows["area_code"], rows["area_name"], strict=True)
                ],
                "Value": [self.fmt(v) for v in rows["value"]],
                "Quartile": [quartile_words(q, self.polarity) for q in rows["quartile"]],
                "From the median (MADs)": [signed_one(m) for m in rows["mads_from_median"]],
            }
        )
        frame.loc[rows["value"].isna().to_numpy(), "Rank"] = "not ranked"
        return html_table(
            frame,
            caption=(
                f"{self.peer_label.capitalize()} ranked by {self.metric_name}, {self.period} "
                f"(1 = best; {self._better_words()})"
            ),
            numeric=["Rank", "Value", "From the median (MADs)"],
            highlight=list(rows["area_code"].eq(self.focus)),
            row_header="Area",
        )

    def missing_frame(self) -> pd.DataFrame:
        """Peers with no figure for this metric in the report's period."""
        members = peer_group_members(self.groups, self.sources.peer_group)
        data = self.data[self.data["metric"].eq(self.metric)]
        miss = missing_peers(data, members, focus=self.focus)
        return miss[miss["period"].eq(self.period)].reset_index(drop=True)

    def missing_table(self) -> Html:
        miss = self.missing_frame()
        n_group = len(self.period_rows)
        if miss.empty:
            return Html(
                f"<p>All {n_group} members of the group have a figure for {esc(self.period)}.</p>"
            )
        frame = pd.DataFrame(
            {
                "Area": [
                    self.area_label(c, a)
                    for c, a in zip(miss["area_code"], miss["area_name"], strict=True)
                ],
                "Code": miss["area_code"],
                "Why": miss["reason"],
            }
        )
        intro = (
            f"<p>{len(miss)} of the {n_group} members of the group "
            f"{'has' if len(miss) == 1 else 'have'} no figure for {esc(self.period)}. They "
            "are left out of the rank, the median and the quartiles, so "
            f"'{esc(self.position())}' counts only the areas with a figure.</p>"
        )
        return Html(
            intro
            + html_table(
                frame,
                caption=f"Peers without a figure for {self.period}",
                row_header="Area",
            ).html
        )

    def target_frame(self) -> pd.DataFrame:
        """:func:`~pmlib.benchmarking.stats.target_options` for this metric and period."""
        return target_options(self.stats, self.focus, self.metric, self.period)

    def target_table(self) -> Html:
        """What matching the peer median or reaching the top quartile would mean next year."""
        ours = self.ours
        if ours is None or pd.isna(ours["value"]):
            return Html(
                f"<p>No target options: {esc(self.council_name)} has no figure for "
                f"{esc(self.period)} to measure the change from.</p>"
            )
        t = self.target_frame()
        frame = pd.DataFrame(
            {
                "Option": [str(o).capitalize() for o in t["option"]],
                "From": t["based_on_period"].astype(str),
                "Target for": t["target_period"].fillna("–").astype(str),
                "Our value": [self.fmt(v) for v in t["current"]],
                "Target": [self.fmt(v) for v in t["target"]],
                "Change needed": [
                    self.change_text(c, p)
                    for c, p in zip(t["change_needed"], t["change_needed_pct"], strict=True)
                ],
                "Already met?": [
                    "–" if is_missing(m) else ("Yes" if bool(m) else "No") for m in t["already_met"]
                ],
                "Rank at target": [
                    "–" if is_missing(r) else f"{ordinal(int(r))} of {int(n)}"
                    for r, n in zip(t["rank_at_target"], t["n"], strict=True)
                ],
            }
        )
        note = (
            "<p>Peers improve too: these are last year's peer values, floors to beat rather "
            "than forecasts. Set the target with the trend above, not on these alone.</p>"
        )
        if self.polarity == "none":
            note = (
                "<p>This measure has no better direction, so the options show the peer values "
                "only; whether to move towards them is a policy choice.</p>" + note
            )
        return Html(
            html_table(
                frame,
                caption=(
                    f"Target options for {self.metric_name} from the {self.peer_label}' "
                    f"{self.period} figures"
                ),
                numeric=["Our value", "Target", "Change needed"],
                row_header="Option",
            ).html
            + note
        )

    def data_notes(self) -> Html:
        """Warnings met reading the data (suppressed values, missing polarity, duplicates)."""
        if not self.warnings:
            return Html("<p>No problems were found reading the benchmark data.</p>")
        items = "".join(f"<li>{esc(w)}</li>" for w in self.warnings)
        return Html(f'<ul class="pmlib-data-notes">{items}</ul>')

    def methodology(self) -> Html:
        src = self.sources
        rows = [
            ("Benchmark data", src.benchmark.name),
            ("Peer groups", src.peers.name if src.peers is not None else "none (group 'all')"),
            ("Peer group", f"{src.peer_group} ({self.peer_label})"),
            (
                "Rank",
                "1 = best; tied areas share the best rank of the tie ('joint 2nd') and the "
                "next rank is skipped. Only areas with a figure are ranked.",
            ),
            (
                "Quartile",
                "Top quartile = at or better than the upper-quartile value (Excel's "
                "QUARTILE.INC) of the group; with fewer than 8 areas quartiles are coarse.",
            ),
            (
                "Distance from the median",
                "In median absolute deviations (MADs), as the Office for Local Government "
                "published it: a robust measure of how unusual a figure is.",
            ),
            ("Better is", BETTER_WORDS.get(self.polarity, self.polarity)),
        ]
        from pmlib.present.tables import definition_table

        return definition_table(rows, caption="How these figures are computed")

    def summary(self) -> dict[str, str]:
        """For the index page: ``{"Rank": "4th of 16", "Quartile": "top quartile", ...}``."""
        ours = self.ours
        if ours is None or pd.isna(ours["rank"]):
            return {"Position": f"no figure for {self.period}"}
        return {
            "Rank": f"{ordinal(int(ours['rank']))} of {int(ours['n'])}",
            "Quartile": quartile_words(ours["quartile"], self.polarity),
            "Period": self.period,
        }

    def publish(self) -> None:
        """Hand the title and the position summary to the batch runner (not shown)."""
        from pmlib.core.artifacts import publish_artifact

        publish_artifact("title", f"{self.title} ({self.council_name}, {self.peer_label})")
        publish_artifact("summary", self.summary())
