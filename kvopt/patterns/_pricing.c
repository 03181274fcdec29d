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
    int status = table_offer(r->next, r->paths, r->shifted, cost, r->parent, r->period, r->added, depth,
                             r->max_states);
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

static int get_buffer(PyObject *obj, Py_buffer *view, Py_ssize_t n, Py_ssize_t item, const char *name) {
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS) < 0) return -1;
    if (view->len != n * item) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd entries", name, n);
        PyBuffer_Release(view);
        return -1;
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
    if (M < 1 || M > 65535) {
        PyErr_SetString(PyExc_ValueError, "memory must be in 1..65535");
        return NULL;
    }
    Py_buffer views[7];
    int got = 0;
    Py_ssize_t n = PyObject_Length(objs[0]);
    if (n < 0) return NULL;
    const char *names[7] = {"arrival", "prompt", "output", "copies", "last", "reduced", "elementary"};
    for (; got < 7; got++)
        if (get_buffer(objs[got], &views[got], n, 8, names[got])) break;
    if (got < 7) {
        for (int k = 0; k < got; k++) PyBuffer_Release(&views[k]);
        return NULL;
    }
    const int64_t *a = views[0].buf, *s = views[1].buf, *o = views[2].buf, *copies = views[3].buf,
                  *last = views[4].buf;
    const double *reduced = views[5].buf;
    const int64_t *elementary = views[6].buf;  /* bit 0..63 of a class that may start once, or -1 */

    int L = 1, maxcopies = 1;
    int64_t t_first = INT64_MAX, t_last = -1;
    for (Py_ssize_t k = 0; k < n; k++) {
        if (o[k] > L) L = (int)o[k];
        /* a start of k at t is worth trying only while t + reduced[k] < 0 */
        int64_t useful = (int64_t)(-reduced[k]);
        while ((double)useful + reduced[k] >= 0) useful--;
        while ((double)(useful + 1) + reduced[k] < 0) useful++;
        int64_t hi = last[k] < useful ? last[k] : useful;
        if (hi >= a[k]) {
            if (a[k] < t_first) t_first = a[k];
            if (hi > t_last) t_last = hi;
        }
        int64_t fit = M / (s[k] + 1);
        maxcopies += (int)(copies[k] < fit ? copies[k] : fit);
    }
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
        int ncand = 0;
        for (Py_ssize_t k = 0; k < n; k++) {
            if (a[k] > t || last[k] < t || (double)t + reduced[k] >= 0) continue;
            int64_t fit = M / (s[k] + 1), cap = copies[k] < fit ? copies[k] : fit;
            for (int64_t c = 0; c < cap; c++) {
                cls[ncand] = (int32_t)k; s1[ncand] = (int32_t)s[k] + 1; oo[ncand] = (int32_t)o[k];
                first_copy[ncand] = c == 0; rc[ncand] = (double)t + reduced[k];
                bits[ncand] = (int32_t)elementary[k];
                ncand++;
            }
        }
        /* the next round where some start is worth trying: rounds between change nothing but time */
        int64_t t_next = t_last + 1;
        for (Py_ssize_t k = 0; k < n; k++) {
            int64_t from = a[k] > t + 1 ? a[k] : t + 1;
            if (from < t_next && from <= last[k] && (double)from + reduced[k] < 0) t_next = from;
        }
        int64_t delta = t_next - t;
        Round r = {M, L, K, (int)(delta < L ? delta : L), ncand, cls, s1, oo, first_copy, rc, bits,
                   (int32_t)t, prof, Q, added, shifted, &next, &paths, -1, max_states, 0, 0};
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

static PyMethodDef methods[] = {
    {"price", price, METH_VARARGS, "The pricing dynamic program (see kvopt/patterns/pricing.py)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pricing", NULL, -1, methods};

PyMODINIT_FUNC PyInit__pricing(void) { return PyModule_Create(&module); }
