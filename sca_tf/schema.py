"""Names of sca-tf's own tables and labels, defined once: DE-table and promoter-table columns, DE statuses,
dataset splits and split schemes.

A gene's DE *status* comes from ``sca-tf dge``: ``up`` / ``down`` (DE by the rule), ``not_de`` (tested, not DE) or
``untestable`` (no adjusted p-value: all-zero counts, a Cook's outlier or removed by independent filtering). The
binary label of the classifiers is 1 for :data:`DE_STATUSES`, 0 for :data:`NOT_DE`; untestable genes carry no label.
"""

from __future__ import annotations

UP, DOWN, NOT_DE, UNTESTABLE = "up", "down", "not_de", "untestable"
#: Every status of the DE table, in the order its summaries list them.
STATUSES = (UP, DOWN, NOT_DE, UNTESTABLE)
#: The statuses labelled DE (label 1).
DE_STATUSES = (UP, DOWN)
#: Statuses in the order of the ``sca_promoters`` dataset's ``status`` ClassLabel (fixed: it is what is on disk).
DATASET_STATUS_ORDER = (NOT_DE, UP, DOWN, UNTESTABLE)
#: Why a gene is untestable (``untestable_reason`` column).
UNTESTABLE_REASONS = ("all_zero", "cooks_outlier", "independent_filtering")

#: Columns of ``de_table.tsv`` as ``sca-tf dge`` writes it, in order.
DE_COLUMNS = (
    "gene_id", "baseMean", "log2FoldChange", "lfcSE", "stat", "pvalue", "padj", "status", "untestable_reason",
)
#: Columns of ``promoters.tsv`` as ``sca-tf promoters`` writes it, in order.
PROMOTER_COLUMNS = (
    "gene_id", "gene_name", "gene_biotype", "chrom", "strand", "tss", "start", "end",
    "upstream", "downstream", "assembly", "status", "gc", "cpg_oe", "sequence",
)
#: Why ``sca-tf promoters`` dropped a gene (``dropped.tsv``).
DROP_REASONS = ("not_in_annotation", "excluded_biotype", "missing_contig", "off_contig_edge", "too_many_n")

TRAIN, VALIDATION, TEST = "train", "validation", "test"
#: The splits every labelled dataset has; untestable genes, when kept, form a split named :data:`UNTESTABLE`.
SPLITS = (TRAIN, VALIDATION, TEST)
#: ``random``: seeded, stratified; ``chrom``: whole chromosomes held out.
SPLIT_SCHEMES = ("random", "chrom")
#: Cross-validation (``sca-tf cv``): test = fold k of K, stratified (``kfold``) or whole chromosomes
#: (``chrom_kfold``); validation carved from the other folds.
KFOLD, CHROM_KFOLD = "kfold", "chrom_kfold"
FOLD_SCHEMES = (KFOLD, CHROM_KFOLD)
#: What a model predicts: ``de`` (P(DE), one sigmoid), ``direction`` (softmax over :data:`DIRECTION_CLASSES`,
#: whose order is that of the dataset's ``status`` codes 0-2) or ``log2fc`` (DESeq2's log2 fold change of a testable
#: gene, one linear unit).
DE_TARGET, DIRECTION_TARGET, LOG2FC_TARGET = "de", "direction", "log2fc"
TARGETS = (DE_TARGET, DIRECTION_TARGET, LOG2FC_TARGET)
DIRECTION_CLASSES = DATASET_STATUS_ORDER[:3]
#: Share of the testable genes held out for test, and of the rest carved out of train for validation.
TEST_FRACTION, VALIDATION_FRACTION = 0.2, 0.1
