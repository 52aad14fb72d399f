/*
 * test_crosslang.c: Chinese meets English.  The three demo pairs issue 15
 * names rank their partner in the top 3 through the shipped equivalences
 * (CC-CEDICT subset, taxonomy names, synonyms; no entry added for them) and
 * not without them; a translated term weighs xl_weight of a typed one and its
 * explanation entry "a ≈ b" carries exactly its share; the thesaurus adds and
 * removes pairs at run time.
 */
#include "test.h"
#include "index.h"
#include "thesaurus.h"
#include "xl_demo.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const named[3][2] = {
    { "LDMG-D-004", "SIAM-A-010" }, /* 液压支架立柱激光熔覆修复再制造 -> Laser cladding ... hydraulic support columns */
    { "MTCY-D-004", "KIDS-A-010" }, /* 茶叶全程质量追溯与防伪系统 -> Blockchain-based traceability system for tea */
    { "ASAT-D-001", "GZU-A-010" },  /* Automatic X-ray defect recognition ... -> 基于深度学习的铝合金铸件X射线缺陷智能识别方法 */
};

/* The explanation of the pair: its score equals the hit's, and a translated entry "a ≈ b" is shown. */
static void check_explained(xl_demo *d, const char *q, const char *a, int rank)
{
    const mt_index *ix = xl_demo_index(d);
    mt_query *mq = NULL;
    REQUIRE(mt_query_prepare(ix, xl_demo_tokenizer(d), xl_demo_doc(d, q), NULL, &mq) == MT_OK);
    mt_hit hits[20];
    size_t n = 0;
    REQUIRE(mt_query_topk(ix, mq, 20, hits, &n) == MT_OK);
    REQUIRE(n >= (size_t)rank);
    mt_explanation e;
    REQUIRE(mt_query_explain(ix, mq, xl_demo_doc(d, a), &e) == MT_OK);
    CHECK(e.score == hits[rank - 1].score);
    int translated = 0;
    for (size_t i = 0; i < e.nterms; i++)
        translated |= e.terms[i].origin == MT_FROM_TRANSLATION && strstr(e.terms[i].text, " \xe2\x89\x88 ") != NULL;
    if (!translated)
        test_fail(__FILE__, __LINE__, "%s -> %s shows no translated term", q, a);
    mt_query_free(mq);
}

void test_crosslang_named_demo_pairs_rank_their_partner_in_top_3(void)
{
    xl_demo *with = xl_demo_open("seeds", NULL, 1), *without = xl_demo_open("seeds", NULL, 0);
    REQUIRE(with != NULL && without != NULL);
    for (int i = 0; i < 3; i++) {
        int r = xl_demo_rank(with, named[i][0], named[i][1], 20, NULL);
        int r0 = xl_demo_rank(without, named[i][0], named[i][1], 20, NULL);
        if (r < 1 || r > 3)
            test_fail(__FILE__, __LINE__, "%s ranks %s at %d (0: not in the top 20), not in the top 3", named[i][0],
                      named[i][1], r);
        /* Without the equivalences the pair does not meet (the finding): the test measures them. */
        if (r0 >= 1 && r0 <= 3)
            test_fail(__FILE__, __LINE__, "%s ranks %s at %d without equivalences", named[i][0], named[i][1], r0);
        if (r >= 1 && r <= 3)
            check_explained(with, named[i][0], named[i][1], r);
    }
    xl_demo_free(with);
    xl_demo_free(without);
}

/* The weight of the query term whose index text is text (0 when absent), and its origin and label. */
static double term_weight(const mt_query *mq, const char *text, mt_origin *origin, const char **equiv)
{
    size_t n = 0;
    const mt_query_term *qt = mt_query_terms(mq, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(qt[i].text, text) == 0) {
            *origin = qt[i].origin;
            *equiv = qt[i].equiv;
            return qt[i].weight;
        }
    return 0;
}

static const mt_term_share *share_of(const mt_explanation *e, const char *text)
{
    for (size_t i = 0; i < e->nterms; i++)
        if (strcmp(e->terms[i].text, text) == 0)
            return &e->terms[i];
    return NULL;
}

void test_crosslang_translated_term_weighs_less_and_shows_its_share(void)
{
    mt_params p;
    mt_params_default(&p);
    p.prf_terms = 0; /* no feedback: the shares are the typed and translated terms' alone */
    mt_tokenizer *t = mt_tokenizer_new();
    mt_index *ix = mt_index_new(&p);
    mt_thesaurus *th = mt_thesaurus_new();
    REQUIRE(t && ix && th);
    REQUIRE(mt_thesaurus_add(th, "激光熔覆", "laser cladding", MT_EQUIV_TRANSLATION) == MT_OK);
    mt_index_set_thesaurus(ix, th);
    mt_doc d1 = { "Laser cladding of coatings", "laser cladding repairs worn coatings", NULL, 0, NULL, 0 };
    mt_doc d2 = { "Thermal spray coatings", "coatings for boilers", NULL, 0, NULL, 0 };
    mt_doc d3 = { "Laser welding", "welding of thin sheet", NULL, 0, NULL, 0 };
    REQUIRE(mt_index_add(ix, t, 1, &d1) == MT_OK);
    REQUIRE(mt_index_add(ix, t, 2, &d2) == MT_OK);
    REQUIRE(mt_index_add(ix, t, 3, &d3) == MT_OK);
    REQUIRE(mt_index_finalize(ix) == MT_OK);
    /* The same words typed (English) and translated (Chinese), both in the title, beside a typed "coatings". */
    mt_doc typed = { "laser cladding coatings", NULL, NULL, 0, NULL, 0 };
    mt_doc xl = { "激光熔覆 coatings", NULL, NULL, 0, NULL, 0 };
    mt_query *mt = NULL, *mx = NULL;
    REQUIRE(mt_query_prepare(ix, t, &typed, NULL, &mt) == MT_OK);
    REQUIRE(mt_query_prepare(ix, t, &xl, NULL, &mx) == MT_OK);
    mt_origin ot, ox;
    const char *et, *ex;
    double wt = term_weight(mt, "laser", &ot, &et), wx = term_weight(mx, "laser", &ox, &ex);
    CHECK_INT(ot, MT_FROM_QUERY);
    CHECK(et == NULL);
    CHECK_INT(ox, MT_FROM_TRANSLATION);
    CHECK_STR(ex, "激光熔覆 ≈ laser cladding");
    CHECK(wt > 0 && fabs(wx - p.xl_weight * wt) < 1e-9 * wt);
    double ct = term_weight(mt, "clad", &ot, &et), cx = term_weight(mx, "clad", &ox, &ex);
    CHECK(ct > 0 && fabs(cx - p.xl_weight * ct) < 1e-9 * ct);
    CHECK(term_weight(mx, "coat", &ox, &ex) == term_weight(mt, "coat", &ot, &et));
    /*
     * The share of "激光熔覆 ≈ laser cladding" against d1: the typed query's shares give each term's
     * contribution per unit of integer weight (share / qi, the document's w(t, d) over raw), so the
     * translated query's shares follow from its own qi.
     */
    mt_explanation e1, ex1;
    REQUIRE(mt_query_explain(ix, mt, &d1, &e1) == MT_OK);
    REQUIRE(mt_query_explain(ix, mx, &d1, &ex1) == MT_OK);
    const char *words[3] = { "laser", "cladding", "coatings" }, *stems[3] = { "laser", "clad", "coat" };
    double per[3], qx[3];
    size_t n = 0;
    const mt_query_term *qt = mt_query_terms(mt, &n);
    for (int w = 0; w < 3; w++) {
        const mt_term_share *s = share_of(&e1, words[w]);
        REQUIRE(s != NULL);
        per[w] = 0;
        for (size_t i = 0; i < n; i++)
            if (strcmp(qt[i].text, stems[w]) == 0)
                per[w] = s->share / (double)qt[i].qi;
    }
    const mt_query_term *qxt = mt_query_terms(mx, &n);
    for (int w = 0; w < 3; w++)
        for (size_t i = 0; i < n; i++)
            if (strcmp(qxt[i].text, stems[w]) == 0)
                qx[w] = (double)qxt[i].qi;
    double tr = qx[0] * per[0] + qx[1] * per[1], all = tr + qx[2] * per[2];
    const mt_term_share *s = share_of(&ex1, "激光熔覆 ≈ laser cladding");
    REQUIRE(s != NULL);
    CHECK_INT(s->origin, MT_FROM_TRANSLATION);
    CHECK(fabs(s->share - tr / all) < 1e-6);
    const mt_term_share *c = share_of(&ex1, "coatings");
    REQUIRE(c != NULL);
    CHECK(fabs(s->share + c->share - 1.0) < 1e-9);
    /* The score is the explanation's: K = raw / qmax, as top-k sums it. */
    mt_hit hits[3];
    REQUIRE(mt_query_topk(ix, mx, 3, hits, &n) == MT_OK);
    REQUIRE(n >= 1);
    CHECK_INT(hits[0].id, 1);
    CHECK(hits[0].score == ex1.score);
    mt_query_free(mt);
    mt_query_free(mx);
    mt_index_free(ix);
    mt_thesaurus_free(th);
    mt_tokenizer_free(t);
}

void test_crosslang_thesaurus_adds_and_removes_at_run_time(void)
{
    mt_tokenizer *t = mt_tokenizer_new();
    mt_index *ix = mt_index_new(NULL);
    mt_thesaurus *th = mt_thesaurus_new();
    REQUIRE(t && ix && th);
    mt_doc d1 = { "Blockchain traceability for tea", "each package carries one code", NULL, 0, NULL, 0 };
    mt_doc d2 = { "Tea garden frost warning", "sensors in tea gardens", NULL, 0, NULL, 0 };
    REQUIRE(mt_index_add(ix, t, 1, &d1) == MT_OK);
    REQUIRE(mt_index_add(ix, t, 2, &d2) == MT_OK);
    REQUIRE(mt_index_finalize(ix) == MT_OK);
    mt_index_set_thesaurus(ix, th);
    mt_doc q = { "茶叶质量追溯", NULL, NULL, 0, NULL, 0 };
    mt_hit hits[2];
    size_t n = 0;
    REQUIRE(mt_index_query(ix, t, &q, 2, hits, &n) == MT_OK);
    CHECK_INT(n, 0); /* nothing shared */
    REQUIRE(mt_thesaurus_add(th, "追溯", "traceability", MT_EQUIV_TRANSLATION) == MT_OK);
    REQUIRE(mt_thesaurus_add(th, "Traceability", "追溯", MT_EQUIV_TRANSLATION) == MT_OK); /* the same pair */
    CHECK_INT(mt_thesaurus_count(th), 1);
    REQUIRE(mt_index_query(ix, t, &q, 2, hits, &n) == MT_OK);
    CHECK_INT(n, 1);
    CHECK_INT(n ? hits[0].id : 0, 1);
    /* Pairs do not chain: 溯源 ≈ 追溯 and 追溯 ≈ traceability do not make 溯源 find "traceability". */
    REQUIRE(mt_thesaurus_add(th, "溯源", "追溯", MT_EQUIV_SYNONYM) == MT_OK);
    mt_doc q2 = { "茶叶溯源", NULL, NULL, 0, NULL, 0 };
    REQUIRE(mt_index_query(ix, t, &q2, 2, hits, &n) == MT_OK);
    CHECK_INT(n, 0);
    CHECK_INT(mt_thesaurus_remove(th, "traceability", "追溯"), MT_OK);
    CHECK_INT(mt_thesaurus_remove(th, "traceability", "追溯"), MT_ERR_NOT_FOUND);
    CHECK_INT(mt_thesaurus_count(th), 1);
    REQUIRE(mt_index_query(ix, t, &q, 2, hits, &n) == MT_OK);
    CHECK_INT(n, 0);
    /* Spelling folds: "aluminum alloy" is found for a query writing "aluminium alloy". */
    REQUIRE(mt_thesaurus_add(th, "aluminium", "aluminum", MT_EQUIV_SYNONYM) == MT_OK);
    REQUIRE(mt_thesaurus_add(th, "铝合金", "aluminum alloy", MT_EQUIV_TRANSLATION) == MT_OK);
    mt_doc d3 = { "铝合金铸件", "压铸", NULL, 0, NULL, 0 };
    REQUIRE(mt_index_add(ix, t, 3, &d3) == MT_OK);
    mt_doc q3 = { "aluminium alloy", NULL, NULL, 0, NULL, 0 };
    REQUIRE(mt_index_query(ix, t, &q3, 2, hits, &n) == MT_OK);
    CHECK_INT(n, 1);
    CHECK_INT(n ? hits[0].id : 0, 3);
    mt_index_free(ix);
    mt_thesaurus_free(th);
    mt_tokenizer_free(t);
}
