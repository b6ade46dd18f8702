"""Known human assemblies: primary chromosome lengths, used to catch a genome FASTA from the wrong build.

Lengths are those of the GRC releases (UCSC ``chromInfo`` / Ensembl ``.fai``) and are keyed by the bare name
(``"1"``, ``"X"``, ``"MT"``); contig names are normalised with :func:`bare_contig_name` before comparison.
"""

from __future__ import annotations

from collections.abc import Mapping

CHROMOSOME_LENGTHS: Mapping[str, Mapping[str, int]] = {
    "GRCh37": {
        "1": 249250621, "2": 243199373, "3": 198022430, "4": 191154276, "5": 180915260, "6": 171115067,
        "7": 159138663, "8": 146364022, "9": 141213431, "10": 135534747, "11": 135006516, "12": 133851895,
        "13": 115169878, "14": 107349540, "15": 102531392, "16": 90354753, "17": 81195210, "18": 78077248,
        "19": 59128983, "20": 63025520, "21": 48129895, "22": 51304566, "X": 155270560, "Y": 59373566,
    },
    "GRCh38": {
        "1": 248956422, "2": 242193529, "3": 198295559, "4": 190214555, "5": 181538259, "6": 170805979,
        "7": 159345973, "8": 145138636, "9": 138394717, "10": 133797422, "11": 135086622, "12": 133275309,
        "13": 114364328, "14": 107043718, "15": 101991189, "16": 90338345, "17": 83257441, "18": 80373285,
        "19": 58617616, "20": 64444167, "21": 46709983, "22": 50818468, "X": 156040895, "Y": 57227415,
    },
}


def bare_contig_name(name: str) -> str:
    """Normalise a contig name for comparison: drop a ``chr`` prefix and map ``M`` to ``MT``.

    >>> bare_contig_name("chr20"), bare_contig_name("20"), bare_contig_name("chrM")
    ('20', '20', 'MT')
    """
    bare = name[3:] if name.lower().startswith("chr") else name
    return "MT" if bare == "M" else bare


def assemblies_matching(contig_lengths: Mapping[str, int]) -> list[str]:
    """Names of the known assemblies whose primary chromosome lengths agree with every known contig given.

    Contigs that no known assembly lists (scaffolds, a synthetic genome) are ignored; if none is known the
    result is empty.
    """
    known = {bare_contig_name(name): length for name, length in contig_lengths.items()}
    matches = []
    for assembly, lengths in CHROMOSOME_LENGTHS.items():
        shared = [name for name in known if name in lengths]
        if shared and all(known[name] == lengths[name] for name in shared):
            matches.append(assembly)
    return matches
