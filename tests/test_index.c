/* test_index.c: the matcher's index: ranking, removal, fields, bounds, bad text. */
#include "test.h"
#include "index.h"
#include <math.h>
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
    mt_index_finalize(ix);
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
            CHECK(fabs(hits[i].score - (0.8 * hits[i].k + 0.2)) < 1e-9);
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
    mt_index_finalize(ix); /* compacting keeps the same answers */
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
