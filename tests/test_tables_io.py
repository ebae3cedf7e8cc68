"""pmlib's one file reader: each format read once, each failure a Problem with file, row and fix."""

from __future__ import annotations

import pandas as pd

from pmlib.core.tables_io import read_frame, read_rows


def test_csv_with_and_without_byte_order_mark_read_the_same(tmp_path):
    plain, bom = tmp_path / "plain.csv", tmp_path / "bom.csv"
    plain.write_bytes("id,name\nA1,Ynys Môn\n".encode())
    bom.write_bytes("id,name\nA1,Ynys Môn\n".encode("utf-8-sig"))
    for path in (plain, bom):
        frame, problems = read_frame(path)
        assert problems == []
        assert list(frame.columns) == ["id", "name"]  # no "\ufeffid"
        assert frame.iloc[0].tolist() == ["A1", "Ynys Môn"]


def test_windows_1252_is_refused_with_the_row_and_byte(tmp_path):
    path = tmp_path / "actuals.csv"
    # header row 1, first data row 2, "ô" (0xF4 in Windows-1252) in row 3
    path.write_bytes("id,name\nA1,Leeds\nA2,Ynys Môn\n".encode("cp1252"))
    for reader in (read_frame, read_rows):
        result, [problem] = reader(path)
        assert result is None
        assert problem.file == "actuals.csv"
        assert problem.row == 3
        assert problem.value == b"\xf4"
        assert "CSV UTF-8" in problem.fix


def test_empty_csv_and_broken_workbook_and_parquet(tmp_path):
    empty = tmp_path / "targets.csv"
    empty.write_bytes(b"  \n")
    frame, [p] = read_frame(empty)
    assert frame is None and p.message == "the file is empty"

    book = tmp_path / "data.xlsx"
    book.write_bytes(b"not a zip file")
    frame, [p] = read_frame(book, "data.xlsx, sheet 'actuals'", sheet="actuals")
    assert frame is None
    assert p.file == "data.xlsx, sheet 'actuals'"
    assert p.message.startswith("cannot be opened as an Excel workbook")
    assert read_rows(book)[1][0].fix == "re-save it from Excel as .xlsx"

    parquet = tmp_path / "t.parquet"
    parquet.write_bytes(b"PAR1 nonsense")
    frame, [p] = read_frame(parquet)
    assert frame is None and p.message.startswith("cannot be read as Parquet")


def test_rows_keep_title_lines_and_quoted_line_breaks_as_excel_rows(tmp_path):
    path = tmp_path / "download.csv"
    path.write_text('Title line\n\narea_code,note\nE07000001,"two\nlines"\n', encoding="utf-8")
    rows, problems = read_rows(path)
    assert problems == []
    # Excel shows: row 1 title, row 2 blank, row 3 header, row 4 the record (one row)
    assert rows == [["Title line"], [], ["area_code", "note"], ["E07000001", "two\nlines"]]


def test_parquet_rows_have_the_column_names_first(tmp_path):
    path = tmp_path / "b.parquet"
    pd.DataFrame({"area_code": ["E1"], "value": [12.0]}).to_parquet(path)
    rows, problems = read_rows(path)
    assert problems == [] and rows == [["area_code", "value"], ["E1", "12"]]
