/*
 * eval.c: the quality harness behind `make eval`.
 *
 *   eval TECHMATCH EVAL_DIR [SET...]
 *
 * For each collection folder in EVAL_DIR (achievements.jsonl, demands.jsonl,
 * qrels.tsv), runs `TECHMATCH rank --top 1000`, and, in the same process, the
 * peer: SQLite FTS5 bm25() over the same achievements (porter + unicode61 for
 * Latin text, trigram when the needs are Chinese), queried with the OR of the
 * need's words (or trigrams).  Prints MAP, nDCG@10 (gain 2^g - 1, log2
 * discount), P@10, R@100 and MRR@10 for both, over every judged demand (a
 * demand with no output scores 0), and the nDCG@10 ratio.
 *
 * Then the residual-collection measure of brokers' feedback (issue 15, 5a),
 * in this process with the service's ranking (mt_params_default): for each
 * demand, the top 3 of its ranking are judged from the qrels as a broker
 * would (relevant = approve, else reject), the demand is ranked again with
 * those decisions (mt_query_add_judgements), and both rankings, with the 3
 * judged listings removed from them and from the qrels, are scored (nDCG@10,
 * MAP, P@10 over the demands that keep a relevant listing).  EVAL_JUDGE=
 * "terms,weight,reject" overrides the judge_* parameters (for tuning on one
 * set and confirming on the others).
 */
#include "index.h"
#include "mem.h"
#include "sbuf.h"
#include "utf8.h"
#include <cjson/cJSON.h>
#include <dirent.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEPTH 1000

/* ---------- judgements and runs: (demand, achievement) -> value ---------- */

typedef struct pair {
    char *q, *d;
    double v;        /* gain (qrels) or rank (runs) */
} pair;

typedef struct pairs {
    pair *v;
    size_t n, cap;
} pairs;

static void pairs_add(pairs *p, const char *q, const char *d, double v)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 4096;
        p->v = xrealloc(p->v, p->cap * sizeof *p->v);
    }
    p->v[p->n].q = xstrdup(q);
    p->v[p->n].d = xstrdup(d);
    p->v[p->n].v = v;
    p->n++;
}

static void pairs_free(pairs *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].q);
        free(p->v[i].d);
    }
    free(p->v);
    memset(p, 0, sizeof *p);
}

static int cmp_pair(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    int c = strcmp(x->q, y->q);
    if (c)
        return c;
    if (x->v != y->v) /* runs: by rank; qrels: order does not matter */
        return x->v < y->v ? -1 : 1;
    return strcmp(x->d, y->d);
}

static double gain_of(const pairs *qrels, size_t from, size_t to, const char *d)
{
    for (size_t i = from; i < to; i++)
        if (strcmp(qrels->v[i].d, d) == 0)
            return qrels->v[i].v;
    return 0;
}

typedef struct measures {
    double map, ndcg10, p10, r100, mrr10;
} measures;

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

/* Scores run against qrels (both sorted by demand). */
static measures evaluate(const pairs *qrels, const pairs *run)
{
    measures m = { 0 };
    size_t nq = 0, ri = 0;
    for (size_t i = 0; i < qrels->n;) {
        size_t j = i;
        while (j < qrels->n && strcmp(qrels->v[j].q, qrels->v[i].q) == 0)
            j++;
        const char *q = qrels->v[i].q;
        size_t R = 0;
        double *ideal = xcalloc(j - i, sizeof *ideal);
        for (size_t k = i; k < j; k++)
            if (qrels->v[k].v > 0)
                ideal[R++] = qrels->v[k].v;
        qsort(ideal, R, sizeof *ideal, cmp_desc);
        while (ri < run->n && strcmp(run->v[ri].q, q) < 0)
            ri++;
        size_t rank = 0, hits = 0;
        double ap = 0, dcg = 0, idcg = 0, rr = 0;
        for (size_t k = 0; k < R && k < 10; k++)
            idcg += (pow(2, ideal[k]) - 1) / log2((double)k + 2);
        for (; ri < run->n && strcmp(run->v[ri].q, q) == 0; ri++) {
            double g = gain_of(qrels, i, j, run->v[ri].d);
            rank++;
            if (g > 0) {
                hits++;
                ap += (double)hits / (double)rank;
                if (rank <= 10 && rr == 0)
                    rr = 1.0 / (double)rank;
                if (rank <= 10)
                    m.p10 += 0.1;
                if (rank <= 100)
                    m.r100 += 1.0 / (double)R;
            }
            if (rank <= 10)
                dcg += (pow(2, g) - 1) / log2((double)rank + 1);
        }
        if (R > 0) {
            m.map += ap / (double)R;
            m.ndcg10 += idcg > 0 ? dcg / idcg : 0;
            m.mrr10 += rr;
            nq++;
        }
        free(ideal);
        i = j;
    }
    if (nq) {
        m.map /= nq;
        m.ndcg10 /= nq;
        m.p10 /= nq;
        m.r100 /= nq;
        m.mrr10 /= nq;
    }
    return m;
}

/* ---------- input ---------- */

static int read_qrels(const char *path, pairs *out)
{
    FILE *f = fopen(path, "r");
    char line[1024], q[256], d[256];
    double g;
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%255s %255s %lf", q, d, &g) == 3)
            pairs_add(out, q, d, g);
    fclose(f);
    qsort(out->v, out->n, sizeof *out->v, cmp_pair);
    return 0;
}

static int read_run(FILE *f, pairs *out)
{
    char line[1024], q[256], q0[8], d[256], tag[64];
    double rank, score;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%255s %7s %255s %lf %lf %63s", q, q0, d, &rank, &score, tag) == 6)
            pairs_add(out, q, d, rank);
    qsort(out->v, out->n, sizeof *out->v, cmp_pair);
    return 0;
}

typedef struct listing_text {
    char *id, *title, *body, *keywords;
} listing_text;

static size_t read_jsonl(const char *path, const char *body_member, listing_text **out)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0, n = 0, ncap = 0;
    *out = NULL;
    if (f == NULL)
        return 0;
    while (getline(&line, &cap, f) > 0) {
        cJSON *o = cJSON_Parse(line);
        const cJSON *id = cJSON_GetObjectItem(o, "id");
        if (o && cJSON_IsString(id)) {
            if (n == ncap) {
                ncap = ncap ? ncap * 2 : 1024;
                *out = xrealloc(*out, ncap * sizeof **out);
            }
            listing_text *t = &(*out)[n++];
            const cJSON *title = cJSON_GetObjectItem(o, "title"), *body = cJSON_GetObjectItem(o, body_member);
            sbuf kw;
            sbuf_init(&kw);
            const cJSON *k;
            cJSON_ArrayForEach(k, cJSON_GetObjectItem(o, "keywords"))
                if (cJSON_IsString(k))
                    sbuf_printf(&kw, "%s%s", kw.len ? " " : "", k->valuestring);
            t->id = xstrdup(id->valuestring);
            t->title = xstrdup(cJSON_IsString(title) ? title->valuestring : "");
            t->body = xstrdup(cJSON_IsString(body) ? body->valuestring : "");
            t->keywords = sbuf_take(&kw);
        }
        cJSON_Delete(o);
    }
    free(line);
    fclose(f);
    return n;
}

static void free_texts(listing_text *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(t[i].id);
        free(t[i].title);
        free(t[i].body);
        free(t[i].keywords);
    }
    free(t);
}

/* ---------- the FTS5 peer ---------- */

static int has_cjk(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len = strlen(s), i = 0;
    while (i < len) {
        uint32_t cp;
        i += mt_utf8_decode(u + i, len - i, &cp);
        if (cp >= 0x4E00 && cp <= 0x9FFF)
            return 1;
    }
    return 0;
}

/* The OR of the need's words (Latin) or of its character trigrams (Chinese), each quoted. */
static char *peer_query(const char *text, int trigram)
{
    sbuf b;
    sbuf_init(&b);
    const unsigned char *u = (const unsigned char *)text;
    size_t len = strlen(text);
    if (trigram) {
        size_t starts[4096], n = 0, i = 0;
        while (i < len && n < 4095) {
            uint32_t cp;
            starts[n++] = i;
            i += mt_utf8_decode(u + i, len - i, &cp);
        }
        starts[n] = len;
        for (size_t k = 0; k + 3 <= n; k++) {
            int clean = 1;
            for (size_t c = starts[k]; c < starts[k + 3]; c++)
                if (text[c] == '"' || text[c] == ' ')
                    clean = 0;
            if (clean)
                sbuf_printf(&b, "%s\"%.*s\"", b.len ? " OR " : "", (int)(starts[k + 3] - starts[k]), text + starts[k]);
        }
    } else {
        size_t i = 0;
        while (i < len) {
            while (i < len && !((text[i] >= 'a' && text[i] <= 'z') || (text[i] >= 'A' && text[i] <= 'Z') ||
                                (text[i] >= '0' && text[i] <= '9')))
                i++;
            size_t s = i;
            while (i < len && ((text[i] >= 'a' && text[i] <= 'z') || (text[i] >= 'A' && text[i] <= 'Z') ||
                               (text[i] >= '0' && text[i] <= '9')))
                i++;
            if (i > s)
                sbuf_printf(&b, "%s\"%.*s\"", b.len ? " OR " : "", (int)(i - s), text + s);
        }
    }
    return sbuf_take(&b);
}

static void run_peer(listing_text *ach, size_t na, listing_text *dem, size_t nd, int trigram, pairs *run)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *ins = NULL, *sel = NULL;
    sqlite3_open(":memory:", &db);
    sqlite3_exec(db, trigram ? "CREATE VIRTUAL TABLE a USING fts5(title, abstract, keywords, tokenize='trigram')"
                             : "CREATE VIRTUAL TABLE a USING fts5(title, abstract, keywords, "
                               "tokenize='porter unicode61')",
                 NULL, NULL, NULL);
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO a(rowid, title, abstract, keywords) VALUES (?1, ?2, ?3, ?4)", -1, &ins, NULL);
    for (size_t i = 0; i < na; i++) {
        sqlite3_bind_int64(ins, 1, (sqlite3_int64)i);
        sqlite3_bind_text(ins, 2, ach[i].title, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, ach[i].body, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, ach[i].keywords, -1, SQLITE_STATIC);
        sqlite3_step(ins);
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_prepare_v2(db, "SELECT rowid FROM a WHERE a MATCH ?1 ORDER BY bm25(a) LIMIT 1000", -1, &sel, NULL);
    for (size_t q = 0; q < nd; q++) {
        sbuf text;
        sbuf_init(&text);
        sbuf_printf(&text, "%s %s %s", dem[q].title, dem[q].body, dem[q].keywords);
        char *match = peer_query(text.buf, trigram);
        sbuf_cleanup(&text);
        if (match[0]) {
            sqlite3_bind_text(sel, 1, match, -1, SQLITE_STATIC);
            int rank = 0;
            while (sqlite3_step(sel) == SQLITE_ROW)
                pairs_add(run, dem[q].id, ach[sqlite3_column_int64(sel, 0)].id, ++rank);
            sqlite3_reset(sel);
        }
        free(match);
    }
    sqlite3_finalize(sel);
    sqlite3_close(db);
    qsort(run->v, run->n, sizeof *run->v, cmp_pair);
}

/* ---------- brokers' feedback: the residual collection ---------- */

static void print_row(const char *set, const char *who, const measures *m)
{
    printf("%-16s %-10s %7.4f %8.4f %7.4f %7.4f %7.4f\n", set, who, m->map, m->ndcg10, m->p10, m->r100, m->mrr10);
}

#define JUDGED 3        /* the top listings a broker judges */
#define RES_DEPTH 100       /* both rankings as deep (the two stages keep at most rerank_n = 100) */

static mt_doc text_doc(const listing_text *x, const char **kw)
{
    *kw = x->keywords;
    mt_doc d = { x->title, x->body, kw, x->keywords[0] ? 1u : 0u, NULL, 0 };
    return d;
}

/* The judge_* parameters, from EVAL_JUDGE="terms,weight,reject" when it is set. */
static void judge_params(mt_params *p)
{
    const char *e = getenv("EVAL_JUDGE");
    int terms;
    double w, r;
    if (e && sscanf(e, "%d,%lf,%lf", &terms, &w, &r) == 3) {
        p->judge_terms = terms;
        p->judge_weight = w;
        p->judge_reject = r;
    }
}

/* Adds the hits not judged to run, ranked 1.. for demand q. */
static void add_unjudged(pairs *run, const char *q, const listing_text *ach, const mt_hit *h, size_t n,
                         const int64_t *judged, size_t nj)
{
    int rank = 0;
    for (size_t i = 0; i < n; i++) {
        int skip = 0;
        for (size_t j = 0; j < nj; j++)
            skip |= h[i].id == judged[j];
        if (!skip)
            pairs_add(run, q, ach[h[i].id].id, ++rank);
    }
}

/* Whether (q, d) is one of the judged pairs (sorted by demand like the qrels). */
static int is_judged(const pairs *judged, const char *q, const char *d)
{
    for (size_t i = 0; i < judged->n; i++)
        if (strcmp(judged->v[i].q, q) == 0 && strcmp(judged->v[i].d, d) == 0)
            return 1;
    return 0;
}

/*
 * Ranks demand q without and with the broker's decisions on its top JUDGED;
 * adds both rankings without the judged listings to base and fb, and the
 * judged pairs to judged.
 */
static int rank_judged(const mt_index *ix, mt_tokenizer *t, const mt_params *p, const listing_text *ach,
                       const listing_text *q, const pairs *qrels, pairs *base, pairs *fb, pairs *judged)
{
    const char *kw;
    mt_doc d = text_doc(q, &kw);
    mt_hit *h = xcalloc(RES_DEPTH + JUDGED, sizeof *h);
    mt_query *mq = NULL;
    size_t n = 0, na = 0, nr = 0, lo = 0, hi = 0;
    int64_t app[JUDGED], rej[JUDGED], all[JUDGED];
    int rc = mt_query_prepare(ix, t, &d, p, &mq);
    if (rc == MT_OK)
        rc = mt_query_topk(ix, mq, RES_DEPTH + JUDGED, h, &n);
    mt_query_free(mq);
    mq = NULL;
    while (lo < qrels->n && strcmp(qrels->v[lo].q, q->id) < 0)
        lo++;
    for (hi = lo; hi < qrels->n && strcmp(qrels->v[hi].q, q->id) == 0;)
        hi++;
    size_t nj = n < JUDGED ? n : JUDGED;
    for (size_t i = 0; rc == MT_OK && i < nj; i++) {
        all[i] = h[i].id;
        if (gain_of(qrels, lo, hi, ach[h[i].id].id) > 0)
            app[na++] = h[i].id;
        else
            rej[nr++] = h[i].id;
        pairs_add(judged, q->id, ach[h[i].id].id, 0);
    }
    if (rc == MT_OK)
        add_unjudged(base, q->id, ach, h, n, all, nj);
    if (rc == MT_OK)
        rc = mt_query_prepare(ix, t, &d, p, &mq);
    if (rc == MT_OK)
        rc = mt_query_add_judgements(ix, mq, app, na, rej, nr, p);
    if (rc == MT_OK)
        rc = mt_query_topk(ix, mq, RES_DEPTH + JUDGED, h, &n);
    if (rc == MT_OK)
        add_unjudged(fb, q->id, ach, h, n, all, nj);
    mt_query_free(mq);
    free(h);
    return rc;
}

/* Prints the residual-collection figures of brokers' feedback for one set. */
static void residual(const char *set, const listing_text *ach, size_t na, const listing_text *dem, size_t nd,
                     const pairs *qrels)
{
    mt_params p;
    mt_params_default(&p);
    judge_params(&p);
    mt_index *ix = mt_index_new(&p);
    mt_tokenizer *t = mt_tokenizer_new();
    pairs base = { 0 }, fb = { 0 }, judged = { 0 }, rq = { 0 };
    int rc = ix && t ? MT_OK : MT_ERR_NOMEM;
    if (rc == MT_OK)
        mt_index_bulk(ix);
    for (size_t i = 0; rc == MT_OK && i < na; i++) {
        const char *kw;
        mt_doc d = text_doc(&ach[i], &kw);
        rc = mt_index_add(ix, t, (int64_t)i, &d);
    }
    if (rc == MT_OK)
        rc = mt_index_finalize(ix);
    for (size_t q = 0; rc == MT_OK && q < nd; q++)
        rc = rank_judged(ix, t, &p, ach, &dem[q], qrels, &base, &fb, &judged);
    if (rc != MT_OK) {
        fprintf(stderr, "eval: the residual measure failed on %s\n", set);
    } else {
        for (size_t i = 0; i < qrels->n; i++) /* the residual collection's judgements */
            if (!is_judged(&judged, qrels->v[i].q, qrels->v[i].d))
                pairs_add(&rq, qrels->v[i].q, qrels->v[i].d, qrels->v[i].v);
        qsort(base.v, base.n, sizeof *base.v, cmp_pair);
        qsort(fb.v, fb.n, sizeof *fb.v, cmp_pair);
        measures mb = evaluate(&rq, &base), mf = evaluate(&rq, &fb);
        print_row(set, "resid-base", &mb);
        print_row(set, "resid-fb", &mf);
        printf("%-16s residual nDCG@10, top %d judged: with / without the decisions = %.3f (target >= 1.25;"
               " judge_terms %d, judge_weight %.2f, judge_reject %.2f)\n", "", JUDGED,
               mb.ndcg10 > 0 ? mf.ndcg10 / mb.ndcg10 : 0, p.judge_terms, p.judge_weight, p.judge_reject);
    }
    pairs_free(&base);
    pairs_free(&fb);
    pairs_free(&judged);
    pairs_free(&rq);
    mt_tokenizer_free(t);
    mt_index_free(ix);
}

/* ---------- one collection ---------- */

static int eval_set(const char *bin, const char *dir, const char *set)
{
    char a[1024], d[1024], q[1024], cmd[4096];
    snprintf(a, sizeof a, "%s/%s/achievements.jsonl", dir, set);
    snprintf(d, sizeof d, "%s/%s/demands.jsonl", dir, set);
    snprintf(q, sizeof q, "%s/%s/qrels.tsv", dir, set);
    pairs qrels = { 0 }, ours = { 0 }, peer = { 0 };
    if (read_qrels(q, &qrels) != 0)
        return -1;
    snprintf(cmd, sizeof cmd, "'%s' rank --achievements '%s' --demands '%s' --top %d", bin, a, d, DEPTH);
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return -1;
    read_run(p, &ours);
    if (pclose(p) != 0) {
        fprintf(stderr, "eval: %s failed on %s\n", bin, set);
        return -1;
    }
    listing_text *ach = NULL, *dem = NULL;
    size_t na = read_jsonl(a, "abstract", &ach), nd = read_jsonl(d, "description", &dem);
    int trigram = 0;
    for (size_t i = 0; i < nd && i < 20; i++)
        trigram |= has_cjk(dem[i].title) || has_cjk(dem[i].body);
    run_peer(ach, na, dem, nd, trigram, &peer);
    measures mo = evaluate(&qrels, &ours), mp = evaluate(&qrels, &peer);
    print_row(set, "techmatch", &mo);
    print_row(set, trigram ? "fts5-tri" : "fts5-bm25", &mp);
    printf("%-16s nDCG@10 techmatch / FTS5 = %.3f (target >= 1.10)\n", "", mp.ndcg10 > 0 ? mo.ndcg10 / mp.ndcg10 : 0);
    residual(set, ach, na, dem, nd, &qrels);
    free_texts(ach, na);
    free_texts(dem, nd);
    pairs_free(&qrels);
    pairs_free(&ours);
    pairs_free(&peer);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: eval TECHMATCH EVAL_DIR [SET...]\n");
        return 2;
    }
    struct stat st;
    if (stat(argv[2], &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "eval: no collections at %s (set EVAL_DIR=path/to/eval; each set needs "
                        "achievements.jsonl, demands.jsonl and qrels.tsv)\n", argv[2]);
        return 1;
    }
    printf("%-16s %-10s %7s %8s %7s %7s %7s\n", "set", "ranker", "MAP", "nDCG@10", "P@10", "R@100", "MRR@10");
    int status = 0;
    if (argc > 3) {
        for (int i = 3; i < argc; i++)
            status |= eval_set(argv[1], argv[2], argv[i]) != 0;
        return status;
    }
    DIR *dir = opendir(argv[2]);
    struct dirent *e;
    char *names[64];
    int n = 0;
    while (dir && (e = readdir(dir)) && n < 64) {
        char qp[2048];
        snprintf(qp, sizeof qp, "%s/%s/qrels.tsv", argv[2], e->d_name);
        if (e->d_name[0] != '.' && stat(qp, &st) == 0)
            names[n++] = xstrdup(e->d_name);
    }
    if (dir)
        closedir(dir);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (strcmp(names[j], names[i]) < 0) {
                char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
    for (int i = 0; i < n; i++) {
        status |= eval_set(argv[1], argv[2], names[i]) != 0;
        free(names[i]);
    }
    return status;
}
