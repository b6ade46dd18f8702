"""Windows read through the ``.fai`` offsets equal pyfaidx's: both strands, contig edges, bgzip block boundaries,
soft-masked input, N runs and CRLF line ends; a stale index is a ScaInputError, never a traceback."""

from __future__ import annotations

import os
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pyfaidx
import pytest
from Bio import bgzf

from sca_tf import io
from sca_tf.errors import ScaInputError
from sca_tf.prep import fasta_windows
from sca_tf.prep.fasta_windows import read_windows
from sca_tf.prep.genome import open_genome
from sca_tf.prep.promoters import extract
from sca_tf.sequence import reverse_complement


def _contig(length: int, seed: int) -> str:
    """Random DNA with soft-masked (lower-case) stretches and N runs, one of them at each end."""
    rng = np.random.default_rng(seed)
    bases = rng.choice(list("ACGT"), size=length)
    for start in rng.integers(0, length, size=max(1, length // 150)):
        bases[start : start + rng.integers(1, 40)] = "N"
    bases[:3] = bases[-2:] = "N"
    letters = "".join(bases)
    masked = [(s, s + int(rng.integers(5, 80))) for s in rng.integers(0, length, size=max(1, length // 120))]
    for start, end in masked:
        letters = letters[:start] + letters[start:end].lower() + letters[end:]
    return letters


CONTIGS = {"c1": _contig(1500, 1), "c2": _contig(61, 2), "c3": _contig(7, 3), "c4": _contig(600, 4)}


def _windows() -> pd.DataFrame:
    """Windows at and near every contig edge and line boundary, long and short, plus random ones; both strands."""
    rows = []
    rng = np.random.default_rng(0)
    for name, sequence in CONTIGS.items():
        length = len(sequence)
        for width in {1, 2, 13, 59, 60, 61, 120, length}:
            if width > length:
                continue
            for start in {0, 1, 58, 59, 60, 61, length - width - 1, length - width}:
                if 0 <= start <= length - width:
                    rows.append((name, start, start + width))
        for _ in range(40):
            start = int(rng.integers(0, length))
            rows.append((name, start, int(rng.integers(start + 1, length + 1))))
    frame = pd.DataFrame(rows, columns=["contig", "start", "end"])
    frame = pd.concat([frame.assign(minus=False), frame.assign(minus=True)], ignore_index=True)
    return frame.sample(frac=1.0, random_state=0, ignore_index=True)  # any order in, the same order out


def _expected(genome: pyfaidx.Fasta, windows: pd.DataFrame) -> list[bytes]:
    expected = []
    for contig, start, end, minus in windows.itertuples(index=False):
        sequence = genome[contig][start:end]
        expected.append((reverse_complement(sequence) if minus else sequence).encode())
    return expected


def _read(genome: pyfaidx.Fasta, windows: pd.DataFrame) -> list[bytes]:
    return read_windows(
        genome,
        windows["contig"].tolist(),
        windows["start"].to_numpy(),
        windows["end"].to_numpy(),
        windows["minus"].to_numpy(),
    )


@pytest.fixture(params=[60, 13])
def plain_fasta(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return io.write_fasta(CONTIGS.items(), tmp_path / f"w{request.param}.fa", width=request.param)


def _bgzip(source: Path, target: Path, block: int) -> Path:
    """bgzip ``source`` with a block every ``block`` bytes, so that windows cross many block boundaries."""
    data = source.read_bytes()
    with bgzf.BgzfWriter(str(target), "wb") as handle:
        for offset in range(0, len(data), block):
            handle.write(data[offset : offset + block])
            handle.flush()
    return target


def test_plain_windows_equal_pyfaidx(plain_fasta: Path) -> None:
    genome = open_genome(plain_fasta)
    windows = _windows()
    assert _read(genome, windows) == _expected(genome, windows)


def test_crlf_windows_equal_pyfaidx(tmp_path: Path) -> None:
    path = tmp_path / "crlf.fa"
    lines = [
        line
        for name, seq in CONTIGS.items()
        for line in [f">{name}", *(seq[i : i + 50] for i in range(0, len(seq), 50))]
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    genome = open_genome(path)
    windows = _windows()
    assert _read(genome, windows) == _expected(genome, windows)


@pytest.mark.parametrize("block", [37, 250, 65280])
def test_bgzip_windows_equal_pyfaidx_across_block_boundaries(plain_fasta: Path, tmp_path: Path, block: int) -> None:
    plain = open_genome(plain_fasta)
    packed = open_genome(_bgzip(plain_fasta, tmp_path / f"b{block}.fa.gz", block))
    if block < 100:
        assert len(packed.faidx.gzi_index) > 50  # many windows span several blocks
    windows = _windows()
    assert _read(packed, windows) == _expected(plain, windows)


def test_no_windows(plain_fasta: Path) -> None:
    assert read_windows(open_genome(plain_fasta), [], np.array([]), np.array([]), np.array([])) == []


def _stale(path: Path, genome: pyfaidx.Fasta) -> None:
    """Cut ``path`` to half its size behind the back of its (newer) ``.fai``."""
    genome.close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    later = path.stat().st_mtime + 10
    os.utime(f"{path}.fai", (later, later))


def test_stale_index_of_a_plain_fasta_is_refused(plain_fasta: Path) -> None:
    _stale(plain_fasta, open_genome(plain_fasta))
    with pytest.raises(ScaInputError, match=r"w\d+\.fa: its \.fai index puts the last record c4 .* but the file "
                                            r"holds [\d,]+ \(uncompressed\); the index is stale"):
        open_genome(plain_fasta)


def test_a_fasta_cut_after_it_was_opened_is_refused_by_the_window_reader(plain_fasta: Path) -> None:
    genome = open_genome(plain_fasta)
    data = plain_fasta.read_bytes()
    plain_fasta.write_bytes(data[: len(data) // 2])
    with pytest.raises(ScaInputError, match=r"c4:\d+-600 reads \d+ bases where its \.fai index promises"):
        _read(genome, pd.DataFrame({"contig": ["c4"], "start": [500], "end": [600], "minus": [True]}))


def test_stale_index_of_a_bgzip_fasta_is_refused(plain_fasta: Path, tmp_path: Path) -> None:
    packed = _bgzip(plain_fasta, tmp_path / "g.fa.gz", 250)
    genome = open_genome(packed)
    genome.close()
    index = Path(f"{packed}.fai")
    index.write_text(index.read_text().replace("c4\t600\t", "c4\t6000\t"))  # longer than the file holds
    with pytest.raises(ScaInputError, match=r"g\.fa\.gz: its \.fai index puts the last record c4 \(6,000 bases"):
        open_genome(packed)


def test_index_pointing_past_the_file_is_refused(tmp_path: Path) -> None:
    path = io.write_fasta([("c1", "ACGT" * 30)], tmp_path / "g.fa")
    open_genome(path).close()
    Path(f"{path}.fai").write_text("c1\t120\t9000\t80\t81\n")
    with pytest.raises(ScaInputError, match="index puts the last record c1 .* at bytes up to 9,121, but the file holds"):
        open_genome(path)


def test_every_bgzip_block_is_inflated_once(plain_fasta: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    packed = _bgzip(plain_fasta, tmp_path / "once.fa.gz", 41)
    genome = open_genome(packed)
    inflated: list[bytes] = []

    class CountingZlib:
        error = zlib.error

        @staticmethod
        def decompress(member: bytes, wbits: int) -> bytes:
            inflated.append(member)
            return zlib.decompress(member, wbits)

        @staticmethod
        def decompressobj(wbits: int):
            class Limited:
                def decompress(self, member: bytes, limit: int) -> bytes:
                    inflated.append(member)
                    return zlib.decompressobj(wbits).decompress(member, limit)

            return Limited()

    monkeypatch.setattr(fasta_windows, "zlib", CountingZlib)
    windows = _windows()
    assert _read(genome, windows) == _expected(open_genome(plain_fasta), windows)
    data = packed.read_bytes()
    offsets = [data.find(member) for member in inflated]
    assert len(offsets) == len(set(offsets)) > 50


def test_windows_starting_on_a_full_64k_block_boundary(tmp_path: Path) -> None:
    # Biopython's BgzfWriter fills blocks to 65,536 bytes; pyfaidx's own reader fails on a window that starts
    # exactly where such a block ends (within-block offset 65,536), this reader does not.
    plain = io.write_fasta([("c1", _contig(200_000, 5))], tmp_path / "big.fa", width=60)
    packed = tmp_path / "big.fa.gz"
    with open(plain, "rb") as source, bgzf.BgzfWriter(str(packed), "wb") as target:
        target.write(source.read())
    genome = open_genome(packed)
    boundaries = [block.ustart for block in genome.faidx.gzi_index[1:]]
    offset = 4  # ">c1\n"
    starts = [(b - offset) // 61 * 60 + (b - offset) % 61 for b in boundaries]
    windows = pd.DataFrame({"contig": "c1", "start": starts, "end": [s + 2000 for s in starts], "minus": False})
    windows = pd.concat([windows, windows.assign(minus=True)], ignore_index=True)
    assert _read(genome, windows) == _expected(open_genome(plain), windows)
