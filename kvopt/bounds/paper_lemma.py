"""The analytic lower bound of the MC-SF paper (arXiv 2502.07115 v5, Lemma 4.7).

For instances with all requests at round 0 and one prompt size s, with n_o requests of output length o
and vol_o = s*o + o(o+1)/2:

    OPT >= (1/(6M)) * sum_o n_o * sum_{o' <= o} n_{o'} * vol_{o'}  +  (1/6) * sum_o n_o * o.

For comparison with the paper only, so a library function and not a registered method (registered
bounds run on every instance of certify and sweeps, and this one applies to one special case):
formulations/lower-bounds.md §4 proves it is at most half of max(memory-volume bound, sum of o_i).
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from kvopt.errors import InputError
from kvopt.instance import Instance


def lemma47_value(instance: Instance) -> Fraction:
    """The exact value of the Lemma 4.7 expression; InputError outside its assumptions."""
    if any(r.arrival != 0 for r in instance.requests):
        raise InputError("Lemma 4.7 assumes every request arrives at round 0", "lemma47")
    prompts = {r.prompt for r in instance.requests}
    if len(prompts) != 1:
        raise InputError(f"Lemma 4.7 assumes one prompt size, got {len(prompts)} different ones", "lemma47")
    prompt = prompts.pop()
    counts = Counter(r.output for r in instance.requests)
    volume_term = Fraction(0)
    prefix = 0  # sum over o' <= o of n_{o'} vol_{o'}
    for output in sorted(counts):
        prefix += counts[output] * (prompt * output + output * (output + 1) // 2)
        volume_term += counts[output] * prefix
    return volume_term / (6 * instance.memory) + Fraction(sum(r.output for r in instance.requests), 6)
