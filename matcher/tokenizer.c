/*
 * tokenizer.c: one pass over UTF-8 text producing Latin word tokens and CJK
 * bigrams (see tokenizer.h for the rules).
 */
#include "tokenizer.h"
#include "utf8.h"
#include <libstemmer.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct mt_tokenizer {
    struct sb_stemmer *stemmer;
    int search;   /* the listing search's rules: numbers, units and Chinese filler stay tokens */
};

/* A short English stop list (articles, pronouns, auxiliaries, prepositions), sorted for bsearch. */
static const char *const stopwords[] = {
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an",
    "and", "any", "approximately", "are", "around", "as", "at", "be", "because", "been", "before", "being",
    "below", "between", "both", "but", "by", "can", "could", "did", "do", "does",
    "doing", "down", "during", "each", "etc", "few", "for", "from", "further", "had",
    "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself",
    "his", "how", "however", "i", "if", "in", "into", "is", "it", "its", "itself",
    "just", "least", "less", "may", "me", "might", "more", "most", "must", "my", "myself", "no", "nor",
    "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours",
    "ourselves", "out", "over", "own", "per", "same", "shall", "she", "should", "so", "some",
    "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then",
    "there", "these", "they", "this", "those", "through", "thus", "to", "too", "under",
    "until", "up", "upon", "us", "very", "via", "was", "we", "were", "what", "when",
    "where", "which", "while", "who", "whom", "why", "will", "with", "within",
    "without", "would", "you", "your", "yours", "yourself", "yourselves",
};

static int cmp_word(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(const char *const *)elem);
}

int mt_is_stopword(const char *w, size_t len)
{
    char buf[24];
    if (len == 0 || len >= sizeof buf)
        return 0;
    memcpy(buf, w, len);
    buf[len] = '\0';
    return bsearch(buf, stopwords, sizeof stopwords / sizeof stopwords[0],
                   sizeof stopwords[0], cmp_word) != NULL;
}

/*
 * Chinese comparison filler, as the bigrams it is indexed by: 不低于, 小于,
 * 以上, 左右, 个百分点(以上) say how much, not what; sorted for bsearch (by bytes).
 */
static const char *const filler_bigrams[] = {
    "不低", "不大", "不小", "不少", "不超", "不高", "个百", "以上", "以下", "以内", "低于", "分点", "大于", "小于", "左右", "点以",
    "百分", "至少", "超过", "高于",
};

/* One-character runs that are units or function characters (the 秒 of "1秒", the 吨 of "5吨"). */
static const char *const stop_chars[] = {
    "万", "与", "个", "为", "亩", "亿", "件", "倍", "元", "千", "及", "台", "吨", "和", "天", "套", "年",
    "或", "日", "时", "月", "次", "米", "的", "秒", "等", "约", "克", "项", "分", "度", "周", "在", "至", "不",
};

static int cmp_bytes(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(const char *const *)elem);
}

static int in_list(const char *const *list, size_t n, const char *w, size_t len, int sorted)
{
    char buf[16];
    if (len == 0 || len >= sizeof buf)
        return 0;
    memcpy(buf, w, len);
    buf[len] = '\0';
    if (sorted)
        return bsearch(buf, list, n, sizeof list[0], cmp_bytes) != NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], buf) == 0)
            return 1;
    return 0;
}

int mt_is_filler_bigram(const char *w, size_t len)
{
    return in_list(filler_bigrams, sizeof filler_bigrams / sizeof filler_bigrams[0], w, len, 1);
}

int mt_is_stop_char(const char *w, size_t len)
{
    return in_list(stop_chars, sizeof stop_chars / sizeof stop_chars[0], w, len, 0);
}

int mt_is_number(const char *w, size_t len)
{
    size_t digits = 0;
    for (size_t i = 0; i < len; i++) {
        if (w[i] >= '0' && w[i] <= '9')
            digits++;
        else if (w[i] != '.' && w[i] != ',')
            return 0;
    }
    return digits > 0;
}

mt_tokenizer *mt_tokenizer_new(void)
{
    mt_tokenizer *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->stemmer = sb_stemmer_new("english", NULL);
    if (t->stemmer == NULL) {
        free(t);
        return NULL;
    }
    return t;
}

void mt_tokenizer_set_search(mt_tokenizer *t, int search)
{
    t->search = search != 0;
}

void mt_tokenizer_free(mt_tokenizer *t)
{
    if (t == NULL)
        return;
    sb_stemmer_delete(t->stemmer);
    free(t);
}

static uint32_t fold(uint32_t cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        return cp - 0xFEE0;
    if (cp == 0x3000)
        return ' ';
    return cp;
}

int mt_is_cjk(uint32_t cp)
{
    return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FA1F) ||
           (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0xAC00 && cp <= 0xD7AF);
}

static int is_digit(uint32_t cp)
{
    return cp >= '0' && cp <= '9';
}

static int is_upper_ascii(uint32_t cp)
{
    return cp >= 'A' && cp <= 'Z';
}

/* Letters of Latin-1, Latin Extended-A/B and Greek count as word characters. */
static int is_letter(uint32_t cp)
{
    if ((cp >= 'a' && cp <= 'z') || is_upper_ascii(cp))
        return 1;
    if (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7)
        return 1;
    return cp >= 0x391 && cp <= 0x3C9 && cp != 0x3A2;
}

static uint32_t lower(uint32_t cp)
{
    if (is_upper_ascii(cp))
        return cp + 32;
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
        return cp + 32;
    if (cp >= 0x391 && cp <= 0x3A9)
        return cp + 32;
    return cp;
}

/* The Latin word being collected. */
typedef struct word {
    char buf[MT_TOKEN_MAX];
    size_t len;
    size_t start, end;  /* byte offsets in the original text */
    int letters_only;
    int active;
    int full;           /* the buffer is full: later characters are dropped */
} word;

static void word_add(word *w, uint32_t cp, size_t start, size_t end)
{
    char enc[4];
    size_t n = mt_utf8_encode(lower(cp), enc);
    if (!w->active) {
        w->active = 1;
        w->len = 0;
        w->start = start;
        w->letters_only = 1;
        w->full = 0;
    }
    if (!is_letter(cp))
        w->letters_only = 0;
    if (!w->full && w->len + n <= sizeof w->buf) {
        memcpy(w->buf + w->len, enc, n);
        w->len += n;
    } else {
        w->full = 1; /* cut at a character boundary, never resumed */
    }
    w->end = end;
}

static int word_flush(mt_tokenizer *t, word *w, mt_token_fn fn, void *ctx)
{
    if (!w->active)
        return 0;
    w->active = 0;
    if (mt_utf8_length(w->buf, w->len) < 2)
        return 0;
    if (!t->search && mt_is_number(w->buf, w->len))
        return 0; /* "150", "1000", "2.5": how much, not what */
    if (!w->letters_only)
        return fn(ctx, w->buf, w->len, w->start, w->end);
    if (mt_is_stopword(w->buf, w->len))
        return 0;
    const sb_symbol *s = sb_stemmer_stem(t->stemmer, (const sb_symbol *)w->buf, (int)w->len);
    if (s == NULL)
        return fn(ctx, w->buf, w->len, w->start, w->end);
    return fn(ctx, (const char *)s, (size_t)sb_stemmer_length(t->stemmer), w->start, w->end);
}

/* The CJK run being collected: only the previous character matters. */
typedef struct cjk {
    char prev[4];
    size_t prev_len, prev_start;
    size_t run;          /* characters in the current run */
} cjk;

static int cjk_add(const mt_tokenizer *t, cjk *c, uint32_t cp, size_t start, size_t end, mt_token_fn fn,
                   void *ctx)
{
    char enc[4];
    size_t n = mt_utf8_encode(cp, enc);
    int rc = 0;
    if (c->run > 0) {
        char bi[8];
        memcpy(bi, c->prev, c->prev_len);
        memcpy(bi + c->prev_len, enc, n);
        if (t->search || !mt_is_filler_bigram(bi, c->prev_len + n))
            rc = fn(ctx, bi, c->prev_len + n, c->prev_start, end);
    }
    memcpy(c->prev, enc, n);
    c->prev_len = n;
    c->prev_start = start;
    c->run++;
    return rc;
}

static int cjk_flush(const mt_tokenizer *t, cjk *c, size_t end, mt_token_fn fn, void *ctx)
{
    int rc = 0;
    if (c->run == 1 && (t->search || !mt_is_stop_char(c->prev, c->prev_len)))
        rc = fn(ctx, c->prev, c->prev_len, c->prev_start, end);
    c->run = 0;
    return rc;
}

/* Peeks at the folded code point that starts at byte i (or 0 at the end); *n receives its bytes. */
static uint32_t peek_n(const unsigned char *s, size_t len, size_t i, size_t *n)
{
    uint32_t cp;
    *n = 1;
    if (i >= len)
        return 0;
    *n = mt_utf8_decode(s + i, len - i, &cp);
    return fold(cp);
}

static uint32_t peek(const unsigned char *s, size_t len, size_t i)
{
    size_t n;
    return peek_n(s, len, i, &n);
}

/* Whether a thousands group starts at byte i: three digits, then no fourth ("1,000" but not "1,2-"). */
static int thousands_group(const unsigned char *s, size_t len, size_t i)
{
    for (int k = 0; k < 3; k++) {
        size_t n;
        if (!is_digit(peek_n(s, len, i, &n)))
            return 0;
        i += n;
    }
    return !is_digit(peek(s, len, i));
}

int mt_tokenize(mt_tokenizer *t, const char *text, size_t len, mt_token_fn fn, void *ctx)
{
    const unsigned char *s = (const unsigned char *)text;
    word w = {0};
    cjk c = {0};
    uint32_t prev = 0;
    size_t i = 0;
    int rc = 0;

    while (i < len && rc == 0) {
        uint32_t cp;
        size_t n = mt_utf8_decode(s + i, len - i, &cp);
        cp = fold(cp);
        size_t start = i;
        i += n;
        if (mt_is_cjk(cp)) {
            rc = word_flush(t, &w, fn, ctx);
            if (rc == 0)
                rc = cjk_add(t, &c, cp, start, i, fn, ctx);
        } else {
            if (c.run > 0)
                rc = cjk_flush(t, &c, start, fn, ctx);
            if (rc != 0)
                break;
            uint32_t next = peek(s, len, i);
            if (is_letter(cp) || is_digit(cp)) {
                word_add(&w, cp, start, i);
            } else if (w.active && cp == '.' && is_digit(prev) && is_digit(next)) {
                word_add(&w, cp, start, i);
            } else if (w.active && cp == ',' && is_digit(prev) && thousands_group(s, len, i)) {
                /* A thousands separator: "1,000" is the one token "1000". */
            } else if (w.active && cp == '/' && is_upper_ascii(prev) && is_upper_ascii(next)) {
                word_add(&w, cp, start, i);
            } else {
                rc = word_flush(t, &w, fn, ctx);
            }
        }
        prev = cp;
    }
    if (rc == 0)
        rc = word_flush(t, &w, fn, ctx);
    if (rc == 0 && c.run > 0)
        rc = cjk_flush(t, &c, len, fn, ctx);
    return rc;
}
