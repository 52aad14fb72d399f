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
 * demand with no output scores 0), and the nDCG@10 ratio.  Then, for techmatch,
 * the pairs a suggest threshold would suggest (score >= 0.10 .. 0.90 among the
 * service's 50 candidates a demand) and their precision and recall.
 *
 *   eval TECHMATCH --demo SEEDS_DIR QRELS
 *
 * does the same for the demo seeds (seeds/demo, listed by its manifest.tsv,
 * keyed by each line's "ref") judged in QRELS (bench/demo/qrels.tsv).
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
#include <unistd.h>

#define DEPTH 1000
/* Candidates the service considers for suggestions (CANDIDATES in src/matching.c). */
#define SUGGEST_CANDIDATES 50
/* The default suggest threshold (policy.suggest_threshold, schema default). */
#define SUGGEST_DEFAULT 0.30

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

/*
 * Reads a TREC run: out gets (demand, achievement, rank); scores, when not
 * NULL, gets (demand, achievement, score) for the pairs ranked within the
 * service's candidates (SUGGEST_CANDIDATES), the pairs a threshold can suggest.
 */
static int read_run(FILE *f, pairs *out, pairs *scores)
{
    char line[1024], q[256], q0[8], d[256], tag[64];
    double rank, score;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%255s %7s %255s %lf %lf %63s", q, q0, d, &rank, &score, tag) == 6) {
            pairs_add(out, q, d, rank);
            if (scores && rank <= SUGGEST_CANDIDATES)
                pairs_add(scores, q, d, score);
        }
    qsort(out->v, out->n, sizeof *out->v, cmp_pair);
    if (scores)
        qsort(scores->v, scores->n, sizeof *scores->v, cmp_pair);
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

/* ---------- suggestions at a score threshold ---------- */

/* The judgements of demand q: qrels->v[*from .. *to) (qrels sorted by demand); empty when q is unjudged. */
static void qrels_of(const pairs *qrels, const char *q, size_t *from, size_t *to)
{
    size_t lo = 0, hi = qrels->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(qrels->v[mid].q, q) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *from = *to = lo;
    while (*to < qrels->n && strcmp(qrels->v[*to].q, q) == 0)
        (*to)++;
}

typedef struct suggested {
    size_t pairs, demands;      /* pairs at or above the threshold, over the judged demands */
    size_t hits, relevant;      /* of them judged >= the grade; judged pairs >= the grade */
} suggested;

/*
 * What a threshold t would suggest: the pairs of judged demands scored >= t
 * (scores holds the service's candidates only), how many of them are judged
 * at least min_gain, and how many judged pairs reach min_gain at all.  An
 * unjudged pair counts as not relevant.
 */
static suggested suggest_at(const pairs *qrels, const pairs *scores, double t, double min_gain)
{
    suggested s = { 0 };
    for (size_t i = 0; i < qrels->n; i++)
        if (qrels->v[i].v >= min_gain)
            s.relevant++;
    const char *last = NULL;
    for (size_t i = 0; i < scores->n; i++) {
        size_t from, to;
        if (scores->v[i].v < t)
            continue;
        qrels_of(qrels, scores->v[i].q, &from, &to);
        if (from == to)
            continue;
        s.pairs++;
        if (last == NULL || strcmp(last, scores->v[i].q) != 0)
            s.demands++;
        last = scores->v[i].q;
        if (gain_of(qrels, from, to, scores->v[i].d) >= min_gain)
            s.hits++;
    }
    return s;
}

static void print_fraction(size_t num, size_t den)
{
    if (den)
        printf(" %7.3f", (double)num / (double)den);
    else
        printf(" %7s", "-");
}

/*
 * Precision and recall of the suggestions at thresholds 0.10 .. 0.90, the
 * default (SUGGEST_DEFAULT) marked: relevant is grade >= 1, and, when the
 * judgements have grade 2, also grade 2 alone (a pair a broker would introduce).
 */
static void print_suggestions(const char *set, const pairs *qrels, const pairs *scores)
{
    int graded = 0;
    for (size_t i = 0; i < qrels->n; i++)
        graded |= qrels->v[i].v >= 2;
    printf("%-16s %-9s %6s %8s %7s %7s", set, "score>=", "pairs", "demands", "P(g>=1)", "R(g>=1)");
    if (graded)
        printf(" %7s %7s", "P(g=2)", "R(g=2)");
    printf("\n");
    for (int k = 1; k <= 9; k++) {
        double t = k / 10.0;
        suggested s1 = suggest_at(qrels, scores, t, 1);
        printf("%-16s %4.2f%-5s %6zu %8zu", "", t, fabs(t - SUGGEST_DEFAULT) < 1e-9 ? " dflt" : "", s1.pairs,
               s1.demands);
        print_fraction(s1.hits, s1.pairs);
        print_fraction(s1.hits, s1.relevant);
        if (graded) {
            suggested s2 = suggest_at(qrels, scores, t, 2);
            print_fraction(s2.hits, s2.pairs);
            print_fraction(s2.hits, s2.relevant);
        }
        printf("\n");
    }
}

/* ---------- one collection ---------- */
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
    pairs qrels = { 0 }, ours = { 0 }, peer = { 0 }, scores = { 0 };
    if (read_qrels(q, &qrels) != 0)
        return -1;
    snprintf(cmd, sizeof cmd, "'%s' rank --achievements '%s' --demands '%s' --top %d", bin, a, d, DEPTH);
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return -1;
    read_run(p, &ours, &scores);
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
    print_suggestions(set, &qrels, &scores);
    residual(set, ach, na, dem, nd, &qrels);
    free_texts(ach, na);
    free_texts(dem, nd);
    pairs_free(&qrels);
    pairs_free(&ours);
    pairs_free(&peer);
    pairs_free(&scores);
    return 0;
}

/* ---------- the demo seeds as a collection ---------- */

/* buf = dir/name; returns 0, or -1 when it does not fit. */
static int path_join(char *buf, size_t n, const char *dir, const char *name)
{
    int len = snprintf(buf, n, "%s/%s", dir, name);
    return len < 0 || (size_t)len >= n ? -1 : 0;
}

/*
 * Appends the listings of one seed file to out, one JSON object a line, each
 * with an "id": the line's own "id", else its "ref" (the seeds' stable key).
 * Returns the number of listings written, or -1 if the file cannot be read.
 */
static long demo_copy_listings(const char *path, FILE *out)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    long n = 0;
    if (f == NULL)
        return -1;
    while (getline(&line, &cap, f) > 0) {
        cJSON *o = cJSON_Parse(line);
        const cJSON *ref = cJSON_GetObjectItemCaseSensitive(o, "ref");
        if (cJSON_IsObject(o) && !cJSON_HasObjectItem(o, "id") && cJSON_IsString(ref))
            cJSON_AddStringToObject(o, "id", ref->valuestring);
        char *text = cJSON_IsObject(o) ? cJSON_PrintUnformatted(o) : NULL;
        if (text) {
            fprintf(out, "%s\n", text);
            n++;
        }
        cJSON_free(text);
        cJSON_Delete(o);
    }
    free(line);
    fclose(f);
    return n;
}

/*
 * Writes dir/achievements.jsonl and dir/demands.jsonl from the seed files that
 * seeds/manifest.tsv lists (file, kind, organisation; one a line), in the
 * manifest's order, as `techmatch demo` seeds them.  Returns 0, or -1.
 */
static int demo_write_listings(const char *seeds, const char *dir)
{
    char path[2048], line[1024], file[512], kind[64];
    FILE *out[2] = { NULL, NULL };
    static const char *const kinds[2] = { "achievements", "demands" };
    int status = -1;
    FILE *m = path_join(path, sizeof path, seeds, "manifest.tsv") == 0 ? fopen(path, "r") : NULL;
    if (m == NULL)
        goto out;
    for (int k = 0; k < 2; k++) {
        char name[64];
        snprintf(name, sizeof name, "%s.jsonl", kinds[k]);
        if (path_join(path, sizeof path, dir, name) != 0 || (out[k] = fopen(path, "w")) == NULL)
            goto out;
    }
    while (fgets(line, sizeof line, m)) {
        if (sscanf(line, "%511[^\t]\t%63[^\t\n]", file, kind) != 2)
            continue;
        int k = strcmp(kind, "achievements") == 0 ? 0 : strcmp(kind, "demands") == 0 ? 1 : -1;
        if (k < 0 || path_join(path, sizeof path, seeds, file) != 0 || demo_copy_listings(path, out[k]) < 0) {
            fprintf(stderr, "eval: cannot read seed file %s (kind %s)\n", path, kind);
            goto out;
        }
    }
    status = 0;
out:
    for (int k = 0; k < 2; k++)
        if (out[k] && fclose(out[k]) != 0)
            status = -1;
    if (m)
        fclose(m);
    return status;
}

/* Copies the judgements to dir/qrels.tsv; reports judged keys the seeds lack (stale judgements). */
static int demo_write_qrels(const char *qrels_path, const char *dir)
{
    char path[2048];
    pairs qrels = { 0 };
    listing_text *ach = NULL, *dem = NULL;
    size_t na, nd, stale = 0;
    if (read_qrels(qrels_path, &qrels) != 0)
        return -1;
    na = path_join(path, sizeof path, dir, "achievements.jsonl") == 0 ? read_jsonl(path, "abstract", &ach) : 0;
    nd = path_join(path, sizeof path, dir, "demands.jsonl") == 0 ? read_jsonl(path, "description", &dem) : 0;
    FILE *f = path_join(path, sizeof path, dir, "qrels.tsv") == 0 ? fopen(path, "w") : NULL;
    for (size_t i = 0; f && i < qrels.n; i++) {
        int found_d = 0, found_a = 0;
        for (size_t k = 0; k < nd && !found_d; k++)
            found_d = strcmp(dem[k].id, qrels.v[i].q) == 0;
        for (size_t k = 0; k < na && !found_a; k++)
            found_a = strcmp(ach[k].id, qrels.v[i].d) == 0;
        stale += !(found_d && found_a);
        fprintf(f, "%s\t%s\t%.0f\n", qrels.v[i].q, qrels.v[i].d, qrels.v[i].v);
    }
    int status = f && fclose(f) == 0 ? 0 : -1;
    if (stale)
        fprintf(stderr, "eval: %zu judged pairs of %s name a listing the seeds do not have\n", stale, qrels_path);
    free_texts(ach, na);
    free_texts(dem, nd);
    pairs_free(&qrels);
    return status;
}

/*
 * Evaluates the demo seeds (seeds/demo) against their judgements (bench/demo/qrels.tsv):
 * writes them as a collection "demo" in a temporary folder, evaluates it as any other,
 * and removes the folder.
 */
static int eval_demo(const char *bin, const char *seeds, const char *qrels_path)
{
    char tmp[] = "/tmp/techmatch-eval-demo-XXXXXX", dir[64], path[128];
    static const char *const files[] = { "achievements.jsonl", "demands.jsonl", "qrels.tsv" };
    if (mkdtemp(tmp) == NULL)
        return -1;
    snprintf(dir, sizeof dir, "%s/demo", tmp);
    int status = mkdir(dir, 0700) == 0 && demo_write_listings(seeds, dir) == 0 &&
                 demo_write_qrels(qrels_path, dir) == 0 ? 0 : -1;
    if (status == 0)
        status = eval_set(bin, tmp, "demo");
    else
        fprintf(stderr, "eval: cannot prepare the demo collection from %s and %s\n", seeds, qrels_path);
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        if (path_join(path, sizeof path, dir, files[i]) == 0)
            remove(path);
    }
    rmdir(dir);
    rmdir(tmp);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: eval TECHMATCH EVAL_DIR [SET...]\n       eval TECHMATCH --demo SEEDS_DIR QRELS\n");
        return 2;
    }
    if (strcmp(argv[2], "--demo") == 0) {
        if (argc != 5) {
            fprintf(stderr, "usage: eval TECHMATCH --demo SEEDS_DIR QRELS\n");
            return 2;
        }
        printf("%-16s %-10s %7s %8s %7s %7s %7s\n", "set", "ranker", "MAP", "nDCG@10", "P@10", "R@100", "MRR@10");
        return eval_demo(argv[1], argv[3], argv[4]) != 0;
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
