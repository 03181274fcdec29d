"""The tables of docs/policies-vs-sources.md, from the golden Vidur schedules.

    python benchmarks/vidur_parity.py [tests/golden/vidur_unit_rounds.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kvopt.policies.vidur_parity import difference_table, fixed_line, parity_table

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "golden" / "vidur_unit_rounds.json"


def main(argv: list[str]) -> int:
    cases = json.loads(Path(argv[0] if argv else GOLDEN).read_text())["cases"]
    print("\n".join(parity_table(cases)))
    print()
    print("\n".join(difference_table(cases)))
    print()
    print(fixed_line(cases))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
