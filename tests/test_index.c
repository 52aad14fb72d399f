/* test_index.c: the matcher's index: ranking, removal, fields, bounds, bad text. */
#include "test.h"
#include "index.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static mt_doc doc(const char *title, const char *body, const char *field)
{
    static const char *fields[64];
    static int next;
    mt_doc d = { title, body, NULL, 0, NULL, 0 };
    if (field) {
        fields[next % 64] = field;
        d.fields = &fields[next % 64];
        d.nfields = 1;
        next++;
    }
    return d;
}

static mt_index *small_corpus(mt_tokenizer *t)
{
    mt_params p;
    mt_params_default(&p);
    p.prf_terms = 0; /* plain BM25 for predictable order */
    mt_index *ix = mt_index_new(&p);
    mt_doc d1 = doc("液压支架电液控制系统", "综采工作面液压支架的电液控制与智能化", "B06");
    mt_doc d2 = doc("磷石膏制备建筑石膏粉", "湿法磷酸副产磷石膏的净化与利用", "C30");
    mt_doc d3 = doc("Hydraulic roof support controller", "Electro-hydraulic control for longwall mining", "B06");
    mt_doc d4 = doc("Tea withering machine", "Controls the withering of green tea leaves", "C35");
    mt_index_add(ix, t, 1, &d1);
    mt_index_add(ix, t, 2, &d2);
    mt_index_add(ix, t, 3, &d3);
    mt_index_add(ix, t, 4, &d4);
    CHECK_INT(mt_index_finalize(ix), MT_OK);
    return ix;
}

void test_index_ranks_listings_that_share_terms(void)
{
    mt_tokenizer *t = mt_tokenizer_new();
    mt_index *ix = small_corpus(t);
    mt_hit hits[10];
    size_t n = 0;
    mt_doc q = doc("煤矿液压支架电液控制国产化", NULL, NULL);
    REQUIRE(mt_index_query(ix, t, &q, 10, hits, &n) == MT_OK);
    REQUIRE(n >= 1);
    CHECK_INT(hits[0].id, 1);
    for (size_t i = 0; i < n; i++)
        CHECK(hits[i].score > 0 && hits[i].score <= 1.0);
    mt_doc en = doc("hydraulic supports", "control of roof supports in mining", NULL);
    REQUIRE(mt_index_query(ix, t, &en, 10, hits, &n) == MT_OK);
    REQUIRE(n >= 1);
    CHECK_INT(hits[0].id, 3);
    /* k bounds the answer. */
    REQUIRE(mt_index_query(ix, t, &en, 1, hits, &n) == MT_OK);
    CHECK_INT(n, 1);
    mt_index_free(ix);
    mt_tokenizer_free(t);
}

void test_index_fields_weigh_in_when_both_sides_have_them(void)
{
    mt_tokenizer *t = mt_tokenizer_new();
    mt_index *ix = small_corpus(t);
    mt_hit hits[10];
    size_t n = 0;
    mt_doc q = doc("control", "control", "B06");
    REQUIRE(mt_index_query(ix, t, &q, 10, hits, &n) == MT_OK);
    for (size_t i = 0; i < n; i++) {
        if (hits[i].id == 1 || hits[i].id == 3) {
            CHECK(fabs(hits[i].f - 1.0) < 1e-9);
            /* F counts in full once K reaches field_k0 (0.5), in proportion below it. */
            double trust = hits[i].k < 0.5 ? hits[i].k / 0.5 : 1.0;
            CHECK(fabs(hits[i].score - (0.8 * hits[i].k + 0.2 * trust)) < 1e-9);
            CHECK(hits[i].score <= 0.8 * hits[i].k + 0.2 + 1e-12);
        }
    }
    const char *a[] = { "B06" }, *b[] = { "B07" }, *s[] = { "B" }, *c[] = { "C13" };
    const char *g1[] = { "B0610" }, *g2[] = { "B0611" }, *zh1[] = { "水利工程" }, *zh2[] = { "水利工程" };
    CHECK(fabs(mt_field_agreement(a, 1, a, 1) - 1.0) < 1e-9);
    CHECK(fabs(mt_field_agreement(a, 1, b, 1) - 0.5) < 1e-9);
    CHECK(fabs(mt_field_agreement(s, 1, a, 1) - 0.5) < 1e-9);
    CHECK(fabs(mt_field_agreement(a, 1, c, 1)) < 1e-9);
    CHECK(fabs(mt_field_agreement(g1, 1, g2, 1) - 0.75) < 1e-9);
    CHECK(fabs(mt_field_agreement(zh1, 1, zh2, 1) - 1.0) < 1e-9);
    const char *two[] = { "C13", "B07" };
    CHECK(fabs(mt_field_agreement(a, 1, two, 2) - 0.5) < 1e-9); /* the best pair counts */
    CHECK(fabs(mt_field_agreement(a, 1, NULL, 0)) < 1e-9);
    mt_index_free(ix);
    mt_tokenizer_free(t);
}

void test_index_remove_and_replace(void)
{
    mt_tokenizer *t = mt_tokenizer_new();
    mt_index *ix = small_corpus(t);
    mt_hit hits[10];
    size_t n = 0;
    mt_doc q = doc("磷石膏", NULL, NULL);
    REQUIRE(mt_index_query(ix, t, &q, 10, hits, &n) == MT_OK);
    CHECK_INT(n, 1);
    CHECK_INT(mt_index_remove(ix, 2), MT_OK);
    CHECK_INT(mt_index_remove(ix, 2), MT_ERR_NOT_FOUND);
    CHECK_INT(mt_index_count(ix), 3);
    REQUIRE(mt_index_query(ix, t, &q, 10, hits, &n) == MT_OK);
    CHECK_INT(n, 0);
    /* Replacing a listing changes what it matches. */
    mt_doc now = doc("磷石膏基胶凝材料", NULL, NULL);
    CHECK_INT(mt_index_add(ix, t, 4, &now), MT_OK);
    CHECK_INT(mt_index_count(ix), 3);
    REQUIRE(mt_index_query(ix, t, &q, 10, hits, &n) == MT_OK);
    CHECK_INT(n, 1);
    CHECK_INT(hits[0].id, 4);
    mt_doc tea = doc("tea withering", NULL, NULL);
    REQUIRE(mt_index_query(ix, t, &tea, 10, hits, &n) == MT_OK);
    CHECK_INT(n, 0);
    CHECK_INT(mt_index_finalize(ix), MT_OK); /* compacting keeps the same answers */
    REQUIRE(mt_index_query(ix, t, &q, 10, hits, &n) == MT_OK);
    CHECK_INT(n, 1);
    mt_index_free(ix);
    mt_tokenizer_free(t);
}

void test_index_survives_empty_and_hostile_text(void)
{
    mt_tokenizer *t = mt_tokenizer_new();
    mt_index *ix = small_corpus(t);
    mt_hit hits[10];
    size_t n = 99;
    mt_doc empty = doc("", "", NULL);
    CHECK_INT(mt_index_query(ix, t, &empty, 10, hits, &n), MT_OK);
    CHECK_INT(n, 0);
    mt_doc stop = doc("the of and", "with which", NULL);
    CHECK_INT(mt_index_query(ix, t, &stop, 10, hits, &n), MT_OK);
    CHECK_INT(n, 0);
    size_t big = 1 << 20;
    char *text = malloc(big + 1);
    unsigned seed = 7;
    for (size_t i = 0; i < big; i++)
        text[i] = (char)(1 + rand_r(&seed) % 255);
    text[big] = '\0';
    mt_doc junk = doc(text, text, NULL);
    CHECK_INT(mt_index_add(ix, t, 99, &junk), MT_OK);
    CHECK_INT(mt_index_query(ix, t, &junk, 10, hits, &n), MT_OK);
    CHECK(n >= 1);
    CHECK_INT(hits[0].id, 99);
    free(text);
    mt_index_free(ix);
    mt_tokenizer_free(t);
}

/* A random listing of 2 to 40 words from a small mixed vocabulary (so terms repeat). */
static char *random_text(unsigned *seed, int words)
{
    static const char *const vocab[] = {
        "煤矿", "液压", "支架", "磷石膏", "茶叶", "辣椒", "高粱", "酿造", "传感器", "算法", "智能",
        "coal", "hydraulic", "support", "tea", "pepper", "sorghum", "sensor", "algorithm", "alloy",
        "battery", "cathode", "drone", "fibre", "catalyst", "mining", "safety", "monitoring",
    };
    size_t nv = sizeof vocab / sizeof vocab[0];
    char *buf = malloc((size_t)words * 16 + 1);
    size_t len = 0;
    for (int i = 0; i < words; i++) {
        /* Skewed: low indexes are much more common. */
        unsigned r = (unsigned)rand_r(seed);
        size_t v = (size_t)((double)nv * pow((double)(r % 10000) / 10000.0, 2.0));
        const char *w = vocab[v < nv ? v : nv - 1];
        size_t wl = strlen(w);
        memcpy(buf + len, w, wl);
        len += wl;
        buf[len++] = ' ';
    }
    buf[len] = '\0';
    return buf;
}

/* n words from a skewed vocabulary of 3,000 ("w0" most common), for corpora where pruning matters. */
static char *wide_text(unsigned *seed, int words)
{
    size_t cap = (size_t)words * 8 + 1;
    char *buf = malloc(cap);
    size_t len = 0;
    for (int i = 0; i < words; i++) {
        double u = (double)((unsigned)rand_r(seed) % 100000) / 100000.0;
        len += (size_t)snprintf(buf + len, cap - len, "w%u ", (unsigned)(3000.0 * u * u * u));
    }
    buf[len] = '\0';
    return buf;
}

/*
 * Listings shaped like the benchmark's: many words from a wide vocabulary and
 * one or two division codes on both sides, so that the field part dominates
 * the best scores and every pruning step (theta from field-aware scores,
 * candidates dropped as the bound falls) takes part.
 */
static void wide_listing(unsigned *seed, char **title, char **body, const char **f, size_t *nf)
{
    static const char *const divisions[] = { "B06", "B07", "C13", "C15", "C26", "C35", "I64", "I65" };
    *title = wide_text(seed, 3 + rand_r(seed) % 5);
    *body = wide_text(seed, 10 + rand_r(seed) % 50);
    *nf = 1 + (size_t)(rand_r(seed) % 2);
    for (size_t i = 0; i < *nf; i++)
        f[i] = divisions[rand_r(seed) % 8];
}

void test_index_pruned_top_k_equals_exhaustive(void)
{
    static const char *const codes[] = { "B", "B06", "B07", "C13", "C35", "I65" };
    mt_tokenizer *t = mt_tokenizer_new();
    for (int variant = 0; variant < 6; variant++) {
        unsigned seed = 1000u + (unsigned)variant;
        mt_params p;
        mt_params_default(&p);
        if (variant % 2)
            p.prf_terms = 0;
        mt_index *ix = mt_index_new(&p);
        mt_index *bulk = mt_index_new(&p); /* the same listings, built in bulk */
        mt_index_bulk(bulk);
        int wide = variant >= 4, ndocs = wide ? 6000 : 1500;
        for (int i = 0; i < ndocs; i++) {
            char *title, *body;
            const char *f[2] = { codes[rand_r(&seed) % 6], NULL };
            size_t nf = 1;
            if (wide) {
                wide_listing(&seed, &title, &body, f, &nf);
            } else {
                title = random_text(&seed, 2 + rand_r(&seed) % 5);
                body = random_text(&seed, rand_r(&seed) % 40);
            }
            mt_doc d = { title, body, NULL, 0, NULL, 0 };
            if (variant >= 2 && rand_r(&seed) % 3) {
                d.fields = f;
                d.nfields = nf;
            }
            REQUIRE(mt_index_add(ix, t, i, &d) == MT_OK);
            REQUIRE(mt_index_add(bulk, t, i, &d) == MT_OK);
            free(title);
            free(body);
        }
        if (variant == 0)
            CHECK_INT(mt_index_finalize(ix), MT_OK);
        CHECK_INT(mt_index_finalize(bulk), MT_OK);
        for (int i = 0; i < 200; i++) { /* removals leave tombstones */
            int victim = rand_r(&seed) % ndocs;
            int a = mt_index_remove(ix, victim), b2 = mt_index_remove(bulk, victim);
            CHECK_INT(a, b2);
        }
        mt_hit a[50], b[50];
        for (int qn = 0; qn < 60; qn++) {
            char *text, *body = NULL;
            const char *f[2] = { codes[rand_r(&seed) % 6], NULL };
            size_t nf = 1;
            if (wide)
                wide_listing(&seed, &text, &body, f, &nf);
            else
                text = random_text(&seed, 1 + rand_r(&seed) % 12);
            mt_doc q = { text, body, NULL, 0, variant >= 2 ? f : NULL, variant >= 2 ? nf : 0u };
            size_t k = (size_t[]){ 1, 5, 20, 50 }[qn % 4], na = 0, nb = 0;
            REQUIRE(mt_index_query(ix, t, &q, k, a, &na) == MT_OK);
            REQUIRE(mt_index_query_exhaustive(ix, t, &q, k, b, &nb) == MT_OK);
            if (variant == 0) { /* a bulk build answers as the incremental one once both are finalized */
                mt_hit c[50];
                size_t nc = 0;
                REQUIRE(mt_index_query(bulk, t, &q, k, c, &nc) == MT_OK);
                CHECK_INT(nc, na);
                for (size_t i = 0; i < nc && i < na; i++)
                    CHECK(c[i].id == a[i].id && c[i].score == a[i].score);
            }
            if (na != nb) {
                test_fail(__FILE__, __LINE__, "variant %d query %d: %zu hits pruned, %zu exhaustive", variant, qn,
                          na, nb);
            } else {
                for (size_t i = 0; i < na; i++)
                    if (a[i].id != b[i].id || a[i].score != b[i].score) {
                        test_fail(__FILE__, __LINE__, "variant %d query %d rank %zu: %lld/%f vs %lld/%f", variant,
                                  qn, i, (long long)a[i].id, a[i].score, (long long)b[i].id, b[i].score);
                        break;
                    }
            }
            free(text);
            free(body);
        }
        mt_index_free(ix);
        mt_index_free(bulk);
    }
    mt_tokenizer_free(t);
}

void test_index_explains_with_phrases_shares_and_fields(void)
{
    mt_tokenizer *t = mt_tokenizer_new();
    mt_params p;
    mt_params_default(&p);
    p.prf_terms = 0;
    mt_index *ix = mt_index_new(&p);
    const char *fa[] = { "B06" }, *fq[] = { "B07" };
    mt_doc a1 = { "大功率采煤机械智能控制", "用于薄煤层综采工作面的采煤机械，支持远程监控。", NULL, 0, fa, 1 };
    mt_doc a2 = { "茶叶萎凋机", "绿茶加工", NULL, 0, NULL, 0 };
    mt_doc a3 = { "Hydraulic supports for mining", "electro-hydraulic control", NULL, 0, NULL, 0 };
    REQUIRE(mt_index_add(ix, t, 1, &a1) == MT_OK);
    REQUIRE(mt_index_add(ix, t, 2, &a2) == MT_OK);
    REQUIRE(mt_index_add(ix, t, 3, &a3) == MT_OK);
    mt_index_finalize(ix);
    mt_doc q = { "采煤机械远程监控改造", "Hydraulic control upgrade", NULL, 0, fq, 1 };
    mt_explanation e;
    REQUIRE(mt_explain(ix, t, &q, &a1, &e) == MT_OK);
    REQUIRE(e.nterms >= 2);
    int phrase = 0, pieces = 0;
    double sum = 0;
    for (size_t i = 0; i < e.nterms; i++) {
        phrase |= strcmp(e.terms[i].text, "采煤机械") == 0;
        pieces |= strcmp(e.terms[i].text, "煤机") == 0;
        sum += e.terms[i].share;
        if (i > 0)
            CHECK(e.terms[i].share <= e.terms[i - 1].share);
    }
    CHECK(phrase);
    CHECK(!pieces);
    CHECK(fabs(sum - 1.0) < 1e-6);
    CHECK_STR(e.field_q, "B07");
    CHECK_STR(e.field_d, "B06");
    CHECK_INT(e.field_level, 1);
    CHECK(fabs(e.f - 0.5) < 1e-9);
    /* The explanation's score is the score the index gives. */
    mt_hit hits[5];
    size_t n = 0;
    REQUIRE(mt_index_query(ix, t, &q, 5, hits, &n) == MT_OK);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        if (hits[i].id == 1) {
            found = 1;
            CHECK(fabs(hits[i].score - e.score) < 1e-12);
            CHECK(fabs(hits[i].k - e.k) < 1e-12);
        }
    CHECK(found);
    /* English terms are shown as written, not as stems. */
    REQUIRE(mt_explain(ix, t, &q, &a3, &e) == MT_OK);
    int written = 0;
    for (size_t i = 0; i < e.nterms; i++)
        written |= strcmp(e.terms[i].text, "Hydraulic") == 0;
    CHECK(written);
    /* Nothing shared: K is 0 and no terms. */
    REQUIRE(mt_explain(ix, t, &q, &a2, &e) == MT_OK);
    CHECK_INT(e.nterms, 0);
    CHECK(e.k == 0);
    mt_index_free(ix);
    mt_tokenizer_free(t);
}
