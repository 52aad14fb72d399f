/* test_taxonomy.c: the GB/T 4754-2017 seed and the tree rules. */
#include "test.h"
#include "embedded.h"
#include "taxonomy.h"

void test_taxonomy_embedded_seed_has_sections_and_divisions(void)
{
    taxonomy *t = NULL;
    char msg[200];
    REQUIRE(taxonomy_parse_tsv(embedded_taxonomy_tsv, &t, msg, sizeof msg) == TM_OK);
    CHECK_INT(taxonomy_count(t), 117);
    size_t sections = 0;
    for (size_t i = 0; i < taxonomy_count(t); i++)
        sections += taxonomy_at(t, i)->level == 1;
    CHECK_INT(sections, 20);
    const tax_field *b06 = taxonomy_find(t, "B06");
    REQUIRE(b06 != NULL);
    CHECK_STR(b06->parent, "B");
    CHECK_STR(b06->name_zh, "煤炭开采和洗选业");
    CHECK_STR(b06->name_en, "Mining and Washing of Coal");
    CHECK(taxonomy_find(t, "T97") != NULL);
    CHECK(taxonomy_find(t, "B99") == NULL);
    taxonomy_free(t);
}

void test_taxonomy_rejects_orphans_and_bad_codes(void)
{
    taxonomy *t = taxonomy_new();
    tax_field ok = { "B", NULL, 1, "采矿业", "Mining" };
    tax_field orphan = { "C13", "C", 2, "x", "x" };
    tax_field bad = { "b06", "B", 2, "x", "x" };
    CHECK_INT(taxonomy_add(t, &ok), TM_OK);
    CHECK_INT(taxonomy_add(t, &ok), TM_ERR_INVALID);
    CHECK_INT(taxonomy_add(t, &orphan), TM_ERR_INVALID);
    CHECK_INT(taxonomy_add(t, &bad), TM_ERR_INVALID);
    taxonomy_free(t);

    char msg[200];
    CHECK_INT(taxonomy_parse_tsv("code\tparent\tlevel\tzh\ten\nA\t\tone\tx\ty\n", &t, msg, sizeof msg), TM_ERR_INVALID);
    CHECK_CONTAINS(msg, "line 2");
}
