/*
 * test_judged.c: brokers' decisions as relevance feedback on a prepared query
 * (mt_query_add_judgements): every score still equals its explanation and
 * the pruned top-k its exhaustive reference; a term lent by an approved
 * listing shows with its share and origin MT_FROM_BROKER, the explanation
 * counts the decisions, listings like the approved one rise and those like
 * the rejected one fall, the words they share only with the rejected one
 * marked as weighed down (less like the rejected); no decisions (or only
 * unknown listings) change nothing.
 */
#include "test.h"
#include "index.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NDOCS 300

/* Checks that every hit of mq scores exactly as its explanation, which counts the decisions. */
static void check_explained(const mt_index *ix, const mt_query *mq, const mt_doc *docs, const mt_hit *h, size_t n,
                            int na, int nr)
{
    for (size_t i = 0; i < n; i++) {
        mt_explanation e;
        REQUIRE(mt_query_explain(ix, mq, &docs[h[i].id], &e) == MT_OK);
        CHECK(e.qmax == mt_query_qmax(mq));
        if (e.score != h[i].score || e.k != h[i].k || e.f != h[i].f)
            test_fail(__FILE__, __LINE__, "doc %lld: hit %.17g/%.17g, explained %.17g/%.17g", (long long)h[i].id,
                      h[i].score, h[i].k, e.score, e.k);
        CHECK_INT(e.approved, na);
        CHECK_INT(e.rejected, nr);
    }
}

void test_judged_scores_equal_explanations_and_pruned_equals_exhaustive(void)
{
    mt_tokenizer *t = mt_tokenizer_new();
    mt_index *ix = mt_index_new(NULL);
    static const char *const codes[] = { "B", "B06", "C13", "I65" };
    char *title[NDOCS], *body[NDOCS];
    const char *field[NDOCS][1];
    mt_doc *d = calloc(NDOCS, sizeof *d);
    unsigned seed = 3u;
    for (int i = 0; i < NDOCS; i++) {
        title[i] = test_words(&seed, 2 + rand_r(&seed) % 4);
        body[i] = test_words(&seed, rand_r(&seed) % 25);
        field[i][0] = codes[rand_r(&seed) % 4];
        d[i] = (mt_doc){ title[i], body[i], NULL, 0, field[i], rand_r(&seed) % 2 ? 1u : 0u };
        REQUIRE(mt_index_add(ix, t, i, &d[i]) == MT_OK);
    }
    CHECK_INT(mt_index_finalize(ix), MT_OK);
    int broker_terms = 0, checked = 0;
    for (int qn = 0; qn < 30; qn++) {
        char *q_title = test_words(&seed, 1 + rand_r(&seed) % 5);
        const char *f[1] = { qn % 2 ? "B06" : "I65" };
        mt_doc q = { q_title, NULL, NULL, 0, f, qn % 3 ? 1u : 0u };
        mt_query *mq = NULL;
        mt_hit h[20], x[20];
        size_t n = 0, nx = 0;
        REQUIRE(mt_query_prepare(ix, t, &q, NULL, &mq) == MT_OK);
        REQUIRE(mt_query_topk(ix, mq, 20, h, &n) == MT_OK);
        if (n < 3) {
            mt_query_free(mq);
            free(q_title);
            continue;
        }
        /* A broker approves the best and rejects the next two (or the reverse), as the eval's judge would. */
        int64_t yes[1] = { h[qn % 2 ? 0 : 2].id }, no[2] = { h[1].id, h[qn % 2 ? 2 : 0].id };
        REQUIRE(mt_query_add_judgements(ix, mq, yes, 1, no, 2, NULL) == MT_OK);
        size_t nt = 0;
        const mt_query_term *qt = mt_query_terms(mq, &nt);
        for (size_t i = 0; i < nt; i++) {
            broker_terms += qt[i].origin == MT_FROM_BROKER;
            CHECK(qt[i].qi >= 1 && qt[i].weight > 0);
        }
        REQUIRE(mt_query_topk(ix, mq, 20, h, &n) == MT_OK);
        REQUIRE(mt_query_topk_exhaustive(ix, mq, 20, x, &nx) == MT_OK);
        CHECK_INT(n, nx);
        for (size_t i = 0; i < n && i < nx; i++)
            CHECK(h[i].id == x[i].id && h[i].score == x[i].score);
        check_explained(ix, mq, d, h, n, 1, 2);
        checked++;
        mt_query_free(mq);
        free(q_title);
    }
    CHECK(checked >= 20);
    CHECK(broker_terms > 0);
    for (int i = 0; i < NDOCS; i++) {
        free(title[i]);
        free(body[i]);
    }
    free(d);
    mt_index_free(ix);
    mt_tokenizer_free(t);
}

/* The rank of id among h[0..n), or n when absent. */
static size_t rank_of(const mt_hit *h, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (h[i].id == id)
            return i;
    return n;
}

void test_judged_broker_term_is_explained_and_moves_the_ranking(void)
{
    mt_tokenizer *t = mt_tokenizer_new();
    mt_index *ix = mt_index_new(NULL);
    mt_doc docs[] = {
        { "Hydraulic support", "hydraulic roof support", NULL, 0, NULL, 0 },                               /* 0 */
        { "Hydraulic roof support for longwall mining", "electro-hydraulic control of longwall shearer",
          NULL, 0, NULL, 0 },                                                                              /* 1 */
        { "Hydraulic press support frame", "forging press hydraulic cylinder frame", NULL, 0, NULL, 0 },  /* 2 */
        { "Longwall shearer control", "electro-hydraulic control of the shearer at the longwall face", NULL, 0,
          NULL, 0 },                                                                                       /* 3 */
        { "Forging press support", "hydraulic forging press cylinder and frame", NULL, 0, NULL, 0 },      /* 4 */
        { "Longwall face automation", "shearer and roof support automation at the longwall", NULL, 0, NULL,
          0 },                                                                                             /* 5 */
        { "Tea withering", "green tea leaves", NULL, 0, NULL, 0 },                                        /* 6 */
        { "Sorghum brewing", "liquor from sorghum", NULL, 0, NULL, 0 },                                   /* 7 */
        { "Battery cathode", "cathode materials for batteries", NULL, 0, NULL, 0 },                       /* 8 */
    };
    size_t nd = sizeof docs / sizeof docs[0];
    for (size_t i = 0; i < nd; i++)
        REQUIRE(mt_index_add(ix, t, (int64_t)i, &docs[i]) == MT_OK);
    CHECK_INT(mt_index_finalize(ix), MT_OK);
    mt_doc q = { "hydraulic support", NULL, NULL, 0, NULL, 0 };
    mt_hit before[10], after[10];
    size_t nb = 0, na = 0;
    mt_query *mq = NULL;
    REQUIRE(mt_query_prepare(ix, t, &q, NULL, &mq) == MT_OK);
    REQUIRE(mt_query_topk(ix, mq, 10, before, &nb) == MT_OK);
    mt_query_free(mq);
    /* The broker approves the longwall support and rejects the forging press. */
    int64_t yes[] = { 1 }, no[] = { 2 };
    REQUIRE(mt_query_prepare(ix, t, &q, NULL, &mq) == MT_OK);
    REQUIRE(mt_query_add_judgements(ix, mq, yes, 1, no, 1, NULL) == MT_OK);
    REQUIRE(mt_query_topk(ix, mq, 10, after, &na) == MT_OK);
    /*
     * The longwall listings (3, 5) share the approved listing's words: their scores rise; the forging press (4)
     * shares what only the rejected listing holds beside the query: its score falls.
     */
    size_t b3 = rank_of(before, nb, 3), b4 = rank_of(before, nb, 4), b5 = rank_of(before, nb, 5);
    size_t a3 = rank_of(after, na, 3), a4 = rank_of(after, na, 4), a5 = rank_of(after, na, 5);
    REQUIRE(b3 < nb && b4 < nb && b5 < nb && a3 < na && a4 < na && a5 < na);
    CHECK(after[a3].score > before[b3].score);
    CHECK(after[a5].score > before[b5].score);
    CHECK(after[a4].score < before[b4].score);
    CHECK(rank_of(after, na, 1) == 0); /* the approved listing itself now comes first (the caller skips it) */
    check_explained(ix, mq, docs, after, na, 1, 1);
    mt_explanation e;
    REQUIRE(mt_query_explain(ix, mq, &docs[3], &e) == MT_OK);
    double sum = 0;
    int broker = 0;
    for (size_t j = 0; j < e.nterms; j++) {
        sum += e.terms[j].share;
        if (e.terms[j].origin == MT_FROM_BROKER && e.terms[j].share > 0 &&
            (strcmp(e.terms[j].text, "shearer") == 0 || strcmp(e.terms[j].text, "longwal") == 0))
            broker = 1;
    }
    CHECK(broker);
    CHECK(fabs(sum - 1.0) < 1e-9);
    CHECK(e.score == after[rank_of(after, na, 3)].score);
    for (size_t j = 0; j < e.nterms; j++) /* the approved listing holds all it shares with the query */
        CHECK(!e.terms[j].lowered);
    /* The forging press shares words only the rejected press holds: they show as weighed down. */
    REQUIRE(mt_query_explain(ix, mq, &docs[4], &e) == MT_OK);
    CHECK(e.score == after[a4].score);
    int lowered = 0;
    for (size_t j = 0; j < e.nterms; j++)
        if (e.terms[j].lowered) {
            lowered++;
            if (strcasestr("forging press cylinder frame", e.terms[j].text) == NULL)
                test_fail(__FILE__, __LINE__, "weighed down: %s", e.terms[j].text);
        }
    CHECK(lowered > 0);
    mt_query_free(mq);
    mt_index_free(ix);
    mt_tokenizer_free(t);
}

void test_judged_no_decisions_change_nothing(void)
{
    mt_tokenizer *t = mt_tokenizer_new();
    mt_index *ix = mt_index_new(NULL);
    mt_doc d0 = { "Hydraulic roof support", "longwall shearer", NULL, 0, NULL, 0 };
    mt_doc d1 = { "Roof support hydraulics", "longwall face", NULL, 0, NULL, 0 };
    REQUIRE(mt_index_add(ix, t, 10, &d0) == MT_OK);
    REQUIRE(mt_index_add(ix, t, 11, &d1) == MT_OK);
    CHECK_INT(mt_index_finalize(ix), MT_OK);
    mt_doc q = { "hydraulic support", NULL, NULL, 0, NULL, 0 };
    mt_query *a = NULL, *b = NULL;
    REQUIRE(mt_query_prepare(ix, t, &q, NULL, &a) == MT_OK);
    REQUIRE(mt_query_prepare(ix, t, &q, NULL, &b) == MT_OK);
    int64_t unknown[] = { 999 };
    REQUIRE(mt_query_add_judgements(ix, b, NULL, 0, NULL, 0, NULL) == MT_OK);
    REQUIRE(mt_query_add_judgements(ix, b, unknown, 1, unknown, 1, NULL) == MT_OK);
    size_t na = 0, nb = 0;
    const mt_query_term *ta = mt_query_terms(a, &na), *tb = mt_query_terms(b, &nb);
    CHECK_INT(na, nb);
    for (size_t i = 0; i < na && i < nb; i++)
        CHECK(ta[i].term == tb[i].term && ta[i].qi == tb[i].qi && ta[i].origin == tb[i].origin);
    CHECK(mt_query_qmax(a) == mt_query_qmax(b));
    mt_explanation e;
    REQUIRE(mt_query_explain(ix, b, &d0, &e) == MT_OK);
    CHECK_INT(e.approved, 0);
    CHECK_INT(e.rejected, 0);
    mt_query_free(a);
    mt_query_free(b);
    mt_index_free(ix);
    mt_tokenizer_free(t);
}
