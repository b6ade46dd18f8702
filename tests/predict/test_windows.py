"""The indel policy and window indices of `sca_tf.predict.windows`, on a hand-made genome."""

from __future__ import annotations

import numpy as np

from sca_tf.predict.windows import alt_window, window_index, windows_by_contig
from sca_tf.sequence import reverse_complement

GENOME = "AAAAACCCCCGGGGGTTTTT" * 3  # 60 bases
START, END = 20, 30  # a 10-base window


def test_substitutions_on_both_strands():
    plus, _ = alt_window(GENOME, 0, START, END, False, 22, 23, "T")
    assert plus == GENOME[20:22] + "T" + GENOME[23:30]
    minus, _ = alt_window(GENOME, 0, START, END, True, 22, 23, "T")
    assert minus == reverse_complement(GENOME[20:22] + "T" + GENOME[23:30])
    assert window_index(START, END, False, 22, 23) == 2 and window_index(START, END, True, 22, 23) == 7
    assert window_index(START, END, True, 22, 24) == 6  # an MNV: its 5'-most base on the minus strand


def test_indels_stay_anchored_at_the_tss_and_keep_the_length():
    # plus strand: the TSS is past END; a deletion pulls genome bases in at the 5' end, an insertion pushes out
    deleted, _ = alt_window(GENOME, 0, START, END, False, 24, 26, "")
    assert deleted == GENOME[18:24] + GENOME[26:30]
    inserted, _ = alt_window(GENOME, 0, START, END, False, 24, 24, "GGG")
    assert inserted == (GENOME[20:24] + "GGG" + GENOME[24:30])[-10:]
    # minus strand: the TSS is before START, the fill comes from beyond END
    deleted, _ = alt_window(GENOME, 0, START, END, True, 24, 26, "")
    assert deleted == reverse_complement(GENOME[20:24] + GENOME[26:32])
    assert alt_window(GENOME, 0, START, END, False, 29, 31, "") == (None, "indel_crosses_tss")
    assert alt_window(GENOME, 0, START, END, True, 19, 21, "") == (None, "indel_crosses_tss")
    assert alt_window(GENOME[:31], 0, START, END, True, 24, 26, "") == (None, "contig_edge")


def test_overlap_rules():
    index = windows_by_contig(np.array(["c", "c"]), np.array([20, 25]), np.array([30, 35]))["c"]
    assert index.overlapping(19, 20).tolist() == [] and index.overlapping(19, 21).tolist() == [0]
    assert sorted(index.overlapping(27, 28).tolist()) == [0, 1]
    assert index.overlapping(20, 20).tolist() == []  # an insertion on the window's edge is outside
    assert index.overlapping(21, 21).tolist() == [0]
