"""Reading count matrices and sample sheets: both layouts, compression, and every rejected input."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sca_tf.errors import ScaInputError
from sca_tf.prep.counts import CountData, read_counts, read_sample_sheet

GEO_TEXT = (
    "NAME\tS1\tS2\tS3\tS4\n"
    "CLASS:DOSE\tIS\tIS\tC\tC\n"
    "ENSG00000000001.5\t10\t0\t3\t7\n"
    "ENSG00000000002\t0\t1\t0\t2\n"
    "ENSG00000000003.12\t100\t250\t80\t95\n"
)
PLAIN_TEXT = "gene_id\tS1\tS2\tS3\tS4\n" + GEO_TEXT.split("\n", 2)[2]
SHEET_TEXT = "sample\tcondition\tbatch\nS1\tIS\ta\nS2\tIS\tb\nS3\tC\ta\nS4\tC\tb\n"


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    if name.endswith(".gz"):
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path


def geo_with(row: str) -> str:
    """The GEO example with ``row`` (a tab-separated gene line, no newline) appended."""
    return GEO_TEXT + row + "\n"


def assert_same_data(left: CountData, right: CountData) -> None:
    pd.testing.assert_frame_equal(left.counts, right.counts)
    pd.testing.assert_series_equal(left.conditions, right.conditions)


def test_geo_layout_reads_groups_from_class_row_and_strips_versions(tmp_path: Path) -> None:
    data = read_counts(write(tmp_path, "counts.txt", GEO_TEXT))
    assert data.counts.index.tolist() == ["ENSG00000000001", "ENSG00000000002", "ENSG00000000003"]
    assert data.counts.index.name == "gene_id"
    assert data.counts.columns.tolist() == ["S1", "S2", "S3", "S4"]
    assert (data.counts.dtypes == np.int64).all()
    assert data.counts.loc["ENSG00000000003"].tolist() == [100, 250, 80, 95]
    assert data.conditions.to_dict() == {"S1": "IS", "S2": "IS", "S3": "C", "S4": "C"}
    assert data.source == tmp_path / "counts.txt"


def test_class_row_is_found_by_its_first_cell_not_its_position(tmp_path: Path) -> None:
    lines = GEO_TEXT.splitlines()
    moved = "\n".join([lines[0], lines[2], lines[1], *lines[3:]]) + "\n"
    assert_same_data(read_counts(write(tmp_path, "moved.txt", moved)), read_counts(write(tmp_path, "a.txt", GEO_TEXT)))


def test_plain_table_with_sample_sheet_equals_geo_layout(tmp_path: Path) -> None:
    geo = read_counts(write(tmp_path, "geo.txt", GEO_TEXT))
    plain = read_counts(write(tmp_path, "counts.tsv", PLAIN_TEXT), write(tmp_path, "samples.tsv", SHEET_TEXT))
    assert_same_data(plain, geo)


@pytest.mark.parametrize("name", ["counts.csv", "counts.csv.gz", "counts.tsv.gz", "counts.txt.gz"])
def test_csv_and_gzip_inputs(tmp_path: Path, name: str) -> None:
    text = PLAIN_TEXT.replace("\t", ",") if ".csv" in name else PLAIN_TEXT
    sheet = write(tmp_path, "samples.csv", SHEET_TEXT.replace("\t", ","))
    data = read_counts(write(tmp_path, name, text), sheet)
    assert_same_data(data, read_counts(write(tmp_path, "geo.txt", GEO_TEXT)))


def test_sheet_with_custom_condition_column_and_class_row_that_agrees(tmp_path: Path) -> None:
    sheet = write(tmp_path, "samples.tsv", SHEET_TEXT.replace("condition", "group"))
    data = read_counts(write(tmp_path, "counts.txt", GEO_TEXT), sheet, condition_column="group")
    assert data.conditions.to_dict() == {"S1": "IS", "S2": "IS", "S3": "C", "S4": "C"}


def test_integer_valued_decimals_blank_lines_and_samples_sheet_order_are_accepted(tmp_path: Path) -> None:
    text = PLAIN_TEXT.replace("\t100\t", "\t100.0\t") + "\n\n"
    sheet = write(tmp_path, "samples.tsv", "sample\tcondition\nS4\tC\nS3\tC\nS2\tIS\nS1\tIS\n")
    data = read_counts(write(tmp_path, "counts.tsv", text), sheet)
    assert data.counts.loc["ENSG00000000003", "S1"] == 100
    assert data.conditions.index.tolist() == ["S1", "S2", "S3", "S4"]  # matrix order, not sheet order


def test_sample_sheet_reader(tmp_path: Path) -> None:
    groups = read_sample_sheet(write(tmp_path, "samples.tsv", SHEET_TEXT))
    assert groups.to_dict() == {"S1": "IS", "S2": "IS", "S3": "C", "S4": "C"}


def test_require_groups(tmp_path: Path) -> None:
    data = read_counts(write(tmp_path, "counts.txt", GEO_TEXT))
    data.require_groups("IS", "C")
    with pytest.raises(ScaInputError, match=r"group 'stroke' not found; the samples' groups are \['C', 'IS'\]"):
        data.require_groups("IS", "stroke")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("G9\t1\t1.5\t2\t3", r"line 6: gene G9, sample S2: expected an integer count, found '1\.5'"),
        ("G9\t1\t2\tabc\t3", r"line 6: gene G9, sample S3: expected an integer count, found 'abc'"),
        ("G9\t1\t2\tNA\t3", r"line 6: gene G9, sample S3: expected an integer count, found 'NA'"),
        ("G9\t1\t2\t3\tinf", r"line 6: gene G9, sample S4: expected an integer count, found 'inf'"),
        ("G9\t1\t2\t3\t-4", r"line 6: gene G9, sample S4: expected a count of 0 or more, found '-4'"),
        ("G9\t1\t\t3\t4", r"line 6: gene G9, sample S2: expected a count, found an empty cell"),
        ("G9\t1\t2", r"line 6: 3 fields, but the header has 5; expected one value per header column"),
        ("G9\t1\t2\t3\t1e30", r"line 6: gene G9, sample S4: expected a count below 2\^63, found '1e30'"),
        ("G9\t1\t2\t3\t4\t5", r"line 6: 6 fields, but the header has 5"),
        ("\t1\t2\t3\t4", r"line 6: empty gene ID"),
        ("ENSG00000000002\t1\t2\t3\t4", r"lines 4, 6: gene ENSG00000000002 appears more than once"),
        (
            "ENSG00000000001.6\t1\t2\t3\t4",
            (r"lines 3, 6: gene ENSG00000000001 appears more than once "
             r"\(ENSG00000000001\.5 and ENSG00000000001\.6 once versions are stripped\)"),
        ),
        ("CLASS:DOSE\tIS\tIS\tC\tC", r"line 6: a second CLASS:DOSE row"),
    ],
)
def test_bad_cells_and_rows_are_named_by_line_gene_and_sample(tmp_path: Path, row: str, message: str) -> None:
    path = write(tmp_path, "counts.txt", geo_with(row))
    with pytest.raises(ScaInputError, match=message) as raised:
        read_counts(path)
    assert str(path) in str(raised.value)


def test_line_numbers_count_blank_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "counts.txt", GEO_TEXT + "\n\nENSG00000000009\t1\t2\t3\tx\n")
    with pytest.raises(ScaInputError, match=r"line 8: gene ENSG00000000009, sample S4"):
        read_counts(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"file is empty"),
        ("\n\n", r"file is empty"),
        ("NAME\tS1\tS2\tS3\tS4\n", r"no gene rows"),
        ("NAME\tS1\tS2\tS3\tS4\nCLASS:DOSE\tIS\tIS\tC\tC\n", r"no gene rows"),
        ("NAME,S1,S2\n", r"line 1: a single column 'NAME,S1,S2'; expected '\\t'-separated columns"),
        ("NAME\tS1\tS1\tS3\n", r"line 1: column name 'S1' appears twice"),
        ("NAME\tS1\t\tS3\n", r"line 1: column 3 has no name"),
        (PLAIN_TEXT, r"no CLASS:DOSE row giving each sample's group; pass a sample sheet"),
        (GEO_TEXT.replace("\tC\tC\n", "\tC\t\n", 1), r"line 2: CLASS:DOSE has no group for sample 'S4'"),
        (GEO_TEXT.replace("CLASS:DOSE\tIS\tIS\tC\tC", "CLASS:DOSE\tIS\tIS\tIS\tIS"), r"every sample is in group 'IS'"),
        (
            GEO_TEXT.replace("CLASS:DOSE\tIS\tIS\tC\tC", "CLASS:DOSE\tIS\tIS\tIS\tC"),
            r"group 'C' has 1 sample\(s\) \(S4\); expected at least 2 per group",
        ),
        (
            GEO_TEXT.replace("\t7\n", "\t0\n").replace("\t2\n", "\t0\n").replace("\t95\n", "\t0\n"),
            r"sample 'S4' has no reads",
        ),
    ],
)
def test_bad_tables_are_rejected(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ScaInputError, match=message):
        read_counts(write(tmp_path, "counts.txt", text))


def test_missing_file_and_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(ScaInputError, match=r"absent\.tsv: file not found"):
        read_counts(tmp_path / "absent.tsv")
    with pytest.raises(ScaInputError, match=r"counts\.xlsx: unknown table format; expected a name ending in \.tsv"):
        read_counts(write(tmp_path, "counts.xlsx", PLAIN_TEXT))


def test_corrupt_gzip_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "counts.tsv.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(ScaInputError, match=r"cannot be read as text"):
        read_counts(path)


@pytest.mark.parametrize(
    ("sheet", "message"),
    [
        ("sample\tcondition\nS1\tIS\nS2\tIS\nS3\tC\n", r"sample\(s\) S4 of .* are not in the sample sheet"),
        (SHEET_TEXT + "S5\tC\ta\n", r"sample\(s\) S5 of the sample sheet are not in"),
        ("sample\tgroup\nS1\tIS\n", r"line 1: missing column\(s\) condition; .*found sample, group"),
        ("name\tcondition\nS1\tIS\n", r"line 1: missing column\(s\) sample"),
        ("sample\tcondition\nS1\tIS\nS1\tC\n", r"line 3: sample 'S1' is listed twice"),
        ("sample\tcondition\nS1\tIS\nS2\t\nS3\tC\nS4\tC\n", r"line 3: empty 'condition' cell"),
    ],
)
def test_bad_sample_sheets_are_rejected(tmp_path: Path, sheet: str, message: str) -> None:
    sheet_path = write(tmp_path, "samples.tsv", sheet)
    with pytest.raises(ScaInputError, match=message) as raised:
        read_counts(write(tmp_path, "counts.tsv", PLAIN_TEXT), sheet_path)
    assert str(sheet_path) in str(raised.value)


def test_class_row_and_sheet_must_agree(tmp_path: Path) -> None:
    sheet = write(tmp_path, "samples.tsv", SHEET_TEXT.replace("S2\tIS", "S2\tC"))
    with pytest.raises(ScaInputError, match=r"sample 'S2' is in group 'C', but the CLASS:DOSE row .* says 'IS'"):
        read_counts(write(tmp_path, "counts.txt", GEO_TEXT), sheet)


@pytest.mark.realdata
def test_full_gse248760_matrix_reads_fast(shared_data: Path) -> None:
    began = time.perf_counter()
    data = read_counts(shared_data / "GSE248760_raw_counts.txt")
    seconds = time.perf_counter() - began
    assert data.counts.shape == (58174, 8)
    assert data.conditions.value_counts().to_dict() == {"IS": 4, "C": 4}
    assert data.counts.index.is_unique and data.counts.index.str.startswith("ENSG").all()
    assert seconds < 5, f"reading took {seconds:.1f} s"
