/*
 * test_explain_words.c: the shared terms an explanation shows are whole words
 * (issue 15, item 2).  The demo data (seeds/demo) and README's curl demand
 * showed fragments: 联邦学习和, 斯抽采, 订单基地提, 架动作响应, 小于, 不低于, 秒,
 * least, 000, 150.  The pairs that produced them are explained here again,
 * with the word list `make deps` installs (friso-dict), and must show the
 * whole words instead, with no function character at an edge, no number and
 * no filler; then `techmatch demo` is seeded and every stored explanation is
 * checked the same way.
 */
#include "test.h"
#include "index.h"
#include "lexicon.h"
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char *const fragments[] = {
    "联邦学习和", "斯抽采", "订单基地提", "架动作响应", "小于", "不低于", "秒", "least", "000", "150",
};

/* Filler a broker should never be shown as a shared term. */
static const char *const filler[] = {
    "小于", "大于", "低于", "高于", "不低于", "不高于", "不大于", "不小于", "不超过", "以上", "以下", "以内",
    "左右", "至少", "个百分点", "秒", "least", "less", "than", "per", "approximately", "around", "above", "below",
};

/* ---------- listings of the demo data ---------- */

/* A listing read from seeds/demo: its strings, and the mt_doc pointing into them. */
typedef struct listing_doc {
    char *title, *body;
    char *kw[32];
    const char *kwp[32];
    size_t nkw;
    mt_doc doc;
} listing_doc;

static void doc_fill(listing_doc *l, const cJSON *o, const char *body_member)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "title");
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, body_member);
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "keywords"), *v;
    l->title = strdup(cJSON_IsString(t) ? t->valuestring : "");
    l->body = strdup(cJSON_IsString(b) ? b->valuestring : "");
    l->nkw = 0;
    cJSON_ArrayForEach(v, k) {
        if (cJSON_IsString(v) && l->nkw < 32) {
            l->kw[l->nkw] = strdup(v->valuestring);
            l->kwp[l->nkw] = l->kw[l->nkw];
            l->nkw++;
        }
    }
    l->doc = (mt_doc){ l->title, l->body, l->kwp, l->nkw, NULL, 0 };
}

static void doc_free(listing_doc *l)
{
    free(l->title);
    free(l->body);
    for (size_t i = 0; i < l->nkw; i++)
        free(l->kw[i]);
}

/* Calls fn for each listing of a seeds/demo file ("achievements-cumt.jsonl"). */
static void each_listing(const char *file, void (*fn)(void *, const cJSON *), void *ctx)
{
    char path[256], line[16384];
    snprintf(path, sizeof path, "seeds/demo/%s", file);
    FILE *f = fopen(path, "r");
    REQUIRE(f != NULL);
    while (fgets(line, sizeof line, f) != NULL) {
        cJSON *o = cJSON_Parse(line);
        if (o != NULL)
            fn(ctx, o);
        cJSON_Delete(o);
    }
    fclose(f);
}

typedef struct find_ref {
    const char *ref, *body_member;
    listing_doc *out;
    int found;
} find_ref;

static void match_ref(void *ctx, const cJSON *o)
{
    find_ref *fr = ctx;
    const cJSON *ref = cJSON_GetObjectItemCaseSensitive(o, "ref");
    if (!fr->found && cJSON_IsString(ref) && strcmp(ref->valuestring, fr->ref) == 0) {
        doc_fill(fr->out, o, fr->body_member);
        fr->found = 1;
    }
}

/* Reads the listing ref of a seeds/demo file; a demand's body is its description, an achievement's its abstract. */
static void demo_listing(const char *file, const char *ref, listing_doc *out)
{
    find_ref fr = { ref, strncmp(file, "demands", 7) == 0 ? "description" : "abstract", out, 0 };
    each_listing(file, match_ref, &fr);
    if (!fr.found)
        test_fail(__FILE__, __LINE__, "%s holds no listing %s", file, ref);
    REQUIRE(fr.found);
}

typedef struct adder {
    mt_index *ix;
    mt_tokenizer *t;
    int64_t next;
} adder;

static void add_achievement(void *ctx, const cJSON *o)
{
    adder *a = ctx;
    listing_doc l;
    doc_fill(&l, o, "abstract");
    CHECK_INT(mt_index_add(a->ix, a->t, ++a->next, &l.doc), MT_OK);
    doc_free(&l);
}

/* ---------- what a shown term must not be ---------- */

static int is_one_of(const char *t, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(t, list[i]) == 0)
            return 1;
    return 0;
}

/*
 * Whether the term starts or ends with 和 与 的 及 等 that is not part of a
 * word of the lexicon at that edge (等离子 and 目的 are words; 联邦学习和 is not).
 */
static int function_edged(const mt_lexicon *lx, const char *t)
{
    static const char *const fc[] = { "和", "与", "的", "及", "等" };
    size_t n = strlen(t);
    for (size_t f = 0; f < 5; f++) {
        int head = strncmp(t, fc[f], 3) == 0, tail = n >= 3 && strcmp(t + n - 3, fc[f]) == 0;
        int word_head = 0, word_tail = 0;
        for (size_t len = 6; len <= n && len <= 3 * MT_WORD_MAX_CHARS; len += 3) {
            word_head |= mt_lexicon_has(lx, t, len);
            word_tail |= mt_lexicon_has(lx, t + n - len, len);
        }
        if ((head && !word_head) || (tail && !word_tail))
            return 1;
    }
    return 0;
}

/* Counts (and reports) the shown terms that are fragments, filler, numbers or function-edged. */
static int bad_terms(const mt_lexicon *lx, const char *what, const char *const *terms, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        const char *t = terms[i], *why = NULL;
        if (is_one_of(t, fragments, sizeof fragments / sizeof fragments[0]))
            why = "a fragment of the issue";
        else if (is_one_of(t, filler, sizeof filler / sizeof filler[0]))
            why = "filler";
        else if (mt_is_number(t, strlen(t)))
            why = "a number";
        else if (function_edged(lx, t))
            why = "edged by a function character";
        if (why != NULL) {
            test_fail(__FILE__, __LINE__, "%s: shows %s, %s", what, t, why);
            bad++;
        }
    }
    return bad;
}

static int shows(const mt_explanation *e, const char *term)
{
    for (size_t i = 0; i < e->nterms; i++)
        if (strcmp(e->terms[i].text, term) == 0)
            return 1;
    return 0;
}

/* The word list the service loads; NULL (after a failure) when it is missing. */
static mt_lexicon *friso(void)
{
    mt_lexicon *lx = mt_lexicon_new();
    size_t words = 0;
    if (lx == NULL || mt_lexicon_load(lx, MT_LEXICON_DEFAULT_PATH, &words) != MT_OK || words < 100000) {
        test_fail(__FILE__, __LINE__, "no word list at %s: run make deps (friso-dict)", MT_LEXICON_DEFAULT_PATH);
        mt_lexicon_free(lx);
        return NULL;
    }
    return lx;
}

/* ---------- the pairs of the issue ---------- */

typedef struct issue_pair {
    const char *qfile, *qref;          /* the demand (NULL: README's curl demand) */
    const char *dfile, *dref;          /* the achievement */
    const char *words[3];              /* whole words it must show (NULL-terminated) */
} issue_pair;

static const issue_pair issue_pairs[] = {
    { "demands-guian-yunshu.jsonl", "GAYS-D-001", "achievements-gzu.jsonl", "GZU-A-008",
      { "联邦学习", "隐私计算", NULL } },
    { "demands-liangdu-mining.jsonl", "LDMG-D-002", "achievements-cumt.jsonl", "CUMT-A-003",
      { "瓦斯抽采", "卸压增透", "透气性" } },
    { "demands-chishui-liquor.jsonl", "CSH-D-002", "achievements-gaas.jsonl", "GAAS-A-004",
      { "订单基地", "提纯复壮", NULL } },
    { NULL, NULL, "achievements-cumt.jsonl", "CUMT-A-001", { "动作响应", "液压支架电液控制系统", NULL } },
    { "demands-kaiyang-phos.jsonl", "KYPC-D-002", "achievements-qzci.jsonl", "QZCI-A-008", { "浮选", NULL } },
    { "demands-qiannan-materials.jsonl", "QNBM-D-002", "achievements-siam.jsonl", "SIAM-A-004",
      { "sulfate", NULL } },
    { "demands-qiannan-materials.jsonl", "QNBM-D-004", "achievements-siam.jsonl", "SIAM-A-013",
      { "sulfate", NULL } },
    { "demands-meitan-tea.jsonl", "MTCY-D-001", "achievements-gaas.jsonl", "GAAS-A-001",
      { "茶叶加工机械", "生产线", NULL } },
};

/* README's curl demand, the one that showed 架动作响应, 小于 and 秒. */
static const char *const readme_keywords[] = { "液压支架", "电液控制" };
static const mt_doc readme_demand = { "综采工作面液压支架电液控制系统国产化", "替代进口电液控制系统，支架动作响应小于1秒。",
                                      readme_keywords, 2, NULL, 0 };

/* An index of every demo achievement, as the service holds them. */
static mt_index *demo_index(mt_tokenizer *t)
{
    static const char *const files[] = {
        "achievements-cumt.jsonl", "achievements-gaas.jsonl", "achievements-gzu.jsonl", "achievements-gzucm.jsonl",
        "achievements-kids.jsonl", "achievements-qzci.jsonl", "achievements-siam.jsonl",
    };
    mt_index *ix = mt_index_new(NULL); /* the service's ranking, feedback on */
    if (ix == NULL)
        return NULL;
    adder a = { ix, t, 0 };
    mt_index_bulk(ix);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        each_listing(files[i], add_achievement, &a);
    CHECK_INT(mt_index_finalize(ix), MT_OK);
    CHECK(mt_index_count(ix) >= 60);
    return ix;
}

void test_explain_words_issue_fragments_become_whole_words(void)
{
    mt_tokenizer *t = mt_tokenizer_new();
    REQUIRE(t != NULL);
    mt_lexicon *lx = friso();
    REQUIRE(lx != NULL);
    mt_index *ix = demo_index(t);
    REQUIRE(ix != NULL);
    mt_index_set_lexicon(ix, lx);
    for (size_t p = 0; p < sizeof issue_pairs / sizeof issue_pairs[0]; p++) {
        const issue_pair *ip = &issue_pairs[p];
        listing_doc q = { 0 }, d = { 0 };
        if (ip->qfile)
            demo_listing(ip->qfile, ip->qref, &q);
        demo_listing(ip->dfile, ip->dref, &d);
        const mt_doc *qd = ip->qfile ? &q.doc : &readme_demand;
        mt_explanation e;
        REQUIRE(mt_explain(ix, t, qd, &d.doc, &e) == MT_OK);
        char what[128];
        snprintf(what, sizeof what, "%s -> %s", ip->qref ? ip->qref : "README's demand", ip->dref);
        const char *terms[MT_EXPLAIN_TERMS];
        double sum = 0;
        for (size_t i = 0; i < e.nterms; i++) {
            terms[i] = e.terms[i].text;
            sum += e.terms[i].share;
        }
        CHECK(e.nterms > 0);
        CHECK_INT(bad_terms(lx, what, terms, e.nterms), 0);
        CHECK(sum <= 1.0 + 1e-9);
        for (size_t w = 0; w < 3 && ip->words[w]; w++)
            if (!shows(&e, ip->words[w]))
                test_fail(__FILE__, __LINE__, "%s: does not show the whole word %s", what, ip->words[w]);
        doc_free(&q);
        doc_free(&d);
    }
    /* Without a word list the runs of bigrams come back: the cut above is the lexicon's doing. */
    listing_doc q, d;
    demo_listing("demands-guian-yunshu.jsonl", "GAYS-D-001", &q);
    demo_listing("achievements-gzu.jsonl", "GZU-A-008", &d);
    mt_explanation e;
    mt_index_set_lexicon(ix, NULL);
    REQUIRE(mt_explain(ix, t, &q.doc, &d.doc, &e) == MT_OK);
    CHECK(shows(&e, "联邦学习和"));
    doc_free(&q);
    doc_free(&d);
    mt_index_free(ix);
    mt_lexicon_free(lx);
    mt_tokenizer_free(t);
}

/* Every shared term's contribution is in one shown term: with few terms the shares sum to 1. */
void test_explain_words_shares_still_sum_to_one(void)
{
    mt_tokenizer *t = mt_tokenizer_new();
    mt_lexicon *lx = mt_lexicon_new();
    REQUIRE(t && lx);
    static const char *const words[] = { "联邦学习", "多方", "安全", "计算", "透气性", "煤层", "订单", "基地", "提供",
                                         "可信", "执行", "环境" };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        REQUIRE(mt_lexicon_add(lx, words[i], strlen(words[i])) == MT_OK);
    mt_params p;
    mt_params_default(&p);
    p.prf_terms = 0;
    mt_index *ix = mt_index_new(&p);
    mt_doc d1 = { "联邦学习和可信执行环境", "多方安全计算，透气性低的煤层，订单基地提供原种。", NULL, 0, NULL, 0 };
    mt_doc d2 = { "茶叶加工", "绿茶", NULL, 0, NULL, 0 };
    REQUIRE(mt_index_add(ix, t, 1, &d1) == MT_OK);
    REQUIRE(mt_index_add(ix, t, 2, &d2) == MT_OK);
    REQUIRE(mt_index_finalize(ix) == MT_OK);
    mt_index_set_lexicon(ix, lx);
    mt_doc q = { "支持联邦学习和多方安全计算", "提高煤层透气性，订单基地提质。", NULL, 0, NULL, 0 };
    mt_explanation e;
    REQUIRE(mt_explain(ix, t, &q, &d1, &e) == MT_OK);
    REQUIRE(e.nterms < MT_EXPLAIN_TERMS);
    double sum = 0;
    for (size_t i = 0; i < e.nterms; i++)
        sum += e.terms[i].share;
    CHECK(fabs(sum - 1.0) < 1e-9);
    CHECK(shows(&e, "联邦学习"));
    CHECK(shows(&e, "多方安全计算"));
    CHECK(shows(&e, "透气性"));       /* a known word keeps its last character */
    CHECK(shows(&e, "订单基地"));     /* d's 提供 is not q's 提质: 提 is not shared as a word */
    CHECK(!shows(&e, "订单基地提"));
    /* The score is the index's: the lexicon changes what is shown, never the number. */
    mt_hit hits[2];
    size_t n = 0;
    REQUIRE(mt_index_query(ix, t, &q, 2, hits, &n) == MT_OK);
    REQUIRE(n >= 1);
    CHECK_INT(hits[0].id, 1);
    CHECK(hits[0].score == e.score);
    mt_index_free(ix);
    mt_lexicon_free(lx);
    mt_tokenizer_free(t);
}

/* The words of a lexicon: segmentation, names, loading. */
void test_explain_words_lexicon_segments_names_and_files(void)
{
    mt_lexicon *lx = mt_lexicon_new();
    REQUIRE(lx != NULL);
    REQUIRE(mt_lexicon_add_name(lx, "计算机、通信和其他电子设备制造业") == MT_OK);
    CHECK(mt_lexicon_has(lx, "计算机", strlen("计算机")));
    CHECK(mt_lexicon_has(lx, "通信", strlen("通信")));
    CHECK(!mt_lexicon_has(lx, "通信和其他", strlen("通信和其他")));
    REQUIRE(mt_lexicon_add(lx, "x", 1) == MT_OK);           /* not CJK: ignored */
    REQUIRE(mt_lexicon_add(lx, "煤", strlen("煤")) == MT_OK); /* one character: ignored */
    CHECK_INT(mt_lexicon_count(lx), 3);
    const char *path = test_path("words.lex");
    FILE *f = fopen(path, "w");
    REQUIRE(f != NULL);
    fputs("# a comment\n联邦学习/null\n隐私 12 n\n安全计算\n", f);
    fclose(f);
    size_t added = 0;
    REQUIRE(mt_lexicon_load(lx, path, &added) == MT_OK);
    CHECK_INT(added, 3);
    CHECK_INT(mt_lexicon_load(lx, test_path("no-such.lex"), &added), MT_ERR_NOT_FOUND);
    /* 联邦学习|和|隐私: the fewest pieces, a word beating its characters. */
    const char *s = "联邦学习和隐私";
    size_t off[8];
    for (size_t i = 0; i <= 7; i++)
        off[i] = 3 * i;
    unsigned char cut[8];
    mt_segment(lx, s, off, 7, NULL, 0, cut);
    CHECK(cut[0] && cut[4] && cut[5] && cut[7]);
    CHECK(!cut[1] && !cut[2] && !cut[3] && !cut[6]);
    CHECK(mt_is_filler_word("和", 3));
    CHECK(mt_is_filler_word("不低于", 9));
    CHECK(!mt_is_filler_word("透气性", 9));
    mt_lexicon_free(lx);
}

/* ---------- the demo, as `make run` seeds it ---------- */

void test_explain_words_demo_shows_no_fragments(void)
{
    const char *db = test_path("demo-words.db");
    unlink(db);
    const char *argv[] = { test_bin(), "demo", "--db", db, "--seeds", "seeds/demo", NULL };
    REQUIRE(test_run(argv, NULL, NULL, NULL) == 0);
    mt_lexicon *lx = friso();
    REQUIRE(lx != NULL);
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    REQUIRE(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
    REQUIRE(sqlite3_prepare_v2(h, "SELECT id, explanation FROM matches", -1, &st, NULL) == SQLITE_OK);
    int explanations = 0, shown = 0, bad = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *ex = cJSON_Parse((const char *)sqlite3_column_text(st, 1));
        const cJSON *terms = cJSON_GetObjectItemCaseSensitive(ex, "terms"), *term;
        const char *texts[64];
        size_t n = 0;
        cJSON_ArrayForEach(term, terms) {
            const cJSON *text = cJSON_GetObjectItemCaseSensitive(term, "text");
            if (cJSON_IsString(text) && n < 64)
                texts[n++] = text->valuestring;
        }
        char what[64];
        snprintf(what, sizeof what, "match %lld", (long long)sqlite3_column_int64(st, 0));
        bad += bad_terms(lx, what, texts, n);
        shown += (int)n;
        explanations++;
        cJSON_Delete(ex);
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    CHECK(explanations >= 30); /* the demo's suggestions at the default threshold (43 when this was written) */
    CHECK(shown >= 6 * explanations);
    CHECK_INT(bad, 0);
    mt_lexicon_free(lx);
}

/* The live matches of demand ref, as a broker reads them: 1 if one of their terms is text. */
static int live_shows(const test_server *s, const char *token, const char *db, const char *ref, const char *text)
{
    char sql[160], path[96];
    snprintf(sql, sizeof sql, "SELECT id FROM demands WHERE ref = '%s'", ref);
    snprintf(path, sizeof path, "/api/demands/%d/matches?limit=50", test_sqlite_int(db, sql));
    test_resp *r = test_http(s, "GET", path, token, NULL, NULL, 0);
    int found = 0;
    CHECK_INT(r->status, 200);
    const cJSON *item, *term;
    cJSON_ArrayForEach(item, cJSON_GetObjectItem(r->json, "items"))
        cJSON_ArrayForEach(term, cJSON_GetObjectItem(cJSON_GetObjectItem(item, "explanation"), "terms"))
            found |= strcmp(test_jstr(term, "text"), text) == 0;
    test_resp_free(r);
    return found;
}

/* The word list is optional: without it the server starts, says so, and explains with runs of bigrams. */
void test_explain_words_server_runs_without_a_word_list(void)
{
    const char *db = test_path("demo-nolex.db");
    unlink(db);
    const char *argv[] = { test_bin(), "demo", "--db", db, "--seeds", "seeds/demo", NULL };
    REQUIRE(test_run(argv, NULL, NULL, NULL) == 0);
    const char *const missing[] = { "--lexicon", test_path("no-such-words.lex"), NULL };
    test_server s;
    REQUIRE(test_server_start(&s, db, missing) == 0);
    char *broker = test_add_staff(&s, "broker", "words-broker@example.org");
    REQUIRE(broker != NULL);
    CHECK(live_shows(&s, broker, db, "GAYS-D-001", "联邦学习和"));
    CHECK(!live_shows(&s, broker, db, "GAYS-D-001", "联邦学习"));
    char *log = test_server_log(&s);
    CHECK(log != NULL && strstr(log, "no word list") != NULL);
    free(log);
    free(broker);
    CHECK_INT(test_server_stop(&s), 0);
    /* With the installed word list (the default) the same demand shows the whole word. */
    REQUIRE(test_server_start(&s, db, NULL) == 0);
    broker = test_add_staff(&s, "broker", "words-broker2@example.org");
    REQUIRE(broker != NULL);
    CHECK(live_shows(&s, broker, db, "GAYS-D-001", "联邦学习"));
    CHECK(!live_shows(&s, broker, db, "GAYS-D-001", "联邦学习和"));
    free(broker);
    CHECK_INT(test_server_stop(&s), 0);
}

/* Random mixes of Chinese, Latin, digits, punctuation and bad bytes: explained with words, never a crash. */
void test_explain_words_survive_hostile_text(void)
{
    static const char *const parts[] = {
        "联邦学习", "和", "的", "瓦斯抽采", "斯", "订单基地", "提质", "小于", "1,000", "150", "秒", "least",
        "，", "。", " ", "\xff", "\xe8\x81", "β型", "PM2.5", "响应时间", "煤", "𠀀", "ｘ", "\n",
    };
    size_t np = sizeof parts / sizeof parts[0];
    mt_tokenizer *t = mt_tokenizer_new();
    mt_lexicon *lx = friso();
    REQUIRE(t && lx);
    REQUIRE(mt_lexicon_add(lx, "提质", strlen("提质")) == MT_OK);
    unsigned seed = 15;
    for (int round = 0; round < 200; round++) {
        char q[1024] = "", d[1024] = "";
        char *texts[2] = { q, d };
        for (int s = 0; s < 2; s++)
            for (int k = rand_r(&seed) % 60, len = 0; k > 0; k--) {
                const char *p = parts[(size_t)rand_r(&seed) % np];
                int n = snprintf(texts[s] + len, sizeof q - (size_t)len, "%s", p);
                if (n > 0 && (size_t)(len + n) < sizeof q)
                    len += n;
                else
                    texts[s][len] = '\0';
            }
        const char *kw[] = { parts[(size_t)rand_r(&seed) % np] };
        mt_doc dq = { q, NULL, kw, 1, NULL, 0 }, dd = { d, q, kw, 1, NULL, 0 };
        mt_index *ix = mt_index_new(NULL);
        REQUIRE(ix != NULL);
        REQUIRE(mt_index_add(ix, t, 1, &dd) == MT_OK);
        REQUIRE(mt_index_finalize(ix) == MT_OK);
        mt_index_set_lexicon(ix, lx);
        mt_explanation e;
        REQUIRE(mt_explain(ix, t, &dq, &dd, &e) == MT_OK);
        double sum = 0;
        for (size_t i = 0; i < e.nterms; i++) {
            CHECK(e.terms[i].text[0] != '\0');
            CHECK(e.terms[i].share > 0);
            sum += e.terms[i].share;
        }
        CHECK(sum <= 1.0 + 1e-9);
        if (e.raw > 0 && e.nterms < MT_EXPLAIN_TERMS)
            CHECK(fabs(sum - 1.0) < 1e-9); /* every contribution is in a shown term */
        mt_index_free(ix);
    }
    mt_lexicon_free(lx);
    mt_tokenizer_free(t);
}
