/* The pricing dynamic program of the pattern relaxation (formulations/pattern-relaxation.md), in C.
 *
 * min over multi-schedules X of sum over started copies (t + reduced[k]): rounds t in increasing order;
 * a state is the future memory profile P[0..L-1] (P[d]: memory held in round t + d by the copies started
 * so far); at round t every multiset of candidate starts that fits is tried (canonical order, so each
 * multiset once), and states with equal shifted profiles are merged keeping the cheaper one. Exact when
 * width == 0; width > 0 keeps the `width` cheapest states per round (a heuristic: not a valid bound).
 * kvopt/patterns/reference.py is the same algorithm in Python, and the tests compare the two.
 *
 * Elementary classes (single requests given a bit 0..63) may start at most once in all: the state then
 * also holds the mask of those started (a stronger relaxation, still valid: a schedule starts each
 * request once).
 *
 * price(M, arrival, prompt, output, copies, last, reduced, elementary, width, max_states, seconds)
 *   arrays: int64 buffers of one entry per class except reduced (float64).
 *   returns (value, status, states, largest_round, starts) with status 0 done, 1 state limit, 2 time
 *   limit, and starts a list of (class, period) of the cheapest multi-schedule found. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>

typedef struct {
    int L;                 /* profile length */
    int64_t size, cap;     /* states held, room */
    uint16_t *prof;        /* cap * L */
    double *cost;
    int64_t *node;         /* path node of the state (-1: nothing started) */
    int64_t *slots;        /* hash slots: state index + 1, 0 empty */
    int64_t nslots;
} Table;

typedef struct {           /* path nodes: the starts made in one round on top of a parent node */
    int64_t *parent, *offset;
    int32_t *period, *count;
    int64_t size, cap;
    int32_t *arena;        /* the classes started, concatenated */
    int64_t arena_size, arena_cap;
} Paths;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int grow(void **p, int64_t count, size_t item) {
    void *q = realloc(*p, (size_t)count * item);
    if (!q) return -1;
    *p = q;
    return 0;
}

static int table_init(Table *t, int L, int64_t cap) {
    memset(t, 0, sizeof(*t));
    t->L = L;
    t->cap = cap < 16 ? 16 : cap;
    t->nslots = 32;
    while (t->nslots < 2 * t->cap) t->nslots *= 2;
    t->prof = malloc((size_t)t->cap * L * sizeof(uint16_t));
    t->cost = malloc((size_t)t->cap * sizeof(double));
    t->node = malloc((size_t)t->cap * sizeof(int64_t));
    t->slots = calloc((size_t)t->nslots, sizeof(int64_t));
    return (t->prof && t->cost && t->node && t->slots) ? 0 : -1;
}

static void table_free(Table *t) {
    free(t->prof); free(t->cost); free(t->node); free(t->slots);
    memset(t, 0, sizeof(*t));
}

static uint64_t hash_profile(const uint16_t *p, int L) {
    uint64_t h = 1469598103934665603ULL;
    int d = 0;
    for (; d + 4 <= L; d += 4) {
        uint64_t w;
        memcpy(&w, p + d, 8);
        h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
        h ^= h >> 29;
    }
    for (; d < L; d++) h = (h ^ p[d]) * 1099511628211ULL;
    return h ^ (h >> 32);
}

static void table_clear(Table *t) {
    memset(t->slots, 0, (size_t)t->nslots * sizeof(int64_t));
    t->size = 0;
}

static int table_rehash(Table *t, int64_t nslots) {
    int64_t *slots = calloc((size_t)nslots, sizeof(int64_t));
    if (!slots) return -1;
    for (int64_t i = 0; i < t->size; i++) {
        uint64_t h = hash_profile(t->prof + i * t->L, t->L) & (uint64_t)(nslots - 1);
        while (slots[h]) h = (h + 1) & (uint64_t)(nslots - 1);
        slots[h] = i + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = nslots;
    return 0;
}

/* The slot of profile p: its state index, or -1 with *slot where it would go. */
static int64_t table_find(const Table *t, const uint16_t *p, uint64_t *slot) {
    uint64_t mask = (uint64_t)(t->nslots - 1), h = hash_profile(p, t->L) & mask;
    while (t->slots[h]) {
        int64_t i = t->slots[h] - 1;
        if (memcmp(t->prof + i * t->L, p, (size_t)t->L * sizeof(uint16_t)) == 0) return i;
        h = (h + 1) & mask;
    }
    *slot = h;
    return -1;
}

static int paths_add(Paths *q, int64_t parent, int32_t period, const int32_t *classes, int32_t count) {
    if (q->size == q->cap) {
        int64_t cap = q->cap ? 2 * q->cap : 1024;
        if (grow((void **)&q->parent, cap, 8) || grow((void **)&q->offset, cap, 8) ||
            grow((void **)&q->period, cap, 4) || grow((void **)&q->count, cap, 4)) return -1;
        q->cap = cap;
    }
    if (q->arena_size + count > q->arena_cap) {
        int64_t cap = q->arena_cap ? 2 * q->arena_cap : 4096;
        while (cap < q->arena_size + count) cap *= 2;
        if (grow((void **)&q->arena, cap, 4)) return -1;
        q->arena_cap = cap;
    }
    q->parent[q->size] = parent;
    q->period[q->size] = period;
    q->offset[q->size] = q->arena_size;
    q->count[q->size] = count;
    memcpy(q->arena + q->arena_size, classes, (size_t)count * sizeof(int32_t));
    q->arena_size += count;
    q->size++;
    return 0;
}

static void paths_free(Paths *q) {
    free(q->parent); free(q->offset); free(q->period); free(q->count); free(q->arena);
}

/* Insert (or improve) profile p with cost c; -1 out of memory, -2 state limit. */
static int table_offer(Table *t, Paths *q, const uint16_t *p, double c, int64_t parent, int32_t period,
                       const int32_t *added, int32_t count, int64_t max_states) {
    uint64_t slot = 0;
    int64_t i = table_find(t, p, &slot);
    if (i >= 0 && t->cost[i] <= c) return 0;
    int64_t node = parent;
    if (count > 0) {
        if (q->size >= 8 * max_states) return -2;   /* the paths, too, count against the limit */
        if (paths_add(q, parent, period, added, count)) return -1;
        node = q->size - 1;
    }
    if (i >= 0) {
        t->cost[i] = c;
        t->node[i] = node;
        return 0;
    }
    if (t->size >= max_states) return -2;
    if (t->size == t->cap) {
        int64_t cap = 2 * t->cap;
        if (grow((void **)&t->prof, cap * t->L, sizeof(uint16_t)) || grow((void **)&t->cost, cap, 8) ||
            grow((void **)&t->node, cap, 8)) return -1;
        t->cap = cap;
    }
    i = t->size++;
    memcpy(t->prof + i * t->L, p, (size_t)t->L * sizeof(uint16_t));
    t->cost[i] = c;
    t->node[i] = node;
    t->slots[slot] = i + 1;
    if (2 * t->size > t->nslots && table_rehash(t, 2 * t->nslots)) return -1;
    return 0;
}

typedef struct {           /* one round's search */
    int M, L, K, delta, ncand;  /* K: key length, the profile's L cells and the mask cells */
    const int32_t *cls, *s1, *o, *first_copy; /* per candidate entry: class, prompt + 1, output, 1 if the
                                                 entry is its class's first copy */
    const double *rc;      /* per entry: reduced cost of starting it now */
    const int32_t *bit;    /* per entry: its class's bit in the mask of elementary classes, or -1 */
    int32_t period;
    uint16_t *prof;        /* (depth + 1) * K working keys */
    int32_t *Q;            /* (depth + 1) * (L + 1): Q[d] = max over j < d of P[j] + j */
    int32_t *added;
    uint16_t *shifted;
    Table *next;
    Paths *paths;
    int64_t parent, max_states, visited;
    int error;
    int track;             /* record path nodes (price); through() needs none */
} Round;

static void prefix_max(const uint16_t *P, int L, int32_t *Q) {
    Q[0] = -1000000;
    for (int d = 1; d <= L; d++) {
        int32_t v = (int32_t)P[d - 1] + d - 1;
        Q[d] = Q[d - 1] > v ? Q[d - 1] : v;
    }
}

/* The state at `depth` (its profile and Q in the working buffers, `last` its last entry, -1 none): hand
 * it on to the next round, then try every later candidate entry in canonical order. */
static void search(Round *r, int depth, int last, double cost) {
    const uint16_t *P = r->prof + (int64_t)depth * r->K;
    const int32_t *Q = r->Q + (int64_t)depth * (r->L + 1);
    int L = r->L, K = r->K;
    memset(r->shifted, 0, (size_t)L * sizeof(uint16_t));
    if (r->delta < L) memcpy(r->shifted, P + r->delta, (size_t)(L - r->delta) * sizeof(uint16_t));
    memcpy(r->shifted + L, P + L, (size_t)(K - L) * sizeof(uint16_t));  /* the mask does not shift */
    int status = table_offer(r->next, r->paths, r->shifted, cost, r->parent, r->period, r->added,
                             r->track ? depth : 0, r->max_states);
    r->visited++;
    if (status) { r->error = status; return; }
    for (int e = last + 1; e < r->ncand; e++) {
        /* a further copy of a class only right after the previous copy: each multiset once */
        if (!r->first_copy[e] && e != last + 1) continue;
        if (Q[r->o[e]] + r->s1[e] > r->M) continue;
        int b = r->bit[e];
        if (b >= 0 && (P[L + b / 16] >> (b % 16)) & 1) continue;  /* an elementary class starts once */
        uint16_t *child = r->prof + (int64_t)(depth + 1) * K;
        memcpy(child, P, (size_t)K * sizeof(uint16_t));
        for (int j = 0; j < r->o[e]; j++) child[j] += (uint16_t)(r->s1[e] + j);
        if (b >= 0) child[L + b / 16] |= (uint16_t)(1u << (b % 16));
        prefix_max(child, L, r->Q + (int64_t)(depth + 1) * (L + 1));
        r->added[depth] = r->cls[e];
        search(r, depth + 1, e, cost + r->rc[e]);
        if (r->error) return;
    }
}

static const double *sort_costs;
static int by_cost(const void *a, const void *b) {
    double x = sort_costs[*(const int64_t *)a], y = sort_costs[*(const int64_t *)b];
    return (x > y) - (x < y);
}

/* Keep the `width` cheapest states of t (ties: first inserted). */
static int keep_cheapest(Table *t, int64_t width) {
    if (t->size <= width) return 0;
    int64_t *order = malloc((size_t)t->size * sizeof(int64_t));
    if (!order) return -1;
    for (int64_t i = 0; i < t->size; i++) order[i] = i;
    sort_costs = t->cost;
    qsort(order, (size_t)t->size, sizeof(int64_t), by_cost);
    Table kept;
    if (table_init(&kept, t->L, width)) { free(order); return -1; }
    for (int64_t k = 0; k < width; k++) {
        int64_t i = order[k];
        uint64_t slot = 0;
        table_find(&kept, t->prof + i * t->L, &slot);
        memcpy(kept.prof + k * t->L, t->prof + i * t->L, (size_t)t->L * sizeof(uint16_t));
        kept.cost[k] = t->cost[i];
        kept.node[k] = t->node[i];
        kept.slots[slot] = k + 1;
        kept.size = k + 1;
    }
    free(order);
    table_free(t);
    *t = kept;
    return 0;
}

typedef struct {           /* the classes, as the caller's int64 / float64 buffers */
    Py_ssize_t n;
    int M;
    const int64_t *a, *s, *o, *copies, *last, *elementary;  /* elementary: bit or -1; NULL: none */
    const double *reduced;
} Classes;

/* Profile length L, an upper bound on the candidate entries of one round, and the first and last rounds
 * with a start worth trying (a start of k at t only while t + reduced[k] < 0; t_last -1: none). */
static void span(const Classes *c, int *L, int *maxcopies, int64_t *t_first, int64_t *t_last) {
    *L = 1; *maxcopies = 1; *t_first = INT64_MAX; *t_last = -1;
    for (Py_ssize_t k = 0; k < c->n; k++) {
        if (c->o[k] > *L) *L = (int)c->o[k];
        int64_t useful = (int64_t)(-c->reduced[k]);
        while ((double)useful + c->reduced[k] >= 0) useful--;
        while ((double)(useful + 1) + c->reduced[k] < 0) useful++;
        int64_t hi = c->last[k] < useful ? c->last[k] : useful;
        if (hi >= c->a[k]) {
            if (c->a[k] < *t_first) *t_first = c->a[k];
            if (hi > *t_last) *t_last = hi;
        }
        int64_t fit = c->M / (c->s[k] + 1);
        *maxcopies += (int)(c->copies[k] < fit ? c->copies[k] : fit);
    }
}

typedef struct {           /* one round's candidate entries: one per copy that may start */
    int32_t *cls, *s1, *o, *first_copy, *bit;
    double *rc;
} Entries;

/* Fill the entries of round t (class order, copies of a class together); returns their number. */
static int candidates(const Classes *c, int64_t t, Entries *e) {
    int ncand = 0;
    for (Py_ssize_t k = 0; k < c->n; k++) {
        if (c->a[k] > t || c->last[k] < t || (double)t + c->reduced[k] >= 0) continue;
        int64_t fit = c->M / (c->s[k] + 1), cap = c->copies[k] < fit ? c->copies[k] : fit;
        for (int64_t j = 0; j < cap; j++) {
            e->cls[ncand] = (int32_t)k; e->s1[ncand] = (int32_t)c->s[k] + 1; e->o[ncand] = (int32_t)c->o[k];
            e->first_copy[ncand] = j == 0; e->rc[ncand] = (double)t + c->reduced[k];
            e->bit[ncand] = c->elementary ? (int32_t)c->elementary[k] : -1;
            ncand++;
        }
    }
    return ncand;
}

/* The next round after t where some start is worth trying (t_last + 1: none): rounds between change
 * nothing but time. */
static int64_t next_round(const Classes *c, int64_t t, int64_t t_last) {
    int64_t t_next = t_last + 1;
    for (Py_ssize_t k = 0; k < c->n; k++) {
        int64_t from = c->a[k] > t + 1 ? c->a[k] : t + 1;
        if (from < t_next && from <= c->last[k] && (double)from + c->reduced[k] < 0) t_next = from;
    }
    return t_next;
}

static int entries_alloc(Entries *e, int count) {
    e->cls = malloc(sizeof(int32_t) * count * 5);
    e->rc = malloc(sizeof(double) * count);
    if (!e->cls || !e->rc) return -1;
    e->s1 = e->cls + count; e->o = e->s1 + count; e->first_copy = e->o + count; e->bit = e->first_copy + count;
    return 0;
}

static void entries_free(Entries *e) { free(e->cls); free(e->rc); }

static int get_buffer(PyObject *obj, Py_buffer *view, Py_ssize_t n, Py_ssize_t item, const char *name) {
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS) < 0) return -1;
    if (view->len != n * item) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd entries", name, n);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* M checked, then the `count` class arrays (one entry per class, 8 bytes each) as buffers; 0, or -1 with an
 * exception set and nothing held. */
static const char *ARRAY_NAMES[7] = {"arrival", "prompt", "output", "copies", "last", "reduced", "elementary"};
static int get_arrays(int M, PyObject **objs, Py_buffer *views, int count, Py_ssize_t *n) {
    if (M < 1 || M > 65535) {
        PyErr_SetString(PyExc_ValueError, "memory must be in 1..65535");
        return -1;
    }
    *n = PyObject_Length(objs[0]);
    if (*n < 0) return -1;
    for (int got = 0; got < count; got++) {
        if (get_buffer(objs[got], &views[got], *n, 8, ARRAY_NAMES[got])) {
            for (int k = 0; k < got; k++) PyBuffer_Release(&views[k]);
            return -1;
        }
    }
    return 0;
}

static PyObject *price(PyObject *self, PyObject *args) {
    int M;
    PyObject *objs[7];
    long long width, max_states;
    double seconds;
    if (!PyArg_ParseTuple(args, "iOOOOOOOLLd", &M, &objs[0], &objs[1], &objs[2], &objs[3], &objs[4],
                          &objs[5], &objs[6], &width, &max_states, &seconds)) return NULL;
    Py_buffer views[7];
    Py_ssize_t n;
    if (get_arrays(M, objs, views, 7, &n)) return NULL;
    const int64_t *a = views[0].buf, *s = views[1].buf, *o = views[2].buf, *copies = views[3].buf,
                  *last = views[4].buf;
    const double *reduced = views[5].buf;
    const int64_t *elementary = views[6].buf;  /* bit 0..63 of a class that may start once, or -1 */

    Classes classes = {n, M, a, s, o, copies, last, elementary, reduced};
    int L, maxcopies;
    int64_t t_first, t_last;
    span(&classes, &L, &maxcopies, &t_first, &t_last);
    int K = L;
    for (Py_ssize_t k = 0; k < n; k++) {
        if (elementary[k] > 63 || (elementary[k] >= 0 && copies[k] != 1)) {
            PyErr_SetString(PyExc_ValueError, "elementary classes: bits 0..63, single requests only");
            for (int v = 0; v < 7; v++) PyBuffer_Release(&views[v]);
            return NULL;
        }
        if (elementary[k] >= 0) K = L + 4;
    }
    PyObject *result = NULL;
    Table cur, next;
    Paths paths;
    memset(&paths, 0, sizeof(paths));
    memset(&cur, 0, sizeof(cur));
    memset(&next, 0, sizeof(next));
    int32_t *cls = malloc(sizeof(int32_t) * (maxcopies + 1) * 5);
    int32_t *bits = malloc(sizeof(int32_t) * (maxcopies + 1));
    double *rc = malloc(sizeof(double) * (maxcopies + 1));
    uint16_t *prof = calloc((size_t)(maxcopies + 2) * K, sizeof(uint16_t));
    int32_t *Q = calloc((size_t)(maxcopies + 2) * (L + 1), sizeof(int32_t));
    int32_t *added = malloc(sizeof(int32_t) * (maxcopies + 1));
    uint16_t *shifted = malloc(sizeof(uint16_t) * K);
    int status = 0;
    int64_t states = 0, largest = 1;
    double deadline = seconds > 0 ? now() + seconds : -1.0;
    if (!cls || !bits || !rc || !prof || !Q || !added || !shifted || table_init(&cur, K, 1024) ||
        table_init(&next, K, 1024)) {
        PyErr_NoMemory();
        goto done;
    }
    {
        uint64_t slot = 0;
        table_find(&cur, prof, &slot);   /* the empty profile: nothing started yet */
        memset(cur.prof, 0, (size_t)K * sizeof(uint16_t));
        cur.cost[0] = 0.0; cur.node[0] = -1; cur.slots[slot] = 1; cur.size = 1;
    }
    int32_t *s1 = cls + (maxcopies + 1), *oo = s1 + (maxcopies + 1), *first_copy = oo + (maxcopies + 1);
    for (int64_t t = t_first; t <= t_last && t_last >= 0; ) {
        if (PyErr_CheckSignals() < 0) goto done;     /* Ctrl-C: KeyboardInterrupt in the caller */
        Entries entries = {cls, s1, oo, first_copy, bits, rc};
        int ncand = candidates(&classes, t, &entries);
        int64_t t_next = next_round(&classes, t, t_last);
        int64_t delta = t_next - t;
        Round r = {M, L, K, (int)(delta < L ? delta : L), ncand, cls, s1, oo, first_copy, rc, bits,
                   (int32_t)t, prof, Q, added, shifted, &next, &paths, -1, max_states, 0, 0, 1};
        table_clear(&next);
        PyThreadState *unlocked = PyEval_SaveThread();  /* other Python threads run meanwhile */
        int signalled = 0;
        for (int64_t i = 0; i < cur.size && !r.error; i++) {
            memcpy(prof, cur.prof + i * K, (size_t)K * sizeof(uint16_t));
            prefix_max(prof, L, Q);
            r.parent = cur.node[i];
            search(&r, 0, -1, cur.cost[i]);
            if ((i & 255) == 255) {
                PyEval_RestoreThread(unlocked);
                signalled = PyErr_CheckSignals() < 0;
                unlocked = PyEval_SaveThread();
                if (signalled) break;
                if (deadline > 0 && now() > deadline) { r.error = -3; break; }
            }
        }
        PyEval_RestoreThread(unlocked);
        if (signalled) goto done;
        states += r.visited;
        if (r.error == -1) { PyErr_NoMemory(); goto done; }
        if (r.error == -2) { status = 1; break; }
        if (r.error == -3) { status = 2; break; }
        if (width > 0 && keep_cheapest(&next, width)) { PyErr_NoMemory(); goto done; }
        if (next.size > largest) largest = next.size;
        Table swap = cur; cur = next; next = swap;
        t = t_next;
        if (deadline > 0 && now() > deadline && t <= t_last) { status = 2; break; }
    }
    {
        int64_t best = 0;
        for (int64_t i = 1; i < cur.size; i++) if (cur.cost[i] < cur.cost[best]) best = i;
        PyObject *starts = PyList_New(0);
        if (!starts) goto done;
        for (int64_t node = cur.node[best]; node >= 0 && status == 0; node = paths.parent[node]) {
            for (int32_t j = 0; j < paths.count[node]; j++) {
                PyObject *pair = Py_BuildValue("(iL)", paths.arena[paths.offset[node] + j],
                                               (long long)paths.period[node]);
                if (!pair || PyList_Append(starts, pair)) { Py_XDECREF(pair); Py_DECREF(starts); goto done; }
                Py_DECREF(pair);
            }
        }
        result = Py_BuildValue("(diLLN)", status == 0 ? cur.cost[best] : 0.0, status, (long long)states,
                               (long long)largest, starts);
    }
done:
    table_free(&cur); table_free(&next); paths_free(&paths);
    free(cls); free(bits); free(rc); free(prof); free(Q); free(added); free(shifted);
    for (int k = 0; k < 7; k++) PyBuffer_Release(&views[k]);
    return result;
}

/* ---- through(): for every start worth trying, the cheapest multi-schedule that contains it ----
 * A forward pass as price() (exact, no elementary classes) keeping every round's table: F(state) is the
 * cheapest path to it. A backward pass over the same transitions gives B(state), the cheapest completion
 * (0 after the last round), and for each transition from state i by multiset S, F(i) + rc(S) + B(next)
 * is the cheapest multi-schedule through it: its minimum over the transitions whose S holds a copy of k
 * is via(k, t). Reduced-cost fixing (kvopt/patterns/fixing.py) uses it. */

typedef struct {
    int M, L, ncand, delta;
    const Entries *e;
    uint16_t *prof, *shifted;
    int32_t *Q, *added;
    const Table *next;
    const double *next_completion;
    double forward, completion;  /* F of the state; least completion found so far */
    double *via;                 /* per class: least total through a start of it in this round */
    int error;
} Back;

static void search_back(Back *b, int depth, int last, double cost) {
    const uint16_t *P = b->prof + (int64_t)depth * b->L;
    const int32_t *Q = b->Q + (int64_t)depth * (b->L + 1);
    int L = b->L;
    memset(b->shifted, 0, (size_t)L * sizeof(uint16_t));
    if (b->delta < L) memcpy(b->shifted, P + b->delta, (size_t)(L - b->delta) * sizeof(uint16_t));
    uint64_t slot = 0;
    int64_t j = table_find(b->next, b->shifted, &slot);
    if (j < 0) { b->error = -4; return; }  /* cannot happen: the forward pass offered every transition */
    double value = cost + b->next_completion[j];
    if (value < b->completion) b->completion = value;
    double total = b->forward + value;
    for (int d = 0; d < depth; d++)
        if (total < b->via[b->added[d]]) b->via[b->added[d]] = total;
    const Entries *e = b->e;
    for (int x = last + 1; x < b->ncand; x++) {
        if (!e->first_copy[x] && x != last + 1) continue;
        if (Q[e->o[x]] + e->s1[x] > b->M) continue;
        uint16_t *child = b->prof + (int64_t)(depth + 1) * L;
        memcpy(child, P, (size_t)L * sizeof(uint16_t));
        for (int q = 0; q < e->o[x]; q++) child[q] += (uint16_t)(e->s1[x] + q);
        prefix_max(child, L, b->Q + (int64_t)(depth + 1) * (L + 1));
        b->added[depth] = e->cls[x];
        search_back(b, depth + 1, x, cost + e->rc[x]);
        if (b->error) return;
    }
}

/* Run f over the states of one table with the GIL released, checking Ctrl-C and the deadline every 256
 * states: 0 done, 1 Ctrl-C (exception set), 2 time limit, or f's error. */
typedef int (*StateFn)(void *ctx, int64_t i);
static int each_state(int64_t size, StateFn f, void *ctx, double deadline) {
    PyThreadState *unlocked = PyEval_SaveThread();
    int status = 0;
    for (int64_t i = 0; i < size && !status; i++) {
        status = f(ctx, i);
        if (!status && (i & 255) == 255) {
            PyEval_RestoreThread(unlocked);
            if (PyErr_CheckSignals() < 0) return 1;
            unlocked = PyEval_SaveThread();
            if (deadline > 0 && now() > deadline) status = 2;
        }
    }
    PyEval_RestoreThread(unlocked);
    return status;
}

typedef struct { Round *r; const Table *cur; } Forward;
static int forward_state(void *ctx, int64_t i) {
    Forward *f = ctx;
    Round *r = f->r;
    memcpy(r->prof, f->cur->prof + i * r->K, (size_t)r->K * sizeof(uint16_t));
    prefix_max(r->prof, r->L, r->Q);
    r->parent = -1;
    search(r, 0, -1, f->cur->cost[i]);
    return r->error == -2 ? 3 : r->error ? 4 : 0;
}

typedef struct { Back *b; const Table *cur; double *completion; } Backward;
static int backward_state(void *ctx, int64_t i) {
    Backward *w = ctx;
    Back *b = w->b;
    memcpy(b->prof, w->cur->prof + i * b->L, (size_t)b->L * sizeof(uint16_t));
    prefix_max(b->prof, b->L, b->Q);
    b->forward = w->cur->cost[i];
    b->completion = INFINITY;
    search_back(b, 0, -1, 0.0);
    w->completion[i] = b->completion;
    return b->error ? 4 : 0;
}

static PyObject *through(PyObject *self, PyObject *args) {
    int M;
    PyObject *objs[6];
    long long max_states;
    double seconds;
    if (!PyArg_ParseTuple(args, "iOOOOOOLd", &M, &objs[0], &objs[1], &objs[2], &objs[3], &objs[4], &objs[5],
                          &max_states, &seconds)) return NULL;
    Py_buffer views[6];
    Py_ssize_t n;
    if (get_arrays(M, objs, views, 6, &n)) return NULL;
    Classes c = {n, M, views[0].buf, views[1].buf, views[2].buf, views[3].buf, views[4].buf, NULL,
                 views[5].buf};
    int L, maxcopies;
    int64_t t_first, t_last;
    span(&c, &L, &maxcopies, &t_first, &t_last);

    PyObject *result = NULL, *pairs = NULL;
    int64_t rounds = 0, room = 64, stored = 1, visited = 0;
    int status = 0;
    Table *tables = calloc((size_t)room + 1, sizeof(Table));
    int64_t *period = malloc(sizeof(int64_t) * room), *delta = malloc(sizeof(int64_t) * room);
    double **completion = NULL;
    double *via = malloc(sizeof(double) * (n + 1));
    Entries e = {0};
    uint16_t *prof = calloc((size_t)(maxcopies + 2) * L, sizeof(uint16_t));
    int32_t *Q = calloc((size_t)(maxcopies + 2) * (L + 1), sizeof(int32_t));
    int32_t *added = malloc(sizeof(int32_t) * (maxcopies + 1));
    uint16_t *shifted = malloc(sizeof(uint16_t) * L);
    Paths paths;
    memset(&paths, 0, sizeof(paths));
    double deadline = seconds > 0 ? now() + seconds : -1.0;
    if (!tables || !period || !delta || !via || entries_alloc(&e, maxcopies + 1) || !prof || !Q || !added ||
        !shifted || table_init(&tables[0], L, 16)) {
        PyErr_NoMemory();
        goto done;
    }
    {
        uint64_t slot = 0;
        table_find(&tables[0], prof, &slot);
        memset(tables[0].prof, 0, (size_t)L * sizeof(uint16_t));
        tables[0].cost[0] = 0.0; tables[0].node[0] = -1; tables[0].slots[slot] = 1; tables[0].size = 1;
    }
    for (int64_t t = t_first; t <= t_last && t_last >= 0 && !status; ) {
        if (rounds == room) {
            room *= 2;
            if (grow((void **)&tables, room + 1, sizeof(Table)) || grow((void **)&period, room, 8) ||
                grow((void **)&delta, room, 8)) { PyErr_NoMemory(); goto done; }
        }
        int ncand = candidates(&c, t, &e);
        int64_t t_next = next_round(&c, t, t_last);
        Table *next = &tables[rounds + 1];
        memset(next, 0, sizeof(*next));
        if (table_init(next, L, 1024)) { PyErr_NoMemory(); goto done; }
        period[rounds] = t;
        delta[rounds] = t_next - t < L ? t_next - t : L;
        rounds++;
        Round r = {M, L, L, (int)delta[rounds - 1], ncand, e.cls, e.s1, e.o, e.first_copy, e.rc, e.bit,
                   (int32_t)t, prof, Q, added, shifted, next, &paths, -1, max_states, 0, 0, 0};
        Forward f = {&r, &tables[rounds - 1]};
        int run = each_state(tables[rounds - 1].size, forward_state, &f, deadline);
        visited += r.visited;
        if (run == 1) goto done;
        if (run == 4) { PyErr_NoMemory(); goto done; }
        stored += next->size;
        if (run == 3 || stored > max_states) status = 1;
        else if (run == 2) status = 2;
        t = t_next;
    }
    completion = calloc((size_t)rounds + 1, sizeof(double *));
    if (!completion) { PyErr_NoMemory(); goto done; }
    for (int64_t r = 0; r <= rounds; r++) {
        completion[r] = calloc((size_t)tables[r].size + 1, sizeof(double));  /* after the last round: 0 */
        if (!completion[r]) { PyErr_NoMemory(); goto done; }
    }
    pairs = PyList_New(0);
    if (!pairs) goto done;
    for (int64_t r = rounds - 1; r >= 0 && !status; r--) {
        int ncand = candidates(&c, period[r], &e);
        for (Py_ssize_t k = 0; k < n; k++) via[k] = INFINITY;
        Back b = {M, L, ncand, (int)delta[r], &e, prof, shifted, Q, added, &tables[r + 1], completion[r + 1],
                  0.0, 0.0, via, 0};
        Backward w = {&b, &tables[r], completion[r]};
        int run = each_state(tables[r].size, backward_state, &w, deadline);
        visited += tables[r].size;
        if (run == 1) goto done;
        if (run == 4) { PyErr_SetString(PyExc_RuntimeError, "through: a transition without its state"); goto done; }
        if (run == 2) { status = 2; break; }
        for (Py_ssize_t k = 0; k < n; k++) {
            if (via[k] == INFINITY) continue;
            PyObject *item = Py_BuildValue("(nLd)", k, (long long)period[r], via[k]);
            if (!item || PyList_Append(pairs, item)) { Py_XDECREF(item); goto done; }
            Py_DECREF(item);
        }
    }
    result = Py_BuildValue("(diLO)", status == 0 ? completion[0][0] : 0.0, status, (long long)visited, pairs);
done:
    if (tables) for (int64_t r = 0; r <= rounds; r++) table_free(&tables[r]);
    if (completion) for (int64_t r = 0; r <= rounds; r++) free(completion[r]);
    free(completion); free(tables); free(period); free(delta); free(via); entries_free(&e);
    free(prof); free(Q); free(added); free(shifted); paths_free(&paths);
    Py_XDECREF(pairs);
    for (int k = 0; k < 6; k++) PyBuffer_Release(&views[k]);
    return result;
}

static PyMethodDef methods[] = {
    {"price", price, METH_VARARGS, "The pricing dynamic program (see kvopt/patterns/pricing.py)."},
    {"through", through, METH_VARARGS, "For every start worth trying, the cheapest multi-schedule through it."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pricing", NULL, -1, methods};

PyMODINIT_FUNC PyInit__pricing(void) { return PyModule_Create(&module); }
