"""The CSV files pmlib writes for people: a BOM for Excel, integers as integers, no formulas."""

from __future__ import annotations

import pandas as pd
import pytest

from pmlib.core.csv_out import csv_text, neutralise_cell, write_csv


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        (
            '=HYPERLINK("http://evil.example","click")',
            '\'=HYPERLINK("http://evil.example","click")',
        ),
        ("+44 20 7946 0000 call me", "'+44 20 7946 0000 call me"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-5", "-5"),  # a plain number: Excel reads the number, nothing runs
        ("+3.25", "+3.25"),
        ("Jo Bloggs", "Jo Bloggs"),
        ("Rose = 5%", "Rose = 5%"),  # a trigger later in the text is harmless
        ("", ""),
    ],
)
def test_a_cell_that_would_run_as_a_formula_gets_a_leading_apostrophe(typed, written):
    assert neutralise_cell(typed) == written


def test_written_file_has_bom_integer_counts_and_neutralised_text_but_numbers_untouched(tmp_path):
    frame = pd.DataFrame(
        {
            "indicator": ["Missed bins", "Rent arrears"],
            "value": [495.0, 12.5],
            "count": [495.0, None],
            "change": [-3.0, -1.0],
            "owner": ['=HYPERLINK("http://evil.example","x")', "Ann Other"],
            "unit": ["£k", "%"],
        }
    )
    path = write_csv(frame, tmp_path / "out.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "indicator,value,count,change,owner,unit"
    # whole numbers are integers cell by cell: 495 beside 12.5 in value, as in count and change
    assert lines[1] == 'Missed bins,495,495,-3,"\'=HYPERLINK(""http://evil.example"",""x"")",£k'
    assert lines[2] == "Rent arrears,12.5,,-1,Ann Other,%"
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back.columns[0] == "indicator"  # the BOM is not glued to the first header


def test_object_column_mixing_numbers_and_text_keeps_its_numbers():
    frame = pd.DataFrame({"mixed": pd.Series([1, "=1+1", None], dtype=object)})
    assert csv_text(frame, bom=False).splitlines() == ["mixed", "1", "'=1+1", '""']


@pytest.mark.parametrize("writer", ["arrow", "pandas"])
def test_whole_numbers_are_integers_cell_by_cell_in_both_writers(writer, monkeypatch):
    from pmlib.core import csv_out

    if writer == "pandas":
        monkeypatch.setattr(csv_out, "csv_body_parts", lambda *a, **k: None)
    frame = pd.DataFrame(
        {
            "value": [52.0, 48.5, None, -0.0, -7.0, 0.25],
            "note": ["a", "b", "c", "d", "e", "f"],
        }
    )
    # 52 and -7 are whole; -0.0 is the whole number 0; 48.5 and 0.25 keep their decimals
    assert csv_text(frame, bom=False).splitlines() == [
        "value,note",
        "52,a",
        "48.5,b",
        ",c",
        "0,d",
        "-7,e",
        "0.25,f",
    ]
