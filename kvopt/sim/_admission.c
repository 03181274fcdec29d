/* The simulator's round loop (kvopt/sim/engine.py) for a few policies, in C: the same periods, the same
 * decisions, the same schedule, without per-request Python objects. kvopt/sim/compiled.py decides when it
 * applies (unit rounds, instance arrivals, no observers, a policy of the list below with its exact type)
 * and turns the arrays it fills into what kvopt.sim.run expects; tests/sim/test_compiled.py compares it
 * with the Python engine and with the frozen reference engine.
 *
 * Policies (kind): 0 future-peak admission (MC-SF, MC-Benchmark, amax, amin, lightllm:
 * kvopt/policies/future_peak.py with the incremental PeakLoad of kvopt/policies/peak_load.py), 1 fluid
 * (kvopt/policies/fluid.py: the same check, starts paced by the fluid budget), 2 watermark FCFS
 * (kvopt/policies/watermark.py: vllm, alpha-greedy, alpha-clearing), 3 sorted-f, 4 worst-case reservation (kvopt/policies/reservation.py: orca, and
 * faster-transformer with sequential=1: a static batch starts only when nothing runs), 5 WAIT
 * (kvopt/policies/wait.py: a queue per request type, cohorts within booking limits), 6 Nested WAIT
 * (kvopt/policies/nested_wait.py: the gate of segment 1); 5 and 6 launch the stragglers when the trace
 * ends (flush). Queue keys (key): 0 arrival, 1 shortest remaining estimate, 2 memory-time volume,
 * 3 evicted requests first. Overflow: eviction 0 none, 1 restart, 2 recompute; victim 0 latest-arrived,
 * 1 most-recent-start, 2 fewest-generated, 3 largest-memory (kvopt/sim/rules.py).
 *
 * run(params, burst, order, arrival, prompt, output, guess, first_start, completion, evictions,
 *     tokens_lost, recomputed, arrived, tick, types)
 *   params: (kind, key, memory, limit, clear_target, max_running or -1 (reservation: the free slots),
 *   eviction, victim, predicted, sequential, pool, segment_budget, segment_length) (the last two: Nested
 *   WAIT's segment 1); types: WAIT's (type of each request, booking, per_stage), int64 arrays, else None;
 *   limit: the future-peak limit floor((1 - reserve) M), or the watermark budget floor((1 - alpha) M);
 *   order: request positions by (arrival, position); guess: the predicted output or interval end
 *   (predicted=1) or the output; the next six int64 arrays are filled per request (given zeroed); tick(period, rounds,
 *   finished) is called every 16,384 executed rounds (or None). Ctrl-C is checked at the same pace.
 *   returns (status, rounds, runs, idle): status 0 done, 1 the Python engine must run the instance
 *   (it raises an error there: an overflow under rule none, a livelock, a policy that starts nothing);
 *   rounds: five bytearrays of int64, one entry per executed round: period, requests, prefill_tokens,
 *   memory, waiting (writable for numpy without a copy); runs: bytes of int64 rows (request,
 *   start, tokens, kept) of the executed runs of evicted requests, in order; idle: rows (first period,
 *   next arrival, waiting) of the idle stretches. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

enum { FUTURE_PEAK = 0, FLUID = 1, WATERMARK = 2, SORTED_F = 3, RESERVATION = 4, WAIT = 5, NESTED_WAIT = 6 };
enum { KEY_ARRIVAL = 0, KEY_SHORTEST = 1, KEY_VOLUME = 2, KEY_EVICTED_FIRST = 3 };
enum { WAITING = 1, RUNNING = 2, DONE = 3 };
#define FALLBACK 1
#define OOM (-1)
#define RAISED (-2)
#define PACE 0x3FFF

typedef struct { int64_t *v; int64_t n, cap; } Vec;
typedef struct { int64_t k1, arrival, index; } QEntry;     /* waiting queue: min-heap on the triple */
typedef struct { int64_t due, index, run_start; } CEntry;  /* completions: min-heap on due */

static int vec_push(Vec *a, int64_t x) {
    if (a->n == a->cap) {
        int64_t cap = a->cap ? 2 * a->cap : 1024;
        int64_t *v = realloc(a->v, (size_t)cap * sizeof(int64_t));
        if (!v) return OOM;
        a->v = v, a->cap = cap;
    }
    a->v[a->n++] = x;
    return 0;
}

static int grow(void **p, int64_t *cap, int64_t need, size_t item) {
    if (need <= *cap) return 0;
    int64_t c = *cap ? *cap : 64;
    while (c < need) c *= 2;
    void *q = realloc(*p, (size_t)c * item);
    if (!q) return OOM;
    *p = q, *cap = c;
    return 0;
}

typedef struct {
    int kind, key, eviction, victim, predicted, sequential;
    int64_t n, M, limit, clear_target, max_running, pool;
    double burst;
    const int64_t *order, *arrival_in, *prompt, *output, *guess;
    int64_t *first_start, *completion, *evictions, *lost, *recomputed, *arrival;
    int64_t *kept, *run_start, *max_gen, *run_pos, *load_end;
    char *status, *has_runs, *in_loads;
    /* engine */
    int64_t period, held, next, waiting, unfinished, finished, tokens_needed, pending, last_completion;
    int64_t *running; int64_t nrunning;
    QEntry *queue; int64_t qn, qcap;
    CEntry *due; int64_t dn, dcap;
    Vec rounds[5], runs, idle, chosen;
    /* PeakLoad: runs sorted by end, with the load at each end */
    int64_t *lend, *lbase, *lload, *lkey; int64_t ln, lcap;
    /* fluid */
    double budget; int64_t volume_seen, seen;
    int64_t *aux; int64_t auxcap;
    /* sorted-f: the waiting requests in the order they (re)joined, the loads of the running ones */
    Vec wl, pick;
    int64_t *bend, *bbase, *bload; int64_t bcap;
    void *scratch; int64_t scratch_cap;
    /* WAIT: a queue per type and the running requests of each type; Nested WAIT: segment 1 */
    const int64_t *type_of, *booking, *per_stage; int64_t ntypes;
    QEntry **tq; int64_t *tqn, *tqcap, *type_running;
    int64_t segment_budget, segment_length;
    PyObject *tick;
} Sim;

/* ---- waiting queue -------------------------------------------------------------------------------- */
static int q_less(const QEntry *a, const QEntry *b) {
    if (a->k1 != b->k1) return a->k1 < b->k1;
    if (a->arrival != b->arrival) return a->arrival < b->arrival;
    return a->index < b->index;
}

static int64_t estimate(Sim *s, int64_t i) {
    if (!s->predicted) return s->output[i];
    int64_t g = s->guess[i], known = s->max_gen[i] + 1, cap = s->M - s->prompt[i];
    if (known > g) g = known;
    return g < cap ? g : cap;
}

static int64_t volume(Sim *s, int64_t i) {
    int64_t remaining = estimate(s, i) - s->kept[i];
    return (s->prompt[i] + s->kept[i]) * remaining + remaining * (remaining + 1) / 2;
}

static int64_t queue_key(Sim *s, int64_t i) {
    switch (s->key) {
    case KEY_SHORTEST: return estimate(s, i) - s->kept[i];
    case KEY_VOLUME: return volume(s, i);
    case KEY_EVICTED_FIRST: return s->evictions[i] == 0;
    default: return 0;
    }
}

static int heap_push(QEntry **heap, int64_t *n, int64_t *cap, QEntry e) {
    if (grow((void **)heap, cap, *n + 1, sizeof(QEntry))) return OOM;
    QEntry *h = *heap;
    int64_t k = (*n)++;
    while (k > 0) {
        int64_t parent = (k - 1) / 2;
        if (!q_less(&e, &h[parent])) break;
        h[k] = h[parent];
        k = parent;
    }
    h[k] = e;
    return 0;
}

static int64_t heap_pop(QEntry *h, int64_t *size) {
    int64_t top = h[0].index;
    QEntry e = h[--*size];
    int64_t k = 0, n = *size;
    for (;;) {
        int64_t c = 2 * k + 1;
        if (c >= n) break;
        if (c + 1 < n && q_less(&h[c + 1], &h[c])) c++;
        if (!q_less(&h[c], &e)) break;
        h[k] = h[c];
        k = c;
    }
    if (n) h[k] = e;
    return top;
}

static int q_push(Sim *s, int64_t i) {
    QEntry e = {queue_key(s, i), s->arrival[i], i};
    if (s->kind == WAIT) {
        int64_t j = s->type_of[i];
        return heap_push(&s->tq[j], &s->tqn[j], &s->tqcap[j], e);
    }
    return heap_push(&s->queue, &s->qn, &s->qcap, e);
}

static int64_t q_pop(Sim *s) { return heap_pop(s->queue, &s->qn); }

/* ---- completion heap ------------------------------------------------------------------------------- */
static int d_push(Sim *s, int64_t due, int64_t i, int64_t run_start) {
    if (grow((void **)&s->due, &s->dcap, s->dn + 1, sizeof(CEntry))) return OOM;
    CEntry e = {due, i, run_start};
    int64_t k = s->dn++;
    while (k > 0) {
        int64_t parent = (k - 1) / 2;
        if (s->due[parent].due <= due) break;
        s->due[k] = s->due[parent];
        k = parent;
    }
    s->due[k] = e;
    return 0;
}

static CEntry d_pop(Sim *s) {
    CEntry top = s->due[0], e = s->due[--s->dn];
    int64_t k = 0, n = s->dn;
    for (;;) {
        int64_t c = 2 * k + 1;
        if (c >= n) break;
        if (c + 1 < n && s->due[c + 1].due < s->due[c].due) c++;
        if (s->due[c].due >= e.due) break;
        s->due[k] = s->due[c];
        k = c;
    }
    if (n) s->due[k] = e;
    return top;
}

/* ---- PeakLoad (kvopt/policies/peak_load.py) ------------------------------------------------------- */
static int64_t lower(Sim *s, int64_t end) {   /* first position with lend >= end */
    int64_t lo = 0, hi = s->ln;
    while (lo < hi) { int64_t mid = (lo + hi) / 2; if (s->lend[mid] < end) lo = mid + 1; else hi = mid; }
    return lo;
}

static int64_t upper(Sim *s, int64_t end) {   /* first position with lend > end */
    int64_t lo = 0, hi = s->ln;
    while (lo < hi) { int64_t mid = (lo + hi) / 2; if (s->lend[mid] <= end) lo = mid + 1; else hi = mid; }
    return lo;
}

static int64_t load_at(Sim *s, int64_t base, int64_t end, int64_t first) {
    int64_t total = base + end + (s->ln - first) * end;
    for (int64_t j = first; j < s->ln; j++) total += s->lbase[j];
    return total;
}

static int64_t peak_with(Sim *s, int64_t base, int64_t end) {
    int64_t first = lower(s, end), upto = upper(s, end), peak = load_at(s, base, end, first);
    for (int64_t j = 0; j < upto; j++)
        if (s->lload[j] + s->lend[j] + base > peak) peak = s->lload[j] + s->lend[j] + base;
    for (int64_t j = upto; j < s->ln; j++)
        if (s->lload[j] > peak) peak = s->lload[j];
    return peak;
}

static int loads_add(Sim *s, int64_t i, int64_t base, int64_t end) {
    if (s->ln == s->lcap) {
        int64_t cap = s->lcap ? 2 * s->lcap : 64;
        int64_t *p[4] = {s->lend, s->lbase, s->lload, s->lkey};
        for (int k = 0; k < 4; k++) {
            int64_t *q = realloc(p[k], (size_t)cap * sizeof(int64_t));
            if (!q) return OOM;
            p[k] = q;
            if (k == 0) s->lend = q; else if (k == 1) s->lbase = q; else if (k == 2) s->lload = q; else s->lkey = q;
        }
        s->lcap = cap;
    }
    int64_t first = lower(s, end), upto = upper(s, end), load = load_at(s, base, end, first), n = s->ln;
    for (int64_t j = 0; j < upto; j++) s->lload[j] += base + s->lend[j];
    size_t move = (size_t)(n - upto) * sizeof(int64_t);
    memmove(s->lend + upto + 1, s->lend + upto, move);
    memmove(s->lbase + upto + 1, s->lbase + upto, move);
    memmove(s->lload + upto + 1, s->lload + upto, move);
    memmove(s->lkey + upto + 1, s->lkey + upto, move);
    s->lend[upto] = end, s->lbase[upto] = base, s->lload[upto] = load, s->lkey[upto] = i;
    s->ln = n + 1;
    s->in_loads[i] = 1, s->load_end[i] = end;
    return 0;
}

static void loads_discard(Sim *s, int64_t i) {
    if (!s->in_loads[i]) return;
    s->in_loads[i] = 0;
    int64_t upto = upper(s, s->load_end[i]), position = upto - 1, n = s->ln;
    while (s->lkey[position] != i) position--;
    int64_t base = s->lbase[position];
    for (int64_t j = 0; j < upto; j++) s->lload[j] -= base + s->lend[j];
    size_t move = (size_t)(n - 1 - position) * sizeof(int64_t);
    memmove(s->lend + position, s->lend + position + 1, move);
    memmove(s->lbase + position, s->lbase + position + 1, move);
    memmove(s->lload + position, s->lload + position + 1, move);
    memmove(s->lkey + position, s->lkey + position + 1, move);
    s->ln = n - 1;
}

/* runs predicted to end by `period` (overdue): their removal leaves the other loads unchanged */
static void loads_drop_through(Sim *s, int64_t period) {
    int64_t upto = upper(s, period), n = s->ln;
    if (!upto) return;
    for (int64_t j = 0; j < upto; j++) s->in_loads[s->lkey[j]] = 0;
    size_t move = (size_t)(n - upto) * sizeof(int64_t);
    memmove(s->lend, s->lend + upto, move);
    memmove(s->lbase, s->lbase + upto, move);
    memmove(s->lload, s->lload + upto, move);
    memmove(s->lkey, s->lkey + upto, move);
    s->ln = n - upto;
}

/* ---- engine events (kvopt/sim/engine.py) ----------------------------------------------------------- */
static int64_t memory_next(Sim *s) { return s->held + s->nrunning; }

static void running_add(Sim *s, int64_t i) { s->run_pos[i] = s->nrunning; s->running[s->nrunning++] = i; }

static void running_remove(Sim *s, int64_t i) {
    int64_t k = s->run_pos[i], last = s->running[--s->nrunning];
    s->running[k] = last, s->run_pos[last] = k;
}

/* the policies whose PeakLoad lives from one period to the next (sorted-f rebuilds its own) */
static int keeps_loads(Sim *s) { return s->kind == FUTURE_PEAK || s->kind == FLUID; }

static int enqueue(Sim *s, int64_t i) { return s->kind == SORTED_F ? vec_push(&s->wl, i) : q_push(s, i); }

static int requeue(Sim *s, int64_t i) {   /* policy.evicted / policy.rejected */
    if (keeps_loads(s)) loads_discard(s, i);
    if (s->kind == WAIT) s->type_running[s->type_of[i]]--;
    return enqueue(s, i);
}

static int reveal(Sim *s) {
    while (s->next < s->n && s->arrival_in[s->order[s->next]] <= s->period) {
        int64_t i = s->order[s->next++];
        s->arrival[i] = s->period, s->status[i] = WAITING;
        s->tokens_needed += s->output[i], s->pending += s->output[i];
        s->unfinished++, s->waiting++;
        if (enqueue(s, i)) return OOM;
        if (s->kind == FLUID) s->volume_seen += volume(s, i), s->seen++;
    }
    return 0;
}

static int start(Sim *s, int64_t i) {
    s->waiting--;
    s->run_start[i] = s->period;
    if (s->first_start[i] < 0) s->first_start[i] = s->period;
    s->status[i] = RUNNING;
    running_add(s, i);
    s->held += s->prompt[i] + s->kept[i];
    return d_push(s, s->period + s->output[i] - s->kept[i], i, s->period);
}

static int unstart(Sim *s, int64_t i) {
    running_remove(s, i);
    s->held -= s->prompt[i] + s->kept[i];
    s->run_start[i] = -1;
    if (!s->has_runs[i]) s->first_start[i] = -1;
    s->status[i] = WAITING, s->waiting++;
    return requeue(s, i);
}

static int add_run(Sim *s, int64_t i, int64_t start_, int64_t tokens, int64_t kept) {
    s->has_runs[i] = 1;
    return vec_push(&s->runs, i) || vec_push(&s->runs, start_) || vec_push(&s->runs, tokens) ||
           vec_push(&s->runs, kept) ? OOM : 0;
}

static int evict(Sim *s, int64_t i) {
    int64_t tokens = s->period - s->run_start[i], generated = s->kept[i] + tokens, lost;
    s->held -= s->prompt[i] + generated;
    running_remove(s, i);
    if (add_run(s, i, s->run_start[i], tokens, s->kept[i])) return OOM;
    if (generated > s->max_gen[i]) s->max_gen[i] = generated;
    if (s->eviction == 1) lost = generated, s->kept[i] = 0;
    else lost = 0, s->kept[i] = generated, s->recomputed[i] += generated;
    s->lost[i] += lost, s->tokens_needed += lost;
    s->run_start[i] = -1;
    s->evictions[i]++;
    s->status[i] = WAITING, s->waiting++;
    return requeue(s, i);
}

static int complete(Sim *s, int64_t i, int64_t executed) {
    int64_t output = s->output[i];
    s->held -= s->prompt[i] + output;
    running_remove(s, i);
    if (s->has_runs[i] && add_run(s, i, s->run_start[i], output - s->kept[i], s->kept[i])) return OOM;
    s->completion[i] = s->period;
    s->status[i] = DONE;
    s->max_gen[i] = output, s->run_start[i] = -1;
    s->unfinished--, s->finished++, s->pending -= output;
    s->last_completion = executed;
    if (keeps_loads(s)) loads_discard(s, i);
    if (s->kind == WAIT) s->type_running[s->type_of[i]]--;
    return 0;
}

typedef struct { int64_t k0, arrival, index; } Victim;

static int victim_order(const void *pa, const void *pb) {   /* largest key first */
    const Victim *a = pa, *b = pb;
    if (a->k0 != b->k0) return a->k0 < b->k0 ? 1 : -1;
    if (a->arrival != b->arrival) return a->arrival < b->arrival ? 1 : -1;
    return a->index < b->index ? 1 : (a->index > b->index ? -1 : 0);
}

static int overflow(Sim *s) {
    if (s->eviction == 0) return FALLBACK;
    int64_t target = s->clear_target < s->M ? s->clear_target : s->M, count = s->nrunning;
    Victim *order = malloc((size_t)count * sizeof(Victim));
    if (!order) return OOM;
    for (int64_t k = 0; k < count; k++) {
        int64_t i = s->running[k], generated = s->kept[i] + s->period - s->run_start[i], k0 = 0;
        if (s->victim == 1) k0 = s->run_start[i];
        else if (s->victim == 2) k0 = -generated;
        else if (s->victim == 3) k0 = s->prompt[i] + generated;
        order[k] = (Victim){k0, s->arrival[i], i};
    }
    qsort(order, (size_t)count, sizeof(Victim), victim_order);
    int status = 0;
    for (int64_t k = 0; k < count && !status; k++) {
        if (memory_next(s) <= target || s->nrunning == 1) break;
        status = evict(s, order[k].index);
    }
    free(order);
    if (!status && memory_next(s) > s->M) status = FALLBACK;
    return status;
}

/* ---- admission ----------------------------------------------------------------------------------- */
static int future_peak_admit(Sim *s, int64_t most) {   /* at most `most` starts (may be < 1) */
    int64_t t = s->period, next_round = memory_next(s);
    loads_drop_through(s, t);
    while (s->qn && s->chosen.n < most) {
        int64_t i = s->queue[0].index, held0 = s->prompt[i] + s->kept[i];
        int64_t base = held0 - t, end = t + estimate(s, i) - s->kept[i], need_next = next_round + held0 + 1;
        int64_t peak = peak_with(s, base, end);
        if (need_next > peak) peak = need_next;
        int64_t limit = (s->nrunning || s->chosen.n) ? s->limit : s->M;
        if (peak > limit) break;
        q_pop(s);
        if (loads_add(s, i, base, end) || vec_push(&s->chosen, i)) return OOM;
        next_round = need_next;
    }
    return 0;
}

/* fluid_rate of the queue's volumes against the limit: smallest first (the heap in order, best first) */
static int queue_fluid_rate(Sim *s, double *rate) {
    if (grow((void **)&s->aux, &s->auxcap, s->qn + 1, sizeof(int64_t))) return OOM;
    int64_t *heap = s->aux, hn = 0, whole = 0;
    double used = 0.0, limit = (double)s->limit;
    heap[hn++] = 0;
    while (hn) {
        int64_t top = heap[0], last = heap[--hn], k = 0;   /* pop the least queue position */
        for (;;) {
            int64_t c = 2 * k + 1;
            if (c >= hn) break;
            if (c + 1 < hn && q_less(&s->queue[heap[c + 1]], &s->queue[heap[c]])) c++;
            if (!q_less(&s->queue[heap[c]], &s->queue[last])) break;
            heap[k] = heap[c], k = c;
        }
        if (hn) heap[k] = last;
        double v = (double)s->queue[top].k1;
        if (used + v > limit) {
            *rate = (double)whole + (limit - used) / v;
            return 0;
        }
        used += v, whole++;
        for (int64_t child = 2 * top + 1; child <= 2 * top + 2 && child < s->qn; child++) {
            int64_t k2 = hn++;
            while (k2 > 0 && q_less(&s->queue[child], &s->queue[heap[(k2 - 1) / 2]]))
                heap[k2] = heap[(k2 - 1) / 2], k2 = (k2 - 1) / 2;
            heap[k2] = child;
        }
    }
    *rate = (double)whole;
    return 0;
}

static int fluid_admit(Sim *s) {
    double rate = s->seen ? (double)(s->limit * s->seen) / (double)s->volume_seen : 0.0, queued;
    if (s->qn) {
        if (queue_fluid_rate(s, &queued)) return OOM;
        if (queued > rate) rate = queued;
    }
    double cap = s->burst * rate;
    if (cap < 1.0) cap = 1.0;
    s->budget = s->budget + rate <= cap ? s->budget + rate : cap;
    if (!s->qn) return 0;
    int64_t allowed = (int64_t)floor(s->budget + 1e-9);
    if (!s->nrunning && allowed < 1) allowed = 1;
    if (future_peak_admit(s, allowed)) return OOM;
    s->budget -= (double)s->chosen.n;
    return 0;
}

/* first come, first served into the free reservations (max_running: M // reservation, capped) */
static int reservation_admit(Sim *s) {
    if (s->sequential && s->nrunning) return 0;
    while (s->qn && s->nrunning + s->chosen.n < s->max_running)
        if (vec_push(&s->chosen, q_pop(s))) return OOM;
    return 0;
}

/* Wait._launch: per type, the `need` oldest start together when that many wait (threshold), else
 * (flush) up to `need`, at least one */
static int wait_launch(Sim *s, int threshold) {
    for (int64_t j = 0; j < s->ntypes; j++) {
        int64_t need = s->booking[j] - s->type_running[j];
        if (s->per_stage[j] < need) need = s->per_stage[j];
        if (!threshold) {
            if (need < 1) need = 1;
            if (s->tqn[j] < need) need = s->tqn[j];
        }
        if (need < 1 || s->tqn[j] < need) continue;
        for (int64_t k = 0; k < need; k++)
            if (vec_push(&s->chosen, heap_pop(s->tq[j], &s->tqn[j]))) return OOM;
        s->type_running[j] += need;
    }
    return 0;
}

/* NestedWait._cohort: segment 1's gate (gate=0: flush) */
static int nested_wait_cohort(Sim *s, int gate) {
    int64_t t = s->period, inside = 0, budget = s->segment_budget, length = s->segment_length;
    for (int64_t k = 0; k < s->nrunning; k++) {
        int64_t i = s->running[k];
        if (s->kept[i] + t - s->run_start[i] < length) inside++;
    }
    int64_t size = budget / length + (t % length < budget % length), waiting = s->qn;
    if (gate && waiting < (size > 1 ? size : 1) && waiting + inside < budget) return 0;
    int64_t take = size < budget - inside ? size : budget - inside;
    if (waiting < take) take = waiting;
    if (!gate && take < 1 && waiting) take = 1;
    for (int64_t k = 0; k < take; k++)
        if (vec_push(&s->chosen, q_pop(s))) return OOM;
    return 0;
}

static int watermark_admit(Sim *s) {
    int64_t usage = s->held, slots = s->max_running < 0 ? -1 : s->max_running - s->nrunning;
    while (s->qn) {
        int64_t i = s->queue[0].index, held0 = s->prompt[i] + s->kept[i];
        if (slots >= 0 && s->chosen.n >= slots) break;
        if (usage + held0 > ((s->nrunning || s->chosen.n) ? s->limit : s->M)) break;
        usage += held0;
        q_pop(s);
        if (vec_push(&s->chosen, i)) return OOM;
    }
    return 0;
}

/* ---- sorted-f (kvopt/policies/sorted_f.py) ------------------------------------------------------- */
typedef struct { int64_t k1, k2, arrival, pos; } Cand;   /* pos: place among the eligible (lexsort) */

static int cand_order(const void *pa, const void *pb) {
    const Cand *a = pa, *b = pb;
    if (a->k1 != b->k1) return a->k1 < b->k1 ? -1 : 1;
    if (a->k2 != b->k2) return a->k2 < b->k2 ? -1 : 1;
    if (a->arrival != b->arrival) return a->arrival < b->arrival ? -1 : 1;
    return a->pos < b->pos ? -1 : (a->pos > b->pos);
}

typedef struct { int64_t end, base; } Load;

static int load_order(const void *pa, const void *pb) {
    const Load *a = pa, *b = pb;
    return a->end < b->end ? -1 : (a->end > b->end);
}

static int64_t sf_remaining(Sim *s, int64_t i) { return estimate(s, i) - s->kept[i]; }

/* PeakLoad.from_runs of the running requests into lend/lbase/lload, kept in bend/bbase/bload; overdue
 * runs are assumed to end in the coming round */
static int grow_all(int64_t **arrays, int count, int64_t *cap, int64_t need) {
    if (need <= *cap) return 0;
    int64_t c = *cap ? *cap : 64;
    while (c < need) c *= 2;
    for (int a = 0; a < count; a++) {
        int64_t *p = realloc(arrays[a], (size_t)c * 8);
        if (!p) return OOM;
        arrays[a] = p;
    }
    *cap = c;
    return 0;
}

static int sf_background(Sim *s) {
    int64_t k = s->nrunning, t = s->period, *l[4] = {s->lend, s->lbase, s->lload, s->lkey};
    int64_t *b[3] = {s->bend, s->bbase, s->bload};
    int status = grow_all(l, 4, &s->lcap, k + 1);
    s->lend = l[0], s->lbase = l[1], s->lload = l[2], s->lkey = l[3];
    status = status || grow_all(b, 3, &s->bcap, k + 1);
    s->bend = b[0], s->bbase = b[1], s->bload = b[2];
    if (status || grow(&s->scratch, &s->scratch_cap, k + 1, sizeof(Load))) return OOM;
    Load *runs = s->scratch;
    for (int64_t j = 0; j < k; j++) {
        int64_t i = s->running[j], end = s->run_start[i] + estimate(s, i) - s->kept[i];
        runs[j] = (Load){end > t + 1 ? end : t + 1, s->prompt[i] + s->kept[i] - s->run_start[i]};
    }
    qsort(runs, (size_t)k, sizeof(Load), load_order);
    int64_t after = 0;   /* sum of the bases from position j on */
    for (int64_t j = k - 1; j >= 0; j--) after += runs[j].base, s->lload[j] = after;
    for (int64_t j = 0, first = 0; j < k; j++) {
        if (runs[j].end != runs[first].end) first = j;
        s->lend[j] = runs[j].end, s->lbase[j] = runs[j].base, s->lkey[j] = -1;
        s->bload[j] = s->lload[first] + (k - first) * runs[j].end;
    }
    memcpy(s->lload, s->bload, (size_t)k * 8);
    memcpy(s->bend, s->lend, (size_t)k * 8);
    memcpy(s->bbase, s->lbase, (size_t)k * 8);
    s->ln = k;
    return 0;
}

static void sf_restore_background(Sim *s) {
    s->ln = s->nrunning;
    memcpy(s->lend, s->bend, (size_t)s->ln * 8);
    memcpy(s->lbase, s->bbase, (size_t)s->ln * 8);
    memcpy(s->lload, s->bload, (size_t)s->ln * 8);
}

/* the positions in wl of the requests that fit on their own next to the running ones: peak_with for each,
 * from prefix maxima and suffix sums of the background (PeakLoad.peaks_with_each); -1 if out of memory */
static int64_t sf_eligible(Sim *s, int64_t *eligible) {
    int64_t t = s->period, k = s->ln, count = 0;
    int64_t *before = malloc((size_t)(k + 1) * 8), *after = malloc((size_t)(k + 1) * 8);
    int64_t *base_after = malloc((size_t)(k + 1) * 8);
    if (!before || !after || !base_after) count = -1;
    else {
        after[k] = INT64_MIN, base_after[k] = 0;
        for (int64_t j = k - 1; j >= 0; j--) {
            after[j] = s->lload[j] > after[j + 1] ? s->lload[j] : after[j + 1];
            base_after[j] = base_after[j + 1] + s->lbase[j];
        }
        for (int64_t j = 0; j < k; j++) {
            int64_t here = s->lload[j] + s->lend[j];
            before[j] = j && before[j - 1] > here ? before[j - 1] : here;
        }
    }
    for (int64_t p = 0; p < s->wl.n && count >= 0; p++) {
        int64_t i = s->wl.v[p], held0 = s->prompt[i] + s->kept[i], base = held0 - t, end = t + sf_remaining(s, i);
        if (memory_next(s) + held0 + 1 > s->M) continue;
        int64_t first = lower(s, end), upto = upper(s, end);
        int64_t peak = base_after[first] + (k - first) * end + base + end;
        if (upto && before[upto - 1] + base > peak) peak = before[upto - 1] + base;
        if (after[upto] > peak) peak = after[upto];
        if (peak <= s->M) eligible[count++] = p;
    }
    free(before), free(after), free(base_after);
    return count;
}

static void sf_order_keys(Sim *s, int which, const int64_t *eligible, int64_t count, Cand *cands) {
    for (int64_t c = 0; c < count; c++) {
        int64_t i = s->wl.v[eligible[c]], r = sf_remaining(s, i), h = s->prompt[i] + s->kept[i];
        int64_t k1 = which == 0 ? r : which == 1 ? h + r : h * r + r * (r + 1) / 2;
        cands[c] = (Cand){k1, which == 0 ? h : 0, s->arrival[i], c};
    }
    qsort(cands, (size_t)count, sizeof(Cand), cand_order);
}

/* argmin of (total / |X|^2, total, -|X|) over the greedy prefixes of the three orders, into s->chosen */
static int sorted_f_admit(Sim *s) {
    if (!s->wl.n || (s->sequential && s->nrunning)) return 0;
    int64_t w = s->wl.n, t = s->period;
    if (sf_background(s)) return OOM;
    int64_t *eligible = malloc((size_t)w * 8);
    Cand *cands = malloc((size_t)w * sizeof(Cand));
    int status = eligible && cands ? 0 : OOM, found = 0;
    int64_t count = status ? 0 : sf_eligible(s, eligible), best_total = 0, best_size = 0;
    if (count < 0) status = OOM, count = 0;
    double best_f = 0.0;
    for (int which = 0; which < 3 && count && !status; which++) {
        sf_order_keys(s, which, eligible, count, cands);
        sf_restore_background(s);
        int64_t next_round = memory_next(s), total = 0, upto = count < s->pool ? count : s->pool;
        s->pick.n = 0;
        for (int64_t c = 0; c < upto && !status; c++) {
            int64_t i = s->wl.v[eligible[cands[c].pos]], held0 = s->prompt[i] + s->kept[i];
            int64_t base = held0 - t, r = sf_remaining(s, i), need_next = next_round + held0 + 1;
            if (need_next > s->M || peak_with(s, base, t + r) > s->M) continue;
            if (loads_add(s, i, base, t + r) || vec_push(&s->pick, i)) { status = OOM; break; }
            next_round = need_next, total += r;
            int64_t size = s->pick.n;
            double f = (double)total / (double)(size * size);
            if (!found || f < best_f || (f == best_f && (total < best_total ||
                                                         (total == best_total && size > best_size)))) {
                found = 1, best_f = f, best_total = total, best_size = size;
                s->chosen.n = 0;
                for (int64_t k = 0; k < size && !status; k++)
                    if (vec_push(&s->chosen, s->pick.v[k])) status = OOM;
            }
        }
    }
    free(eligible), free(cands);
    return status;
}

/* the engine deletes the started requests from state.waiting: the others keep their order */
static void waiting_compact(Sim *s) {
    int64_t kept = 0;
    for (int64_t p = 0; p < s->wl.n; p++)
        if (s->status[s->wl.v[p]] == WAITING) s->wl.v[kept++] = s->wl.v[p];
    s->wl.n = kept;
}

static int quiet(Sim *s) {
    if (s->kind == SORTED_F) return s->wl.n == 0 || (s->sequential && s->nrunning);
    if (s->kind == FUTURE_PEAK) return s->qn == 0;
    if (s->kind == FLUID || s->kind == WAIT || s->kind == NESTED_WAIT) return 0;
    if (s->kind == RESERVATION) return !s->qn || (s->sequential && s->nrunning) || s->nrunning >= s->max_running;
    if (!s->qn) return 1;
    if (!s->nrunning) return 0;
    if (s->max_running >= 0 && s->nrunning >= s->max_running) return 1;
    int64_t i = s->queue[0].index;
    return s->held + s->prompt[i] + s->kept[i] > s->limit;
}

/* policy.admit (flush: policy.flush), then the engine's _admit: start them; undo the latest while the
 * coming round overflows */
static int admit(Sim *s, int flush) {
    s->chosen.n = 0;
    int status = s->kind == WATERMARK ? watermark_admit(s) : s->kind == FLUID ? fluid_admit(s)
               : s->kind == SORTED_F ? sorted_f_admit(s) : s->kind == RESERVATION ? reservation_admit(s)
               : s->kind == WAIT ? wait_launch(s, !flush) : s->kind == NESTED_WAIT ? nested_wait_cohort(s, !flush)
               : future_peak_admit(s, INT64_MAX);
    if (status) return status;
    for (int64_t k = 0; k < s->chosen.n; k++)
        if (start(s, s->chosen.v[k])) return OOM;
    if (s->kind == SORTED_F) waiting_compact(s);
    if (s->chosen.n && memory_next(s) > s->M) {
        if (s->eviction == 0) return FALLBACK;
        while (s->chosen.n && memory_next(s) > s->M)
            if (unstart(s, s->chosen.v[--s->chosen.n])) return OOM;
    }
    return 0;
}

static int run_round(Sim *s, int with_started) {
    int64_t running = s->nrunning, memory = memory_next(s), prefill = 0;
    s->held = memory;
    if (with_started)
        for (int64_t k = 0; k < s->chosen.n; k++) prefill += s->prompt[s->chosen.v[k]] + s->kept[s->chosen.v[k]];
    Vec *r = s->rounds;
    if (vec_push(&r[0], s->period) || vec_push(&r[1], running) || vec_push(&r[2], prefill) ||
        vec_push(&r[3], memory) || vec_push(&r[4], s->waiting)) return OOM;
    s->period++;
    int64_t executed = r[0].n;
    while (s->dn && s->due[0].due <= s->period) {
        CEntry e = d_pop(s);
        if (e.due == s->period && s->status[e.index] == RUNNING && s->run_start[e.index] == e.run_start &&
            complete(s, e.index, executed)) return OOM;
    }
    if (!(executed & PACE)) {
        if (PyErr_CheckSignals()) return RAISED;
        if (s->tick != Py_None) {
            PyObject *out = PyObject_CallFunction(s->tick, "LLL", (long long)s->period, (long long)executed,
                                                  (long long)s->finished);
            if (!out) return RAISED;
            Py_DECREF(out);
        }
    }
    if (executed > 10 * s->tokens_needed + 10 || executed - s->last_completion > 100 * s->pending + 100)
        return FALLBACK;  /* livelock: the Python engine raises its error */
    return 0;
}

static int fast_forward(Sim *s) {
    int64_t due = s->next < s->n ? s->arrival_in[s->order[s->next]] : -1, finished = s->finished;
    while (s->nrunning && s->finished == finished && memory_next(s) <= s->M) {
        if (due >= 0 && due <= s->period) return 0;
        int status = run_round(s, 0);
        if (status) return status;
    }
    return 0;
}

static int simulate(Sim *s) {
    int status;
    int64_t jumps = 0;
    for (;;) {
        if ((status = reveal(s))) return status;
        if (memory_next(s) > s->M && (status = overflow(s))) return status;
        if ((status = admit(s, 0))) return status;
        if (!s->nrunning) {
            if (s->next < s->n) {
                int64_t upcoming = s->arrival_in[s->order[s->next]];
                if (vec_push(&s->idle, s->period) || vec_push(&s->idle, upcoming) || vec_push(&s->idle, s->waiting))
                    return OOM;
                s->period = upcoming;
                if (!(++jumps & PACE) && PyErr_CheckSignals()) return RAISED;
                continue;
            }
            if (!s->waiting) break;
            if (s->kind == WAIT || s->kind == NESTED_WAIT) status = admit(s, 1);
            if (status) return status;
            if (!s->nrunning) return FALLBACK;  /* flush starts nothing: the engine's error */
        }
        int64_t finished = s->finished, started = s->chosen.n;
        if ((status = run_round(s, 1))) return status;
        if (!started && s->finished == finished && quiet(s) && (status = fast_forward(s))) return status;
    }
    return s->unfinished ? FALLBACK : 0;
}

/* ---- module ------------------------------------------------------------------------------------------ */
static void sim_free(Sim *s) {
    free(s->kept); free(s->run_start); free(s->max_gen); free(s->run_pos); free(s->load_end);
    free(s->status); free(s->has_runs); free(s->in_loads); free(s->running);
    free(s->queue); free(s->due); for (int k = 0; k < 5; k++) free(s->rounds[k].v);
    free(s->runs.v); free(s->idle.v); free(s->chosen.v);
    free(s->lend); free(s->lbase); free(s->lload); free(s->lkey); free(s->aux);
    free(s->wl.v); free(s->pick.v); free(s->bend); free(s->bbase); free(s->bload); free(s->scratch);
    for (int64_t j = 0; s->tq && j < s->ntypes; j++) free(s->tq[j]);
    free(s->tq); free(s->tqn); free(s->tqcap); free(s->type_running);
}

static PyObject *as_bytes(Vec *a) {
    return PyBytes_FromStringAndSize((const char *)a->v, (Py_ssize_t)(a->n * (int64_t)sizeof(int64_t)));
}

#define ARRAYS 11
static const char *NAMES[ARRAYS] = {"order", "arrival", "prompt", "output", "guess", "first_start",
                                    "completion", "evictions", "tokens_lost", "recomputed", "arrived"};

/* WAIT's types: (type of each request, booking, per_stage) into s, with a queue per type */
static int wait_types(Sim *s, PyObject *types, Py_buffer *views, Py_ssize_t n) {
    PyObject *arrays[3];
    if (!PyArg_ParseTuple(types, "OOO", &arrays[0], &arrays[1], &arrays[2])) return RAISED;
    for (int k = 0; k < 3; k++)
        if (PyObject_GetBuffer(arrays[k], &views[k], PyBUF_C_CONTIGUOUS) < 0) {
            for (int j = 0; j < k; j++) PyBuffer_Release(&views[j]);
            return RAISED;
        }
    if (views[0].len != n * 8 || views[1].len != views[2].len) {
        PyErr_SetString(PyExc_ValueError, "types: one type per request, as many booking limits as per_stage");
        for (int k = 0; k < 3; k++) PyBuffer_Release(&views[k]);
        return RAISED;
    }
    s->type_of = views[0].buf, s->booking = views[1].buf, s->per_stage = views[2].buf;
    s->ntypes = views[1].len / 8;
    size_t count = (size_t)(s->ntypes ? s->ntypes : 1);
    s->tq = calloc(count, sizeof(QEntry *)), s->tqn = calloc(count, 8), s->tqcap = calloc(count, 8);
    s->type_running = calloc(count, 8);
    return s->tq && s->tqn && s->tqcap && s->type_running ? 0 : OOM;
}

static PyObject *run(PyObject *self, PyObject *args) {
    long long p[13];
    double burst;
    PyObject *objs[ARRAYS], *tick, *types = Py_None;
    if (!PyArg_ParseTuple(args, "(LLLLLLLLLLLLL)dOOOOOOOOOOOO|O", &p[0], &p[1], &p[2], &p[3], &p[4], &p[5], &p[6],
                          &p[7], &p[8], &p[9], &p[10], &p[11], &p[12], &burst, &objs[0], &objs[1], &objs[2], &objs[3],
                          &objs[4], &objs[5], &objs[6], &objs[7], &objs[8], &objs[9], &objs[10], &tick, &types))
        return NULL;
    Py_buffer views[ARRAYS], type_views[3];
    Py_ssize_t n = PyObject_Length(objs[0]);
    if (n < 0) return NULL;
    for (int k = 0; k < ARRAYS; k++) {
        int flags = k >= 5 ? PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE : PyBUF_C_CONTIGUOUS;
        if (PyObject_GetBuffer(objs[k], &views[k], flags) < 0) {
            for (int j = 0; j < k; j++) PyBuffer_Release(&views[j]);
            return NULL;
        }
        if (views[k].len != n * 8) {
            PyErr_Format(PyExc_ValueError, "%s: expected %zd int64 entries", NAMES[k], n);
            for (int j = 0; j <= k; j++) PyBuffer_Release(&views[j]);
            return NULL;
        }
    }
    Sim s;
    memset(&s, 0, sizeof(s));
    s.kind = (int)p[0], s.key = (int)p[1], s.M = p[2], s.limit = p[3], s.clear_target = p[4];
    s.max_running = p[5], s.eviction = (int)p[6], s.victim = (int)p[7], s.predicted = (int)p[8];
    s.sequential = (int)p[9], s.pool = p[10], s.segment_budget = p[11], s.segment_length = p[12];
    s.burst = burst, s.n = n, s.tick = tick;
    int64_t *a[ARRAYS];
    for (int k = 0; k < ARRAYS; k++) a[k] = views[k].buf;
    s.order = a[0], s.arrival_in = a[1], s.prompt = a[2], s.output = a[3], s.guess = a[4];
    s.first_start = a[5], s.completion = a[6], s.evictions = a[7], s.lost = a[8], s.recomputed = a[9];
    s.arrival = a[10];
    size_t count = (size_t)(n ? n : 1);
    s.kept = calloc(count, 8), s.run_start = malloc(count * 8), s.max_gen = calloc(count, 8);
    s.run_pos = calloc(count, 8), s.load_end = calloc(count, 8), s.running = malloc(count * 8);
    s.status = calloc(count, 1), s.has_runs = calloc(count, 1), s.in_loads = calloc(count, 1);
    int status = types != Py_None ? wait_types(&s, types, type_views, n) : 0, typed = types != Py_None && status != RAISED;
    if (status) {
    } else if (!s.kept || !s.run_start || !s.max_gen || !s.run_pos || !s.load_end || !s.running || !s.status ||
        !s.has_runs || !s.in_loads) {
        status = OOM;
    } else {
        for (Py_ssize_t i = 0; i < n; i++)  /* the other output arrays come zeroed (and stay unpaged) */
            s.run_start[i] = -1, s.first_start[i] = -1, s.completion[i] = -1;
        status = simulate(&s);
    }
    for (int k = 0; k < ARRAYS; k++) PyBuffer_Release(&views[k]);
    for (int k = 0; typed && k < 3; k++) PyBuffer_Release(&type_views[k]);
    PyObject *out = NULL;
    if (status == OOM) PyErr_NoMemory();
    else if (status != RAISED) {
        PyObject *rounds = PyTuple_New(5), *runs = as_bytes(&s.runs), *idle = as_bytes(&s.idle);
        for (int k = 0; rounds && k < 5; k++) {
            PyObject *column = PyByteArray_FromStringAndSize(
                (const char *)s.rounds[k].v, (Py_ssize_t)(s.rounds[k].n * (int64_t)sizeof(int64_t)));
            free(s.rounds[k].v), s.rounds[k].v = NULL;
            if (!column) Py_CLEAR(rounds);
            else PyTuple_SET_ITEM(rounds, k, column);
        }
        if (rounds && runs && idle) out = Py_BuildValue("(iOOO)", status, rounds, runs, idle);
        Py_XDECREF(rounds); Py_XDECREF(runs); Py_XDECREF(idle);
    }
    sim_free(&s);
    return out;
}

static PyMethodDef methods[] = {
    {"run", run, METH_VARARGS, "run(params, burst, order, arrival, prompt, output, guess, first_start, "
                               "completion, evictions, tokens_lost, recomputed, arrived, tick, types=None)"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_admission", NULL, -1, methods};

PyMODINIT_FUNC PyInit__admission(void) { return PyModule_Create(&module); }
