/*
 * bench_core.c: figures for the service core on a synthetic corpus.
 *
 *   bench_core [N]     (N achievements, default 20000)
 *
 * Generates a deterministic corpus (bench/corpus.h: a skewed, Zipf-like draw
 * from 4,000 Chinese words of 2-4 characters and 4,000 English words, realistic
 * lengths, GB/T 4754 division codes), and reports, each as the median of 3 runs:
 *   - tokenizer throughput (MB/s);
 *   - bulk import through store_listing_import (rows/s, one transaction per 1,000);
 *   - listing search (q=, bm25) latency p50/p99 with techmatch's tokenizer, and the
 *     same queries on a peer: SQLite's built-in FTS5 trigram tokenizer over the same
 *     rows, in the same process; the ratio of the two;
 *   - the first page of a field-filtered list, p50/p99.
 * Timings are wall-clock on this machine; compare ratios, not absolutes.
 */
#include "corpus.h"
#include "listing.h"
#include "log.h"
#include "mem.h"
#include "parse.h"
#include "sbuf.h"
#include "store.h"
#include "tokenizer.h"
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RUNS 3
#define QUERIES 400

#define VOCAB 4000
#define SEED 2463534242u

/* Appends n words, Chinese (joined) or English (spaced), by the listing's language. */
static void words(sbuf *b, int english, int n)
{
    char *w = corpus_words(english, n);
    sbuf_adds(b, w);
    free(w);
}

static listing *make_listing(int i)
{
    static const char *const codes[] = { "B06", "C26", "C27", "C15", "C35", "C30", "I65", "A01", "C32", "M73" };
    listing *l = listing_new(LISTING_ACHIEVEMENT);
    int english = i % 3 == 0;
    sbuf b;
    sbuf_init(&b);
    words(&b, english, 3 + (int)(corpus_rand() % 5));
    free(l->title);
    l->title = sbuf_take(&b);
    sbuf_init(&b);
    words(&b, english, 30 + (int)(corpus_rand() % 60));
    free(l->body);
    l->body = sbuf_take(&b);
    for (int k = 0; k < 3; k++)
        strlist_push(&l->keywords, english ? corpus_word(1) : corpus_word(0));
    strlist_push(&l->fields, codes[corpus_rand() % 10]);
    l->trl = 1 + (int)(corpus_rand() % 9);
    return l;
}

/* The import callback: moves the pre-built row's members into the store's listing. */
static int take_prebuilt(void *ctx, size_t i, listing *l)
{
    listing *src = ((listing **)ctx)[i];
    free(l->title);
    free(l->body);
    l->title = src->title;
    l->body = src->body;
    l->keywords = src->keywords;
    l->fields = src->fields;
    l->trl = src->trl;
    src->title = xstrdup("");
    src->body = xstrdup("");
    memset(&src->keywords, 0, sizeof src->keywords);
    memset(&src->fields, 0, sizeof src->fields);
    return TM_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median3(double *v)
{
    qsort(v, RUNS, sizeof *v, cmp_double);
    return v[RUNS / 2];
}

static int count_tok(void *ctx, const char *t, size_t l, size_t s, size_t e)
{
    (void)t; (void)l; (void)s; (void)e;
    (*(size_t *)ctx)++;
    return 0;
}

/* Runs the peer's MATCH for each query; returns the total of rows found. */
static long peer_search(sqlite3 *db, char **queries, double *lat)
{
    sqlite3_stmt *st = NULL;
    long found = 0;
    sqlite3_prepare_v2(db, "SELECT rowid FROM peer WHERE peer MATCH ?1 ORDER BY rank LIMIT 20", -1, &st, NULL);
    for (int q = 0; q < QUERIES; q++) {
        double t0 = corpus_now();
        /* The same words, each quoted, all required (as techmatch does). */
        sbuf m;
        sbuf_init(&m);
        char *copy = xstrdup(queries[q]), *save = NULL;
        for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
            sbuf_printf(&m, "%s\"%s\"", m.len ? " " : "", w);
        sqlite3_bind_text(st, 1, m.buf, -1, SQLITE_TRANSIENT);
        while (sqlite3_step(st) == SQLITE_ROW)
            found++;
        sqlite3_reset(st);
        lat[q] = (corpus_now() - t0) * 1e3;
        sbuf_cleanup(&m);
        free(copy);
    }
    sqlite3_finalize(st);
    return found;
}

int main(int argc, char **argv)
{
    long n = 20000;
    int64_t arg = n;
    char dbpath[] = "/tmp/techmatch-bench-XXXXXX";
    double tok_mbs[RUNS], import_rate[RUNS], ours_p50[RUNS], ours_p99[RUNS], peer_p50[RUNS], peer_p99[RUNS];
    double list_p50[RUNS], list_p99[RUNS];
    long ours_found = 0, peer_found = 0;

    if (argc > 1 && parse_int64(argv[1], 100, INT32_MAX, &arg) != TM_OK) {
        fprintf(stderr, "usage: bench_core [N >= 100]\n");
        return 2;
    }
    n = (long)arg;
    log_set_quiet(1);
    corpus_init(VOCAB, SEED);
    int fd = mkstemp(dbpath);
    if (fd < 0)
        return 1;
    close(fd);
    char *queries[QUERIES];
    for (int q = 0; q < QUERIES; q++) {
        sbuf b;
        sbuf_init(&b);
        int english = q % 3 == 0, nw = 1 + q % 2;
        for (int k = 0; k < nw; k++)
            sbuf_printf(&b, "%s%s", k ? " " : "", english ? corpus_word(1) : corpus_word(0));
        queries[q] = sbuf_take(&b);
    }
    printf("bench_core: %ld synthetic achievements (2/3 Chinese, 1/3 English), %d queries, median of %d runs\n",
           n, QUERIES, RUNS);
    for (int run = 0; run < RUNS; run++) {
        corpus_reseed(SEED);
        unlink(dbpath);
        store *s = NULL;
        int64_t org = 0;
        if (store_open(dbpath, &s) != TM_OK || store_org_ensure(s, "Bench University", "university", &org) != TM_OK)
            return 1;
        listing **rows = xcalloc((size_t)n, sizeof *rows);
        size_t bytes = 0;
        for (long i = 0; i < n; i++) {
            rows[i] = make_listing((int)i);
            bytes += strlen(rows[i]->title) + strlen(rows[i]->body);
        }
        /* Tokenizer throughput over the whole corpus text. */
        mt_tokenizer *t = mt_tokenizer_new();
        size_t tokens = 0;
        double t0 = corpus_now();
        for (long i = 0; i < n; i++) {
            mt_tokenize(t, rows[i]->title, strlen(rows[i]->title), count_tok, &tokens);
            mt_tokenize(t, rows[i]->body, strlen(rows[i]->body), count_tok, &tokens);
        }
        tok_mbs[run] = (double)bytes / 1e6 / (corpus_now() - t0);
        mt_tokenizer_free(t);

        /* Import in transactions of 1,000 rows. */
        int64_t *ids = xcalloc(1000, sizeof *ids);
        import_action *acts = xcalloc(1000, sizeof *acts);
        const char **refs = xcalloc(1000, sizeof *refs);
        t0 = corpus_now();
        for (long i = 0; i < n; i += 1000) {
            size_t k = (size_t)(n - i < 1000 ? n - i : 1000);
            if (store_listing_import(s, LISTING_ACHIEVEMENT, org, k, refs, 0, take_prebuilt, rows + i, ids, acts,
                                     NULL, NULL) != TM_OK)
                return 1;
        }
        free(refs);
        import_rate[run] = (double)n / (corpus_now() - t0);
        free(ids);
        free(acts);

        /* Search through the store (our tokenizer, bm25). */
        double lat[QUERIES];
        ours_found = 0;
        for (int q = 0; q < QUERIES; q++) {
            listing_filter f = { .q = queries[q], .limit = 20 };
            listing_page page;
            t0 = corpus_now();
            if (store_listing_list(s, LISTING_ACHIEVEMENT, &f, &page) != TM_OK)
                return 1;
            lat[q] = (corpus_now() - t0) * 1e3;
            ours_found += (long)page.n;
            store_page_cleanup(&page);
        }
        qsort(lat, QUERIES, sizeof *lat, cmp_double);
        ours_p50[run] = lat[QUERIES / 2];
        ours_p99[run] = lat[QUERIES * 99 / 100];

        /* Field-filtered first pages. */
        for (int q = 0; q < QUERIES; q++) {
            static const char *const prefixes[] = { "B", "C2", "C35", "I" };
            listing_filter f = { .field_prefix = prefixes[q % 4], .status = "open", .limit = 20 };
            listing_page page;
            t0 = corpus_now();
            if (store_listing_list(s, LISTING_ACHIEVEMENT, &f, &page) != TM_OK)
                return 1;
            lat[q] = (corpus_now() - t0) * 1e3;
            store_page_cleanup(&page);
        }
        qsort(lat, QUERIES, sizeof *lat, cmp_double);
        list_p50[run] = lat[QUERIES / 2];
        list_p99[run] = lat[QUERIES * 99 / 100];
        for (long i = 0; i < n; i++)
            listing_free(rows[i]);
        free(rows);
        store_close(s);

        /* The peer: FTS5's trigram tokenizer over the same rows, same file, same process. */
        sqlite3 *db = NULL;
        sqlite3_open(dbpath, &db);
        sqlite3_exec(db, "CREATE VIRTUAL TABLE peer USING fts5(title, abstract, keywords, tokenize='trigram');"
                         "INSERT INTO peer(rowid, title, abstract, keywords) "
                         "SELECT id, title, abstract, keywords FROM achievements;",
                     NULL, NULL, NULL);
        peer_found = peer_search(db, queries, lat);
        qsort(lat, QUERIES, sizeof *lat, cmp_double);
        peer_p50[run] = lat[QUERIES / 2];
        peer_p99[run] = lat[QUERIES * 99 / 100];
        sqlite3_close(db);
    }
    double op50 = median3(ours_p50), pp50 = median3(peer_p50);
    printf("tokenizer:          %8.1f MB/s\n", median3(tok_mbs));
    printf("import:             %8.0f rows/s (store_listing_import, 1,000 rows a transaction, synchronous=FULL)\n",
           median3(import_rate));
    printf("search q= (ours):   p50 %6.3f ms  p99 %6.3f ms  (%ld rows returned in all)\n", op50, median3(ours_p99),
           ours_found);
    printf("search q= (trigram peer): p50 %6.3f ms  p99 %6.3f ms  (%ld rows returned in all)\n", pp50,
           median3(peer_p99), peer_found);
    printf("search p50 ratio peer/ours: %.2f\n", op50 > 0 ? pp50 / op50 : 0.0);
    printf("list field= page:   p50 %6.3f ms  p99 %6.3f ms\n", median3(list_p50), median3(list_p99));
    for (int q = 0; q < QUERIES; q++)
        free(queries[q]);
    corpus_free();
    store_remove_files(dbpath);
    return 0;
}
