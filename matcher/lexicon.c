/*
 * lexicon.c: the word set behind whole-word explanations (see lexicon.h): an
 * open-addressing hash set whose words live in one arena (offsets, so the
 * arena may grow), the loading of word lists, and a fewest-pieces
 * segmentation of CJK runs.
 */
#include "lexicon.h"
#include "index_int.h"
#include "tokenizer.h"
#include "utf8.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mt_lexicon {
    char *arena;        /* NUL-terminated words, back to back */
    size_t used, room;
    uint32_t *slot;     /* arena offset + 1, 0 = empty */
    uint32_t *hash;     /* the hash of the word in the same slot */
    size_t cap;         /* slots, a power of two */
    size_t n;
    unsigned char longest[0x10000]; /* by first character (BMP): the most characters of a word it starts */
};

static uint32_t word_hash(const char *s, size_t len)
{
    return (uint32_t)ix_hash_bytes(s, len);
}

mt_lexicon *mt_lexicon_new(void)
{
    mt_lexicon *lx = calloc(1, sizeof *lx);
    if (lx == NULL)
        return NULL;
    lx->cap = 1024;
    lx->slot = calloc(lx->cap, sizeof *lx->slot);
    lx->hash = calloc(lx->cap, sizeof *lx->hash);
    if (lx->slot == NULL || lx->hash == NULL) {
        mt_lexicon_free(lx);
        return NULL;
    }
    return lx;
}

void mt_lexicon_free(mt_lexicon *lx)
{
    if (lx == NULL)
        return;
    free(lx->arena);
    free(lx->slot);
    free(lx->hash);
    free(lx);
}

/* The slot holding w, or the empty slot where it would go. */
static size_t find_slot(const mt_lexicon *lx, const char *w, size_t len, uint32_t h)
{
    size_t mask = lx->cap - 1, i = h & mask;
    while (lx->slot[i] != 0) {
        const char *s = lx->arena + lx->slot[i] - 1;
        if (lx->hash[i] == h && strncmp(s, w, len) == 0 && s[len] == '\0')
            return i;
        i = (i + 1) & mask;
    }
    return i;
}

static int grow_slots(mt_lexicon *lx)
{
    size_t ocap = lx->cap;
    uint32_t *oslot = lx->slot, *ohash = lx->hash;
    uint32_t *slot = calloc(ocap * 2, sizeof *slot), *hash = calloc(ocap * 2, sizeof *hash);
    if (slot == NULL || hash == NULL) {
        free(slot);
        free(hash);
        return MT_ERR_NOMEM;
    }
    lx->slot = slot;
    lx->hash = hash;
    lx->cap = ocap * 2;
    for (size_t i = 0; i < ocap; i++)
        if (oslot[i] != 0) {
            size_t j = ohash[i] & (lx->cap - 1);
            while (lx->slot[j] != 0)
                j = (j + 1) & (lx->cap - 1);
            lx->slot[j] = oslot[i];
            lx->hash[j] = ohash[i];
        }
    free(oslot);
    free(ohash);
    return MT_OK;
}

/* Counts the characters of w[0..len) if all are CJK; 0 otherwise.  *first receives the first. */
static size_t cjk_chars(const char *w, size_t len, uint32_t *first)
{
    size_t i = 0, n = 0;
    *first = 0;
    while (i < len) {
        uint32_t cp;
        i += mt_utf8_decode((const unsigned char *)w + i, len - i, &cp);
        if (!mt_is_cjk(cp))
            return 0;
        if (n++ == 0)
            *first = cp;
    }
    return n;
}

/* The most characters a word starting with cp may have (MT_WORD_MAX_CHARS beyond the BMP). */
static size_t longest_from(const mt_lexicon *lx, uint32_t cp)
{
    if (lx == NULL)
        return 0;
    return cp < 0x10000 ? lx->longest[cp] : MT_WORD_MAX_CHARS;
}

int mt_lexicon_add(mt_lexicon *lx, const char *w, size_t len)
{
    uint32_t first;
    size_t chars = cjk_chars(w, len, &first);
    if (chars < 2 || chars > MT_WORD_MAX_CHARS)
        return MT_OK;
    if ((lx->n + 1) * 4 > lx->cap * 3 && grow_slots(lx) != MT_OK) /* at most 3/4 full */
        return MT_ERR_NOMEM;
    uint32_t h = word_hash(w, len);
    size_t i = find_slot(lx, w, len, h);
    if (lx->slot[i] != 0)
        return MT_OK;
    if (lx->used + len + 1 > lx->room) {
        size_t room = lx->room ? lx->room * 2 : 65536;
        while (room < lx->used + len + 1)
            room *= 2;
        if (room > UINT32_MAX)
            return MT_ERR_NOMEM;
        char *a = realloc(lx->arena, room);
        if (a == NULL)
            return MT_ERR_NOMEM;
        lx->arena = a;
        lx->room = room;
    }
    memcpy(lx->arena + lx->used, w, len);
    lx->arena[lx->used + len] = '\0';
    lx->slot[i] = (uint32_t)lx->used + 1;
    lx->hash[i] = h;
    lx->used += len + 1;
    lx->n++;
    if (first < 0x10000 && lx->longest[first] < chars)
        lx->longest[first] = (unsigned char)chars;
    return MT_OK;
}

/* 1 if the character at s[0..n) splits a name into words (、 和 及 与). */
static int name_separator(const char *s, size_t n)
{
    static const char *const seps[] = { "、", "和", "及", "与" };
    for (size_t i = 0; i < sizeof seps / sizeof seps[0]; i++)
        if (n == strlen(seps[i]) && memcmp(s, seps[i], n) == 0)
            return 1;
    return 0;
}

int mt_lexicon_add_name(mt_lexicon *lx, const char *name)
{
    size_t len = strlen(name), i = 0, start = 0;
    while (i <= len) {
        uint32_t cp = 0;
        size_t n = i < len ? mt_utf8_decode((const unsigned char *)name + i, len - i, &cp) : 1;
        if (i == len || !mt_is_cjk(cp) || name_separator(name + i, n)) {
            if (i > start && mt_lexicon_add(lx, name + start, i - start) != MT_OK)
                return MT_ERR_NOMEM;
            start = i + n;
        }
        i += n;
    }
    return MT_OK;
}

int mt_lexicon_load(mt_lexicon *lx, const char *path, size_t *added)
{
    FILE *f = fopen(path, "r");
    if (added)
        *added = 0;
    if (f == NULL)
        return MT_ERR_NOT_FOUND;
    char line[512];
    size_t before = lx->n;
    int rc = MT_OK;
    while (rc == MT_OK && fgets(line, sizeof line, f) != NULL) {
        if (line[0] == '#')
            continue;
        rc = mt_lexicon_add(lx, line, strcspn(line, "/\t \r\n"));
    }
    fclose(f);
    if (added)
        *added = lx->n - before;
    return rc;
}

int mt_lexicon_has(const mt_lexicon *lx, const char *w, size_t len)
{
    if (lx == NULL || len == 0 || lx->n == 0)
        return 0;
    return lx->slot[find_slot(lx, w, len, word_hash(w, len))] != 0;
}

size_t mt_lexicon_count(const mt_lexicon *lx)
{
    return lx ? lx->n : 0;
}

size_t mt_lexicon_bytes(const mt_lexicon *lx)
{
    return lx ? sizeof *lx + lx->room + lx->cap * (sizeof *lx->slot + sizeof *lx->hash) : 0;
}

static int is_extra(const char *const *extra, size_t nextra, const char *w, size_t len)
{
    for (size_t i = 0; i < nextra; i++)
        if (extra[i] && strncmp(extra[i], w, len) == 0 && extra[i][len] == '\0')
            return 1;
    return 0;
}

#define SEG_STACK 128

/*
 * cost[i] is the least cost of segmenting characters i..n: a word costs 4, a
 * lone function character or unit 5 and any other lone character 6, so a word
 * always beats its characters, the fewest pieces win, and among as many
 * pieces the one leaving a function character alone (并|联动|停机, not
 * 并联|动|停机).  Words are tried longest first and a word wins a remaining
 * tie with a lone character, so ties keep the longer first word (色素|色|价,
 * not 色|素色|价).
 */
void mt_segment(const mt_lexicon *lx, const char *s, const size_t *off, size_t n,
                const char *const *extra, size_t nextra, unsigned char *cut)
{
    unsigned cost_stack[SEG_STACK];
    size_t next_stack[SEG_STACK];
    unsigned *cost = n + 1 <= SEG_STACK ? cost_stack : malloc((n + 1) * sizeof *cost);
    size_t *next = n + 1 <= SEG_STACK ? next_stack : malloc((n + 1) * sizeof *next);
    memset(cut, 0, n + 1);
    cut[0] = cut[n] = 1;
    if (cost == NULL || next == NULL) {
        memset(cut, 1, n + 1);
        goto out;
    }
    size_t extra_chars = 0; /* the longest extra word, in characters */
    for (size_t e = 0; e < nextra; e++)
        if (extra[e] && mt_utf8_length(extra[e], strlen(extra[e])) > extra_chars)
            extra_chars = mt_utf8_length(extra[e], strlen(extra[e]));
    cost[n] = 0;
    for (size_t i = n; i-- > 0;) {
        cost[i] = (mt_is_filler_word(s + off[i], off[i + 1] - off[i]) ? 5 : 6) + cost[i + 1];
        next[i] = i + 1;
        uint32_t cp;
        mt_utf8_decode((const unsigned char *)s + off[i], off[i + 1] - off[i], &cp);
        size_t most = longest_from(lx, cp) > extra_chars ? longest_from(lx, cp) : extra_chars;
        size_t top = n - i < most ? n : i + most;
        for (size_t j = top; j >= i + 2; j--) {
            const char *w = s + off[i];
            size_t len = off[j] - off[i];
            int better = 4 + cost[j] < cost[i] || (4 + cost[j] == cost[i] && next[i] == i + 1);
            if (better && (mt_lexicon_has(lx, w, len) || is_extra(extra, nextra, w, len))) {
                cost[i] = 4 + cost[j];
                next[i] = j;
            }
        }
    }
    for (size_t i = 0; i < n; i = next[i])
        cut[next[i]] = 1;
out:
    if (cost != cost_stack)
        free(cost);
    if (next != next_stack)
        free(next);
}

/* Function words, comparison filler and units: never the edge of a shown term. */
#define W(s) { s, sizeof s - 1 }
static const struct {
    const char *text;
    size_t len;
} filler[] = {
    W("和"), W("与"), W("的"), W("及"), W("等"), W("并"), W("或"), W("在"), W("对"), W("为"), W("将"), W("以"), W("其"),
    W("了"), W("于"), W("由"), W("是"), W("至"), W("从"), W("可"), W("把"), W("被"), W("而"), W("且"), W("之"), W("各"),
    W("每"), W("该"), W("此"), W("约"), W("达"), W("不"), W("也"), W("还"), W("已"), W("及其"), W("以及"), W("并且"),
    W("或者"), W("其中"), W("用于"), W("通过"), W("进行"), W("实现"), W("具有"), W("基于"), W("针对"), W("采用"), W("小于"),
    W("大于"), W("低于"), W("高于"), W("等于"), W("不低于"), W("不高于"), W("不大于"), W("不小于"), W("不少于"), W("不超过"), W("超过"),
    W("以上"), W("以下"), W("以内"), W("左右"), W("达到"), W("至少"), W("个百分点"), W("百分点"), W("秒"), W("分"), W("分钟"),
    W("小时"), W("时"), W("天"), W("日"), W("周"), W("月"), W("年"), W("米"), W("厘米"), W("毫米"), W("公里"), W("千米"),
    W("公斤"), W("千克"), W("克"), W("斤"), W("吨"), W("万吨"), W("元"), W("万元"), W("亿元"), W("倍"), W("个"), W("台"),
    W("套"), W("人"), W("亩"), W("次"), W("项"), W("件"), W("种"), W("类"), W("度"), W("万"), W("亿"), W("千"), W("百"),
    W("千万"), W("百万"), W("千万级"), W("万级"),
};
#undef W

int mt_is_filler_word(const char *w, size_t len)
{
    if (len > 12) /* four characters at most */
        return 0;
    for (size_t i = 0; i < sizeof filler / sizeof filler[0]; i++)
        if (filler[i].len == len && memcmp(filler[i].text, w, len) == 0)
            return 1;
    return 0;
}
