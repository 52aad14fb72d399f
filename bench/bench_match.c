/*
 * bench_match.c: the matcher's speed and memory on a synthetic corpus.
 *
 *   bench_match [ACHIEVEMENTS [DEMANDS [nopeer]]]     (defaults 100000 and 10000)
 *
 * Generates a deterministic corpus: words drawn with a skewed (Zipf-like)
 * distribution from 20,000 Chinese words of 2-4 characters (over 3,500
 * characters, themselves skewed) and 20,000 English words; achievements have
 * a title of 3-7 words, an abstract of 30-90 and three keywords, demands a
 * title of 3-6 words and a description of 15-40; two thirds are Chinese;
 * each has one or two GB/T 4754 division codes.
 * Prints, on one thread:
 *   - index build rate (achievements/s) and, after finalize, bytes per posting
 *     and the resident memory the indexes added;
 *   - demand -> top-20 achievements latency p50/p99 (1,000 demands);
 *   - new achievement -> top-20 demands latency p50/p99 (1,000 achievements);
 *   - the same forward queries on SQLite FTS5 (same tokenizer, registered as
 *     the store does, bm25 with the same field weights, OR of the demand's
 *     terms, top 20) over the same achievements, and the p50 ratio.
 */
#include "corpus.h"
#include "equivalents.h"
#include "index.h"
#include "mem.h"
#include "parse.h"
#include "sbuf.h"
#include "store/fts.h"
#include "tokenizer.h"
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VOCAB 20000
#define SEED 88172645u
#define QUERIES 1000
#define PEER_QUERIES 200

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    int64_t kb = 0;
    const char *end = NULL;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0 && parse_int64_prefix(line + 6, 0, INT64_MAX, &kb, &end) != TM_OK)
            kb = 0;
    if (f)
        fclose(f);
    return (long)kb;
}

typedef struct text {
    char *title, *body;
    char *kw[3];
    const char *fields[2];
    size_t nfields;
} text;

static void make_text(text *t, int achievement, int i)
{
    int english = i % 3 == 0;
    t->title = corpus_words(english, achievement ? 3 + (int)(corpus_rand() % 5) : 3 + (int)(corpus_rand() % 4));
    t->body = corpus_words(english, achievement ? 30 + (int)(corpus_rand() % 61) : 15 + (int)(corpus_rand() % 26));
    for (int k = 0; k < 3; k++)
        t->kw[k] = achievement ? xstrdup(corpus_word(english)) : NULL;
    t->nfields = 1 + corpus_rand() % 2;
    for (size_t k = 0; k < t->nfields; k++)
        t->fields[k] = corpus_field();
}

static void free_text(text *t)
{
    free(t->title);
    free(t->body);
    for (int k = 0; k < 3; k++)
        free(t->kw[k]);
}

static mt_doc as_doc(const text *t)
{
    mt_doc d = { t->title, t->body, (const char *const *)t->kw, t->kw[0] ? 3u : 0u, t->fields, t->nfields };
    return d;
}

/* The OR of a demand's tokens, each quoted, for FTS5. */
typedef struct orq {
    sbuf b;
    int n;
} orq;

static int add_or(void *ctx, const char *tok, size_t len, size_t s, size_t e)
{
    orq *q = ctx;
    (void)s;
    (void)e;
    if (q->n++)
        sbuf_adds(&q->b, " OR ");
    sbuf_addc(&q->b, '"');
    sbuf_add(&q->b, tok, len);
    sbuf_addc(&q->b, '"');
    return 0;
}

int main(int argc, char **argv)
{
    int64_t achievements = 100000, demands = 10000;
    if ((argc > 1 && parse_int64(argv[1], 1000, INT32_MAX, &achievements) != TM_OK) ||
        (argc > 2 && parse_int64(argv[2], 1000, INT32_MAX, &demands) != TM_OK)) {
        fprintf(stderr, "usage: bench_match [ACHIEVEMENTS >= 1000 [DEMANDS >= 1000]]\n");
        return 2;
    }
    long na = (long)achievements, nd = (long)demands;
    corpus_init(VOCAB, SEED);
    mt_tokenizer *t = mt_tokenizer_new();
    mt_params p;
    mt_params_default(&p);
    /* The defaults are the service's ranking (feedback on), as matching.c uses them. */
    printf("bench_match: %ld achievements, %ld demands (2/3 Chinese), one thread\n", na, nd);

    long rss0 = rss_kb();
    mt_index *ach = mt_index_new(&p), *dem = mt_index_new(&p);
    /* The service's equivalences (matching.c loads the same), counted in neither memory figure: shared, fixed. */
    mt_thesaurus *th = equivalents_load(NULL);
    if (th == NULL)
        return 1;
    mt_index_set_thesaurus(ach, th);
    mt_index_set_thesaurus(dem, th);
    rss0 = rss_kb();
    mt_index_bulk(ach);
    mt_index_bulk(dem);
    double t0 = corpus_now(), gen = 0;
    for (long i = 0; i < na; i++) {
        double g0 = corpus_now();
        text x;
        make_text(&x, 1, (int)i);
        gen += corpus_now() - g0;
        mt_doc d = as_doc(&x);
        if (mt_index_add(ach, t, i, &d) != MT_OK)
            return 1;
        free_text(&x);
    }
    if (mt_index_finalize(ach) != MT_OK)
        return 1;
    double build = corpus_now() - t0 - gen;
    for (long i = 0; i < nd; i++) {
        text x;
        make_text(&x, 0, (int)i);
        mt_doc d = as_doc(&x);
        if (mt_index_add(dem, t, i, &d) != MT_OK)
            return 1;
        free_text(&x);
    }
    if (mt_index_finalize(dem) != MT_OK)
        return 1;
    long rss1 = rss_kb();
    size_t postings = 0, bytes = 0;
    mt_index_memory(ach, &postings, &bytes);
    printf("index build:        %.0f achievements/s (tokenizing included, text generation excluded)\n",
           (double)na / build);
    printf("postings:           %zu, %.2f bytes each allocated (5 used), indexes' resident memory %.0f MiB\n",
           postings, (double)bytes / (double)postings, (double)(rss1 - rss0) / 1024.0);

    /* Forward: demands (new, same distribution) -> top 20 achievements. */
    static double lat[QUERIES];
    mt_hit hits[20];
    size_t n;
    text *queries = xcalloc(QUERIES, sizeof *queries);
    for (int q = 0; q < QUERIES; q++)
        make_text(&queries[q], 0, q);
    for (int q = 0; q < QUERIES; q++) {
        mt_doc d = as_doc(&queries[q]);
        double s = corpus_now();
        mt_index_query(ach, t, &d, 20, hits, &n);
        lat[q] = (corpus_now() - s) * 1e3;
    }
    double f50, f99, r50, r99, same50, same99;
    static double same[PEER_QUERIES];
    memcpy(same, lat, sizeof same);
    corpus_percentiles(same, PEER_QUERIES, &same50, &same99);
    corpus_percentiles(lat, QUERIES, &f50, &f99);
    printf("demand -> top-20 achievements:     p50 %7.3f ms  p99 %7.3f ms\n", f50, f99);
    for (int q = 0; q < QUERIES; q++) {
        text x;
        make_text(&x, 1, q);
        mt_doc d = as_doc(&x);
        double s = corpus_now();
        mt_index_query(dem, t, &d, 20, hits, &n);
        lat[q] = (corpus_now() - s) * 1e3;
        free_text(&x);
    }
    corpus_percentiles(lat, QUERIES, &r50, &r99);
    printf("new achievement -> top-20 demands: p50 %7.3f ms  p99 %7.3f ms\n", r50, r99);
    mt_index_free(dem);
    if (argc > 3 && strcmp(argv[3], "nopeer") == 0) {
        for (int q = 0; q < QUERIES; q++)
            free_text(&queries[q]);
        free(queries);
        mt_index_free(ach);
        mt_thesaurus_free(th);
        mt_tokenizer_free(t);
        corpus_free();
        return 0;
    }

    /* The peer: FTS5 over the same achievements, same tokenizer and field weights. */
    sqlite3 *db = NULL;
    sqlite3_stmt *ins = NULL, *sel = NULL;
    sqlite3_open(":memory:", &db);
    if (store_fts_register(db) != 0)
        return 1;
    sqlite3_exec(db, "CREATE VIRTUAL TABLE a USING fts5(title, abstract, keywords, tokenize='techmatch');"
                     "INSERT INTO a(a, rank) VALUES ('rank', 'bm25(3.0, 1.0, 3.0)');", NULL, NULL, NULL);
    corpus_free();
    corpus_init(VOCAB, SEED); /* the same corpus again */
    t0 = corpus_now();
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO a(rowid, title, abstract, keywords) VALUES (?1, ?2, ?3, ?4)", -1, &ins, NULL);
    for (long i = 0; i < na; i++) {
        text x;
        make_text(&x, 1, (int)i);
        char kw[512];
        snprintf(kw, sizeof kw, "%s %s %s", x.kw[0], x.kw[1], x.kw[2]);
        sqlite3_bind_int64(ins, 1, i);
        sqlite3_bind_text(ins, 2, x.title, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 3, x.body, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 4, kw, -1, SQLITE_TRANSIENT);
        sqlite3_step(ins);
        sqlite3_reset(ins);
        free_text(&x);
    }
    sqlite3_finalize(ins);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    printf("FTS5 build:         %.0f achievements/s\n", (double)na / (corpus_now() - t0));
    sqlite3_prepare_v2(db, "SELECT rowid FROM a WHERE a MATCH ?1 ORDER BY rank LIMIT 20", -1, &sel, NULL);
    static double plat[PEER_QUERIES];
    for (int q = 0; q < PEER_QUERIES; q++) {
        orq o = { .n = 0 };
        sbuf_init(&o.b);
        mt_tokenize(t, queries[q].title, strlen(queries[q].title), add_or, &o);
        mt_tokenize(t, queries[q].body, strlen(queries[q].body), add_or, &o);
        double s = corpus_now();
        sqlite3_bind_text(sel, 1, o.b.buf, -1, SQLITE_TRANSIENT);
        while (sqlite3_step(sel) == SQLITE_ROW)
            ;
        sqlite3_reset(sel);
        plat[q] = (corpus_now() - s) * 1e3;
        sbuf_cleanup(&o.b);
    }
    sqlite3_finalize(sel);
    sqlite3_close(db);
    double p50, p99;
    corpus_percentiles(plat, PEER_QUERIES, &p50, &p99);
    printf("FTS5 demand -> top-20 (same %d demands): p50 %7.3f ms  p99 %7.3f ms\n", PEER_QUERIES, p50, p99);
    printf("techmatch on those %d demands:     p50 %7.3f ms  p99 %7.3f ms\n", PEER_QUERIES, same50, same99);
    printf("forward p50 ratio FTS5 / techmatch: %.1f\n", same50 > 0 ? p50 / same50 : 0);
    for (int q = 0; q < QUERIES; q++)
        free_text(&queries[q]);
    free(queries);
    mt_index_free(ach);
    mt_thesaurus_free(th);
    mt_tokenizer_free(t);
    corpus_free();
    return 0;
}
