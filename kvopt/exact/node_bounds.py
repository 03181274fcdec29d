"""Lower bounds on the remaining waiting of a search node (formulations/exact-solver.md, §Bounds).

A node at decision time t has a profile P of the started requests and a set of waiting requests. Every
waiting request i will start at some p_i >= max(a_i, t) and complete at c_i = p_i + o_i; the remaining
cost is sum (p_i - max(a_i, t)) = sum c_i - sum (o_i + max(a_i, t)). Three lower bounds on sum c_i:

B1 (alone): c_i >= max(a_i, t + e_i) + o_i, with e_i the earliest offset at which i fits on P alone (any
   start of i must fit on P plus the others, hence on P).
B2 (memory volume): the k requests completing first hold their whole volume v_i = s_i o_i + o_i(o_i+1)/2
   in rounds t+1..c_(k), where at most M - P(round) is free; so c_(k) >= the first round by which the
   free capacity reaches the sum of the k smallest volumes. Combined per order statistic with B1.
B3 (completion chain of big requests, peak s + o > M/2, 2M/3, 3M/4): if c_i <= c_j then at round c_i
   request i holds s_i + o_i, so j is either not started (c_j >= c_i + o_j) or holds
   s_j + age <= M - s_i - o_i, hence c_j >= c_i + delta_ij, delta_ij = max(0, o_j - max(0, M - s_i - o_i
   - s_j)). Along the completion order of the chosen waiting requests, c_(k) >= c_(j) + (sum of the k - j
   smallest q), q_j = min_i delta_ij; the other requests take B1.
"""

from __future__ import annotations

from kvopt.exact.profile import earliest_offset


class NodeBounds:
    """Precomputed class data; `remaining(...)` evaluates the largest of B1+B2 and the B3 levels."""

    CHAIN_FULL_MAX = 16  # up to this many big requests the chain bound takes the max over all j

    def __init__(self, memory: int, classes, use_chain: bool = True):
        self.memory = memory
        self.classes = classes
        self.prompt = [c.prompt for c in classes]
        self.output = [c.output for c in classes]
        self.volume = [c.volume for c in classes]
        self.arrivals = [c.arrivals for c in classes]
        self.delta = [[max(0, cj.output - max(0, memory - ci.peak - cj.prompt)) for cj in classes]
                      for ci in classes]
        # B3 is evaluated on the requests with peak s + o above each threshold (all > M/2); per level and
        # class j, the level's classes i by increasing delta_ij (the first waiting one gives q_j)
        self.levels = []
        for threshold in (memory / 2, 2 * memory / 3, 3 * memory / 4) if use_chain else ():
            members = [i for i, c in enumerate(classes) if c.peak > threshold]
            if len(members) >= 2 and (not self.levels or members != self.levels[-1][0]):
                self.levels.append((members, [sorted(members, key=lambda i: self.delta[i][j])
                                              for j in range(len(classes))]))

    def remaining(self, t: int, started: tuple[int, ...], profile: tuple[int, ...], ends: tuple[int, ...],
                  floor: int) -> int:
        """Lower bound on sum over waiting i of (p_i - max(a_i, t)). Classes below `floor` cannot start
        at t any more (starts within a round go in class order)."""
        memory = self.memory
        completions: list[int] = []
        volumes: list[int] = []
        waiting_completions: list[tuple[int, int]] = []   # (class, completion bound B1)
        base = 0
        for k, count in enumerate(started):
            arrivals = self.arrivals[k]
            if count == len(arrivals):
                continue
            output = self.output[k]
            first = max(0 if k >= floor else 1, arrivals[count] - t)
            ready = t + earliest_offset(profile, ends, self.prompt[k], output, memory, first)
            for a in arrivals[count:]:
                completion = (ready if ready > a else a) + output
                completions.append(completion)
                volumes.append(self.volume[k])
                base += output + (a if a > t else t)
                waiting_completions.append((k, completion))
        if not completions:
            return 0
        completions.sort()
        volumes.sort()
        # B1 + B2 per order statistic
        size = len(profile)
        free = 0      # free capacity in rounds t+1 .. t+rounds
        rounds = 0
        need = 0
        total = 0
        for kth, v in enumerate(volumes):
            need += v
            while free < need and rounds < size:
                free += memory - profile[rounds]
                rounds += 1
            if free < need:
                volume_round = t + rounds + -(-(need - free) // memory)
            else:
                volume_round = t + rounds
            c = completions[kth]
            total += c if c > volume_round else volume_round
        for members, predecessors in self.levels:
            chain = self._chain(started, waiting_completions, members, predecessors)
            if chain > total:
                total = chain
        return total - base

    def _chain(self, started, waiting_completions, members, predecessors) -> int:
        """B3 on the waiting requests of the classes `members` plus B1 for the others."""
        member_set = set(members)
        chain_classes, chain_completions, others = [], [], 0
        for k, completion in waiting_completions:
            if k in member_set:
                chain_classes.append(k)
                chain_completions.append(completion)
            else:
                others += completion
        m = len(chain_classes)
        if m < 2:
            return 0
        delta = self.delta
        waiting = {k: len(self.arrivals[k]) - started[k] for k in set(chain_classes)}
        gaps = []
        for j in chain_classes:
            for i in predecessors[j]:
                if i in waiting and (i != j or waiting[i] >= 2):
                    gaps.append(delta[i][j])
                    break
        gaps.sort()
        chain_completions.sort()
        prefix = [0]
        for g in gaps:
            prefix.append(prefix[-1] + g)
        chain = 0
        if m <= self.CHAIN_FULL_MAX:
            for k in range(m):
                chain += max(chain_completions[j] + prefix[k - j] for j in range(k + 1))
        else:
            first = chain_completions[0]
            for k in range(m):
                chain += max(chain_completions[k], first + prefix[k])
        return chain + others
