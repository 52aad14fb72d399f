/*
 * test_query.c: the prepared query, the one ranking of the service and the
 * rank command: with feedback on (the defaults), every returned pair's score
 * equals its explanation exactly, the two-stage top-k equals its exhaustive
 * reference (stage 1 exhaustive, then a brute-force re-score of the same N),
 * and a feedback term shows in the explanation with its share.
 */
#include "test.h"
#include "index.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NDOCS 400

typedef struct corpus {
    char *title[NDOCS], *body[NDOCS];
    const char *field[NDOCS][1];
    mt_doc d[NDOCS];
} corpus;

static mt_index *build(mt_tokenizer *t, corpus *c, unsigned seed)
{
    static const char *const codes[] = { "B", "B06", "B07", "C13", "C35", "I65" };
    mt_params p;
    mt_params_default(&p);
    mt_index *ix = mt_index_new(&p);
    for (int i = 0; i < NDOCS; i++) {
        c->title[i] = test_words(&seed, 2 + rand_r(&seed) % 4);
        c->body[i] = test_words(&seed, rand_r(&seed) % 30);
        c->field[i][0] = codes[rand_r(&seed) % 6];
        c->d[i] = (mt_doc){ c->title[i], c->body[i], NULL, 0, c->field[i], rand_r(&seed) % 2 ? 1u : 0u };
        if (mt_index_add(ix, t, i, &c->d[i]) != MT_OK)
            test_fail(__FILE__, __LINE__, "add %d", i);
    }
    CHECK_INT(mt_index_finalize(ix), MT_OK);
    return ix;
}

static void corpus_free(corpus *c)
{
    for (int i = 0; i < NDOCS; i++) {
        free(c->title[i]);
        free(c->body[i]);
    }
}

/* Whether the prepared query holds a feedback term. */
static int has_feedback(const mt_query *mq)
{
    size_t n = 0;
    const mt_query_term *qt = mt_query_terms(mq, &n);
    for (size_t i = 0; i < n; i++)
        if (qt[i].origin == MT_FROM_FEEDBACK)
            return 1;
    return 0;
}

void test_query_scores_equal_their_explanations_with_feedback(void)
{
    mt_tokenizer *t = mt_tokenizer_new();
    corpus *c = calloc(1, sizeof *c);
    mt_index *ix = build(t, c, 7u);
    unsigned seed = 99u;
    int expanded = 0, pairs = 0;
    for (int qn = 0; qn < 40; qn++) {
        char *title = test_words(&seed, 1 + rand_r(&seed) % 6);
        const char *f[1] = { qn % 2 ? "B06" : "C35" };
        mt_doc q = { title, NULL, NULL, 0, f, qn % 3 ? 1u : 0u };
        mt_query *mq = NULL;
        mt_hit hits[20];
        size_t n = 0;
        REQUIRE(mt_query_prepare(ix, t, &q, NULL, &mq) == MT_OK);
        expanded += has_feedback(mq);
        REQUIRE(mt_query_topk(ix, mq, 20, hits, &n) == MT_OK);
        for (size_t i = 0; i < n; i++) {
            mt_explanation e;
            REQUIRE(mt_query_explain(ix, mq, &c->d[hits[i].id], &e) == MT_OK);
            pairs++;
            /* Exact: the same integer sums, divided by the same qmax. */
            CHECK(e.qmax == mt_query_qmax(mq));
            CHECK((double)e.raw / (double)e.qmax == hits[i].k);
            if (e.score != hits[i].score || e.k != hits[i].k || e.f != hits[i].f)
                test_fail(__FILE__, __LINE__, "query %d doc %lld: hit %.17g/%.17g/%.17g, explained %.17g/%.17g/%.17g",
                          qn, (long long)hits[i].id, hits[i].score, hits[i].k, hits[i].f, e.score, e.k, e.f);
        }
        mt_query_free(mq);
        free(title);
    }
    CHECK(expanded >= 20); /* feedback is on by default and did expand most queries */
    CHECK(pairs >= 200);
    mt_index_free(ix);
    corpus_free(c);
    free(c);
    mt_tokenizer_free(t);
}

void test_query_pruned_top_k_equals_exhaustive(void)
{
    mt_tokenizer *t = mt_tokenizer_new();
    corpus *c = calloc(1, sizeof *c);
    mt_index *ix = build(t, c, 11u);
    unsigned seed = 5u;
    for (int qn = 0; qn < 60; qn++) {
        char *title = test_words(&seed, 1 + rand_r(&seed) % 10);
        const char *f[1] = { qn % 2 ? "B" : "I65" };
        mt_doc q = { title, NULL, NULL, 0, f, qn % 3 ? 1u : 0u };
        mt_query *mq = NULL;
        mt_hit a[50], b[50];
        size_t k = (size_t[]){ 1, 5, 20, 50 }[qn % 4], na = 0, nb = 0;
        /* Two stages with N = 100 (the default) and N = 25 (below some k), and one stage (N = 0). */
        mt_params p;
        mt_params_default(&p);
        p.rerank_n = (int[]){ 100, 25, 0 }[qn % 3];
        REQUIRE(mt_query_prepare(ix, t, &q, qn % 3 ? &p : NULL, &mq) == MT_OK);
        REQUIRE(mt_query_topk(ix, mq, k, a, &na) == MT_OK);
        REQUIRE(mt_query_topk_exhaustive(ix, mq, k, b, &nb) == MT_OK);
        if (p.rerank_n > 0)
            CHECK(na <= (size_t)p.rerank_n);
        CHECK_INT(na, nb);
        for (size_t i = 0; i < na && i < nb; i++)
            if (a[i].id != b[i].id || a[i].score != b[i].score) {
                test_fail(__FILE__, __LINE__, "query %d rank %zu: %lld/%f vs %lld/%f", qn, i, (long long)a[i].id,
                          a[i].score, (long long)b[i].id, b[i].score);
                break;
            }
        /* The wrapper is the same ranking (it prepares with the index's parameters). */
        mt_hit w[50];
        size_t nw = 0;
        REQUIRE(mt_index_query(ix, t, &q, k, w, &nw) == MT_OK);
        if (qn % 3 == 0) {
            CHECK_INT(nw, na);
            for (size_t i = 0; i < nw && i < na; i++)
                CHECK(w[i].id == a[i].id && w[i].score == a[i].score);
        }
        mt_query_free(mq);
        free(title);
    }
    mt_index_free(ix);
    corpus_free(c);
    free(c);
    mt_tokenizer_free(t);
}

void test_query_feedback_term_is_explained_with_its_share(void)
{
    mt_tokenizer *t = mt_tokenizer_new();
    mt_index *ix = mt_index_new(NULL); /* the defaults: feedback on */
    mt_doc d1 = { "Hydraulic roof support", "longwall shearer and hydraulic roof support", NULL, 0, NULL, 0 };
    mt_doc d2 = { "Roof support hydraulics", "longwall shearer roof support", NULL, 0, NULL, 0 };
    mt_doc d3 = { "Hydraulic support valves", "valves of longwall shearer", NULL, 0, NULL, 0 };
    mt_doc d4 = { "Longwall shearer drum", "cutting drum of a longwall shearer", NULL, 0, NULL, 0 };
    mt_doc d5 = { "Tea withering", "green tea leaves", NULL, 0, NULL, 0 };
    mt_doc d6 = { "Sorghum brewing", "liquor from sorghum", NULL, 0, NULL, 0 };
    const mt_doc *all[] = { &d1, &d2, &d3, &d4, &d5, &d6 };
    for (int i = 0; i < 6; i++)
        REQUIRE(mt_index_add(ix, t, i + 1, all[i]) == MT_OK);
    CHECK_INT(mt_index_finalize(ix), MT_OK);
    mt_doc q = { "hydraulic roof support", NULL, NULL, 0, NULL, 0 };
    mt_hit hits[10];
    size_t n = 0;
    /* Two stages (the default): stage 2 re-scores only listings sharing a typed word, so not d4. */
    mt_query *mq = NULL;
    REQUIRE(mt_query_prepare(ix, t, &q, NULL, &mq) == MT_OK);
    REQUIRE(has_feedback(mq));
    REQUIRE(mt_query_topk(ix, mq, 10, hits, &n) == MT_OK);
    CHECK_INT(n, 3);
    for (size_t i = 0; i < n; i++)
        CHECK(hits[i].id != 4);
    mt_query_free(mq);
    /* One stage (rerank_n 0): d4 shares no word of the query: only feedback ("shearer", "longwal") finds it. */
    mt_params p;
    mt_params_default(&p);
    p.rerank_n = 0;
    REQUIRE(mt_query_prepare(ix, t, &q, &p, &mq) == MT_OK);
    REQUIRE(has_feedback(mq));
    REQUIRE(mt_query_topk(ix, mq, 10, hits, &n) == MT_OK);
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        if (hits[i].id != 4)
            continue;
        found = 1;
        mt_explanation e;
        REQUIRE(mt_query_explain(ix, mq, &d4, &e) == MT_OK);
        CHECK(e.score == hits[i].score);
        REQUIRE(e.nterms >= 1);
        double sum = 0;
        int shearer = 0;
        for (size_t j = 0; j < e.nterms; j++) {
            CHECK_INT(e.terms[j].origin, MT_FROM_FEEDBACK);
            shearer |= strcmp(e.terms[j].text, "shearer") == 0;
            sum += e.terms[j].share;
        }
        CHECK(shearer);
        CHECK(fabs(sum - 1.0) < 1e-9);
    }
    CHECK(found);
    /* A typed term and a feedback term side by side: the shares still sum to 1. */
    mt_explanation e;
    REQUIRE(mt_query_explain(ix, mq, &d1, &e) == MT_OK);
    double sum = 0;
    int typed = 0, fed = 0;
    for (size_t j = 0; j < e.nterms; j++) {
        sum += e.terms[j].share;
        typed |= e.terms[j].origin == MT_FROM_QUERY;
        fed |= e.terms[j].origin == MT_FROM_FEEDBACK;
    }
    CHECK(typed && fed);
    CHECK(fabs(sum - 1.0) < 1e-9);
    /* mt_explain is prepare + explain: the same numbers. */
    mt_explanation e2;
    REQUIRE(mt_explain(ix, t, &q, &d1, &e2) == MT_OK);
    CHECK(e2.score == e.score && e2.raw == e.raw && e2.qmax == e.qmax);
    mt_query_free(mq);
    mt_index_free(ix);
    mt_tokenizer_free(t);
}

/* The best score of q among the index's listings in *score (0 when nothing matches), its id in *id. */
static void best_score(const mt_index *ix, mt_tokenizer *t, const mt_doc *q, int64_t *id, double *score)
{
    mt_query *mq = NULL;
    mt_hit hits[5];
    size_t n = 0;
    REQUIRE(mt_query_prepare(ix, t, q, NULL, &mq) == MT_OK);
    REQUIRE(mt_query_topk(ix, mq, 5, hits, &n) == MT_OK);
    *id = n > 0 ? hits[0].id : -1;
    *score = n > 0 ? hits[0].score : 0;
    mt_query_free(mq);
}

/*
 * Calibration (issue: a title-only demand "测试只填标题" scored 0.76 against a
 * test kit on the one word 测试 and topped the review queue): a listing with
 * too little text to judge is matched with less confidence, so it cannot
 * outrank full listings on one shared word, and it stays under the default
 * suggest threshold (0.30); a full demand about the same achievement is
 * trusted fully and scores above it.
 */
void test_query_title_only_listing_is_matched_with_less_confidence(void)
{
    mt_tokenizer *t = mt_tokenizer_new();
    mt_index *ix = mt_index_new(NULL);
    mt_doc kit = { "新冠病毒抗原快速测试试剂盒", "胶体金法抗原快速测试试剂盒，十五分钟出结果，灵敏度高，适用于基层医疗机构筛查",
                   NULL, 0, NULL, 0 };
    mt_doc tea = { "扁形名优绿茶生产线", "杀青、理条、压扁、辉锅自动化生产线，在线检测含水率", NULL, 0, NULL, 0 };
    mt_doc coal = { "液压支架电液控制系统", "工作面液压支架成组自动移架，支架动作响应时间小于0.5秒", NULL, 0, NULL, 0 };
    mt_doc chili = { "辣椒酱高速灌装线", "瓶装辣椒酱高速灌装与封口，在线检测灌装量", NULL, 0, NULL, 0 };
    const mt_doc *all[] = { &kit, &tea, &coal, &chili };
    for (int i = 0; i < 4; i++)
        REQUIRE(mt_index_add(ix, t, i + 1, all[i]) == MT_OK);
    CHECK_INT(mt_index_finalize(ix), MT_OK);

    mt_doc title_only = { "测试只填标题", NULL, NULL, 0, NULL, 0 };
    mt_doc full = { "基层医疗机构抗原快速测试试剂盒采购与验证",
                    "需要胶体金法抗原快速测试试剂盒，灵敏度高，十五分钟内出结果，用于基层医疗机构筛查", NULL, 0, NULL, 0 };
    int64_t id_short = 0, id_full = 0;
    double s_short = 0, s_full = 0;
    best_score(ix, t, &title_only, &id_short, &s_short);
    best_score(ix, t, &full, &id_full, &s_full);
    CHECK_INT(id_full, 1);
    CHECK(s_full >= 0.30);
    CHECK(s_short < 0.30);
    CHECK(s_short < s_full);

    /* The explanation says why: the short demand's confidence is below 1, the full one's is 1. */
    mt_query *mq = NULL;
    mt_explanation e;
    REQUIRE(mt_query_prepare(ix, t, &title_only, NULL, &mq) == MT_OK);
    REQUIRE(mt_query_explain(ix, mq, &kit, &e) == MT_OK);
    CHECK(e.confidence < 1.0);
    CHECK(fabs(e.score - s_short) < 1e-12 || id_short != 1);
    mt_query_free(mq);
    REQUIRE(mt_query_prepare(ix, t, &full, NULL, &mq) == MT_OK);
    REQUIRE(mt_query_explain(ix, mq, &kit, &e) == MT_OK);
    CHECK(e.confidence == 1.0);
    CHECK(e.score == s_full);
    mt_query_free(mq);
    mt_index_free(ix);
    mt_tokenizer_free(t);
}
