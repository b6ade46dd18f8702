"""Many genome windows at once, read straight through the ``.fai`` offsets of a FASTA that pyfaidx has indexed.

A plain FASTA is memory-mapped; a bgzip FASTA is read block by block through its ``.gzi``: every block a window
touches is inflated exactly once, in genomic order, and only up to the last byte any window needs, on a few
threads. Inflating uses ``isal`` (zlib's API over Intel ISA-L): on chr20's 592 blocks it took half zlib's time. Each window is upper-cased, stripped
of line ends and, on the minus strand, complemented by one ``bytes.translate`` table, then reversed.

pyfaidx stays the indexer and validator (:func:`sca_tf.prep.genome.open_genome`); this module only reads.
Letters other than ``ACGTN`` (IUPAC ambiguity codes such as ``R``, ``Y``, ``W``) become ``N`` in the same table,
before any strand handling, so a window reads the same ambiguity as ``N`` on either strand.

>>> complement = _translation(minus=True)
>>> b"acgtnR\\n".translate(complement, b"\\r\\n")[::-1]
b'NNACGT'
"""

from __future__ import annotations

import mmap
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from itertools import islice

import numpy as np
import pyfaidx
from isal import isal_zlib as zlib  # zlib's API, Intel ISA-L's inflate: about twice zlib's speed here

from sca_tf.errors import ScaInputError
from sca_tf.sequence import CODE_LETTERS, COMPLEMENT_CODES

#: Line-end bytes removed from every window (``\n`` and the ``\r`` of CRLF files), as pyfaidx does.
LINE_ENDS = b"\r\n"
#: Consecutive bgzip blocks one thread inflates per task, and how many tasks run ahead of the reader.
_BLOCKS_PER_TASK = 8
_TASKS_AHEAD = 8
_GZIP_WBITS = 31  # a BGZF block is a complete gzip member


def _translation(*, minus: bool) -> bytes:
    """``bytes.translate`` table: ``ACGTN`` to upper case, every other letter to ``N``; on ``minus`` complemented."""
    table = bytearray(range(256))
    for letter in range(ord("A"), ord("Z") + 1):
        table[letter] = table[letter + 32] = ord("N")
    for letter in CODE_LETTERS:
        table[ord(letter)] = table[ord(letter.lower())] = ord(letter)
    if minus:
        for code, letter in enumerate(CODE_LETTERS):
            complement = ord(CODE_LETTERS[COMPLEMENT_CODES[code]])
            table[ord(letter)] = table[ord(letter.lower())] = complement
    return bytes(table)


_PLUS, _MINUS = _translation(minus=False), _translation(minus=True)


@dataclass(frozen=True)
class _ByteRanges:
    """Where windows lie in the (uncompressed) FASTA bytes, line ends included; sorted by ``first``."""

    order: np.ndarray  # window index of each range
    first: np.ndarray  # byte of the window's first base
    stop: np.ndarray  # one past the byte of its last base


def read_windows(
    genome: pyfaidx.Fasta,
    contigs: Sequence[str],
    starts: np.ndarray,
    ends: np.ndarray,
    minus: np.ndarray,
) -> list[bytes]:
    """Upper-case bases of the 0-based half-open windows ``[starts, ends)`` of ``contigs``, minus-strand ones
    reverse-complemented; one ``bytes`` per window, in the order given.

    Windows must lie inside their contig (callers check the lengths). Raises ``ScaInputError`` naming the FASTA
    when it holds fewer bases than its ``.fai`` promises (a stale or foreign index) or a bgzip block is corrupt.
    """
    faidx = genome.faidx
    path = faidx.filename
    starts, ends = np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
    if len(starts) == 0:
        return []
    ranges = _byte_ranges(faidx, contigs, starts, ends)
    blocks = getattr(faidx, "gzi_index", None)  # pyfaidx reads (or builds) the .gzi of every bgzip FASTA
    try:
        if blocks is None:
            raw = _plain_ranges(path, ranges)
        else:
            raw = _bgzip_ranges(path, ranges, blocks)
        windows: list[bytes] = [b""] * len(starts)
        flip = np.asarray(minus, dtype=bool)[ranges.order].tolist()
        for index, piece, reverse in zip(ranges.order.tolist(), raw, flip):
            windows[index] = piece.translate(_MINUS, LINE_ENDS)[::-1] if reverse else piece.translate(_PLUS, LINE_ENDS)
    except (OSError, ValueError, zlib.error) as exc:
        raise ScaInputError(f"genome FASTA {path}: cannot be read at the offsets of its .fai index ({exc})") from exc
    lengths = np.fromiter(map(len, windows), dtype=np.int64, count=len(windows))
    short = np.flatnonzero(lengths != ends - starts)
    if short.size:
        where = int(short[0])
        raise ScaInputError(
            f"genome FASTA {path}: {contigs[where]}:{starts[where]}-{ends[where]} reads {lengths[where]} bases "
            f"where its .fai index promises {ends[where] - starts[where]}; the index is stale or belongs to another "
            f"file (delete {path}.fai to have it rebuilt)"
        )
    return windows


def _byte_ranges(faidx: pyfaidx.Faidx, contigs: Sequence[str], starts: np.ndarray, ends: np.ndarray) -> _ByteRanges:
    """Byte offsets of every window from its contig's ``.fai`` record (offset, bases and bytes per line)."""
    records = [faidx.index[name] for name in contigs]
    offset = np.fromiter((r.offset for r in records), dtype=np.int64, count=len(records))
    line_bases = np.fromiter((r.lenc for r in records), dtype=np.int64, count=len(records))
    line_bytes = np.fromiter((r.lenb for r in records), dtype=np.int64, count=len(records))
    first = offset + starts // line_bases * line_bytes + starts % line_bases
    last = ends - 1
    stop = offset + last // line_bases * line_bytes + last % line_bases + 1
    order = np.argsort(first, kind="stable")
    return _ByteRanges(order=order, first=first[order], stop=stop[order])


def _plain_ranges(path: str, ranges: _ByteRanges) -> Iterator[bytes]:
    """The raw bytes of each range of a plain FASTA, through a read-only memory map."""
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        for first, stop in zip(ranges.first.tolist(), ranges.stop.tolist()):
            yield mapped[first:stop]


def _bgzip_ranges(path: str, ranges: _ByteRanges, gzi: Sequence[pyfaidx.BgzfBlock]) -> Iterator[bytes]:
    """The raw (inflated) bytes of each range of a bgzip FASTA; each block inflated once, in order."""
    block_starts = np.fromiter((block.ustart for block in gzi), dtype=np.int64, count=len(gzi))
    compressed = np.fromiter((block.cstart for block in gzi), dtype=np.int64, count=len(gzi))
    low = np.searchsorted(block_starts, ranges.first, side="right") - 1
    high = np.searchsorted(block_starts, ranges.stop - 1, side="right") - 1
    wanted, limits = _blocks_wanted(len(gzi), low, high, ranges.stop - block_starts[high])
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        ends = np.append(compressed[1:], len(mapped))
        # closing(): the inflating threads stop before the map closes, even when a window fails
        with closing(_inflate_in_order(mapped, compressed[wanted], ends[wanted], limits)) as inflated:
            origins = block_starts.tolist()
            cache: dict[int, bytes] = {}  # the inflated blocks from the current window's first on
            arriving = iter(wanted.tolist())
            for first, stop, first_block, last_block in zip(
                ranges.first.tolist(), ranges.stop.tolist(), low.tolist(), high.tolist()
            ):
                while last_block not in cache:
                    cache[next(arriving)] = next(inflated)
                while next(iter(cache)) < first_block:  # windows come in genomic order: no later one reads it
                    del cache[next(iter(cache))]
                if first_block == last_block:
                    origin = origins[first_block]
                    yield cache[first_block][first - origin : stop - origin]
                else:
                    pieces = [cache[first_block][first - origins[first_block] :]]
                    pieces += [cache[block] for block in range(first_block + 1, last_block)]
                    pieces.append(cache[last_block][: stop - origins[last_block]])
                    yield b"".join(pieces)


def _blocks_wanted(
    n_blocks: int, low: np.ndarray, high: np.ndarray, reach: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Blocks that windows ``low..high`` touch, in order, and how many bytes of each to inflate (0: all of it).

    A block is inflated whole when a window runs on past it, else up to the furthest ``reach`` of the windows
    ending in it.
    """
    touched = np.zeros(n_blocks + 1, dtype=np.int64)
    np.add.at(touched, low, 1)
    np.add.at(touched, high + 1, -1)
    runs_past = np.zeros(n_blocks + 1, dtype=np.int64)
    np.add.at(runs_past, low, 1)
    np.add.at(runs_past, high, -1)
    reaches = np.zeros(n_blocks, dtype=np.int64)
    np.maximum.at(reaches, high, reach)
    wanted = np.flatnonzero(np.cumsum(touched)[:-1] > 0)
    whole = np.cumsum(runs_past)[:-1][wanted] > 0
    return wanted, np.where(whole, 0, reaches[wanted])


def _inflate_in_order(mapped: mmap.mmap, starts: np.ndarray, ends: np.ndarray, limits: np.ndarray) -> Iterator[bytes]:
    """Inflate the blocks ``mapped[starts[i]:ends[i]]`` (each up to ``limits[i]`` bytes, 0 for all), yielding them
    in order while a few threads work ahead."""
    members = list(zip(starts.tolist(), ends.tolist(), limits.tolist()))
    tasks = (members[i : i + _BLOCKS_PER_TASK] for i in range(0, len(members), _BLOCKS_PER_TASK))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    workers = min(cores, _TASKS_AHEAD)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bgzf") as pool:
        running = deque(pool.submit(_inflate, mapped, task) for task in islice(tasks, _TASKS_AHEAD))
        while running:
            done = running.popleft().result()
            running.extend(pool.submit(_inflate, mapped, task) for task in islice(tasks, 1))
            yield from done


def _inflate(mapped: mmap.mmap, task: list[tuple[int, int, int]]) -> list[bytes]:
    """Inflate consecutive gzip members of ``mapped``; isal releases the GIL while it works."""
    inflated = []
    for start, end, limit in task:
        member = mapped[start:end]
        if limit:
            inflated.append(zlib.decompressobj(_GZIP_WBITS).decompress(member, limit))
        else:
            inflated.append(zlib.decompress(member, _GZIP_WBITS))
    return inflated
