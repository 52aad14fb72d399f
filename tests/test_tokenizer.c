/*
 * test_tokenizer.c: the one tokenizer: English, Chinese, mixed, full-width,
 * numbers and filler (left out by the matcher's rules, kept by the search's),
 * bad bytes.
 */
#include "test.h"
#include "sbuf.h"
#include "tokenizer.h"
#include <stdlib.h>

typedef struct collected {
    sbuf joined;     /* tokens separated by '|' */
    size_t text_len;
    int bad_offsets;
    size_t count;
} collected;

static int collect(void *ctx, const char *tok, size_t len, size_t start, size_t end)
{
    collected *c = ctx;
    if (c->count++)
        sbuf_addc(&c->joined, '|');
    sbuf_add(&c->joined, tok, len);
    if (start >= end || end > c->text_len || len == 0 || len > MT_TOKEN_MAX)
        c->bad_offsets++;
    return 0;
}

/* Tokenizes text with the matcher's rules (search 0) or the listing search's (1); returns "a|b|c" (caller frees). */
static char *tokens_with(const char *text, int search)
{
    mt_tokenizer *t = mt_tokenizer_new();
    mt_tokenizer_set_search(t, search);
    collected c = { .text_len = strlen(text) };
    sbuf_init(&c.joined);
    mt_tokenize(t, text, strlen(text), collect, &c);
    mt_tokenizer_free(t);
    CHECK_INT(c.bad_offsets, 0);
    return sbuf_take(&c.joined);
}

static char *tokens(const char *text)
{
    return tokens_with(text, 0);
}

void test_tokenizer_english_stems_and_drops_stop_words(void)
{
    char *s = tokens("The miners are mining coal, and the Mines were safer.");
    CHECK_STR(s, "miner|mine|coal|mine|safer");
    free(s);
    s = tokens("of the and a");
    CHECK_STR(s, "");
    free(s);
}

void test_tokenizer_chinese_bigrams(void)
{
    char *s = tokens("煤矿机械");
    CHECK_STR(s, "煤矿|矿机|机械");
    free(s);
    s = tokens("煤，矿");  /* single characters stay unigrams */
    CHECK_STR(s, "煤|矿");
    free(s);
}

void test_tokenizer_mixed_and_full_width(void)
{
    char *s = tokens("５Ｇ基站与ＰＭ２．５监测 GB/T 4754 PM2.5 TCP/IP");
    CHECK_STR(s, "5g|基站|站与|pm2.5|监测|gb/t|pm2.5|tcp/ip");
    free(s);
    s = tokens_with("５Ｇ基站与ＰＭ２．５监测 GB/T 4754 PM2.5 TCP/IP", 1);
    CHECK_STR(s, "5g|基站|站与|pm2.5|监测|gb/t|4754|pm2.5|tcp/ip");
    free(s);
}

void test_tokenizer_numbers_and_filler_are_not_match_terms(void)
{
    /* A thousands separator keeps a number whole; other commas between digits still split ("1", "2": one character). */
    char *s = tokens_with("at least 1,000 t, 1,2-dichloroethane, 12,5000 and 2,000,000 W", 1);
    CHECK_STR(s, "1000|dichloroethan|12|5000|2000000");
    free(s);
    /* The matcher's rules: bare numbers and English comparison words say how much, not what. */
    s = tokens("at least 1,000 t per year, less than 150 kW, approximately 99.5% pure, around 5000 h");
    CHECK_STR(s, "year|kw|pure");
    free(s);
    /* Chinese comparison filler and one-character units are left out; the words around them stay. */
    s = tokens("支架动作响应小于1秒，纯度不低于98%，亩产提高3个百分点以上");
    CHECK_STR(s, "支架|架动|动作|作响|响应|应小|纯度|度不|亩产|产提|提高");
    free(s);
    /* The listing search keeps them: a user may look up 18650 or 不低于. */
    s = tokens_with("18650电池 不低于", 1);
    CHECK_STR(s, "18650|电池|不低|低于");
    free(s);
    /* Mixed words are not numbers. */
    s = tokens("5G PM2.5 304L X-ray");
    CHECK_STR(s, "5g|pm2.5|304l|ray");
    free(s);
}

void test_tokenizer_offsets_point_into_the_text(void)
{
    const char *text = "液压支架 hydraulic";
    mt_tokenizer *t = mt_tokenizer_new();
    collected c = { .text_len = strlen(text) };
    sbuf_init(&c.joined);
    mt_tokenize(t, text, strlen(text), collect, &c);
    mt_tokenizer_free(t);
    CHECK_INT(c.bad_offsets, 0);
    CHECK_STR(c.joined.buf, "液压|压支|支架|hydraul");
    sbuf_cleanup(&c.joined);
}

void test_tokenizer_long_words_are_cut(void)
{
    char word[301];
    memset(word, 'x', 300);
    word[300] = '\0';
    char *s = tokens(word);
    CHECK(strlen(s) <= MT_TOKEN_MAX);
    CHECK(strlen(s) > 0);
    free(s);
}

void test_tokenizer_survives_random_bytes(void)
{
    mt_tokenizer *t = mt_tokenizer_new();
    unsigned seed = 12345;
    unsigned char buf[512];
    for (int round = 0; round < 3000; round++) {
        size_t len = (size_t)(rand_r(&seed) % (int)sizeof buf);
        for (size_t i = 0; i < len; i++)
            buf[i] = (unsigned char)rand_r(&seed);
        collected c = { .text_len = len };
        sbuf_init(&c.joined);
        mt_tokenize(t, (const char *)buf, len, collect, &c);
        CHECK_INT(c.bad_offsets, 0);
        sbuf_cleanup(&c.joined);
    }
    mt_tokenizer_free(t);
}
