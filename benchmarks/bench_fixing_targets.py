"""Target fixing on one paper prefix: fix with a target T below UB (a start is kept only if a schedule of
total latency <= T - 1 can use it), then CP-SAT over the starts left; INFEASIBLE proves OPT >= T.
Not yet in `pattern-fix` (benchmarks/README.md, "Reduced-cost fixing").

    PYTHONPATH=. python benchmarks/bench_fixing_targets.py 1 1 15 690 695 700 705 710 715
"""
import sys, time, math
from kvopt.catalogue import get_method
from kvopt.generate.paper import paper_synthetic
from kvopt.patterns.bound import lagrangian
from kvopt.patterns.fixing import allowed_starts, restricted_search
from kvopt.patterns.pricing import through
from kvopt.solve import solve
model, index, n = map(int, sys.argv[1:4])
targets = [int(x) for x in sys.argv[4:]]
full = paper_synthetic(model, 1, index)
inst = full.replace_requests(full.requests[:n], name=f"{full.name}-n{n}")
t0=time.monotonic(); up = solve(inst, "cpsat", time_limit=15)
print(inst.name, "UB", up.objective, f"{time.monotonic()-t0:.1f}s", flush=True)
spec = get_method("pattern-fix")
settings = spec.settings(60, 0, 1, {}, up.schedule, None)
t0=time.monotonic(); found = lagrangian(inst, settings); s = found.search
print(f"LP {found.lp_value:.2f} L {s.best:.2f} {time.monotonic()-t0:.1f}s", flush=True)
t0=time.monotonic(); via = through(s.classes, inst.memory, s.best_prices, max_states=30_000_000)
print(f"through {via.status} {via.states:,} {time.monotonic()-t0:.1f}s", flush=True)
for T in targets or range(math.ceil(s.best)+1, up.objective+1, 3):
    allowed = allowed_starts(s.classes, s.best_prices, via, T)
    log=[]; st = spec.settings(20, 0, 1, {}, up.schedule, None)
    t0=time.monotonic()
    starts, obj, bound, inf = restricted_search(inst, allowed, T, up.schedule, st, log, 20)
    print(f"T {T}: {sum(a.size for a in allowed)} starts; infeasible {inf} obj {obj} bound {bound} {time.monotonic()-t0:.1f}s", flush=True)
