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

/* Counts the characters of w[0..len) if all are CJK; 0 otherwise. */
static size_t cjk_chars(const char *w, size_t len)
{
    size_t i = 0, n = 0;
    while (i < len) {
        uint32_t cp;
        i += mt_utf8_decode((const unsigned char *)w + i, len - i, &cp);
        if (!mt_is_cjk(cp))
            return 0;
        n++;
    }
    return n;
}

int mt_lexicon_add(mt_lexicon *lx, const char *w, size_t len)
{
    size_t chars = cjk_chars(w, len);
    if (chars < 2 || chars > MT_WORD_MAX_CHARS)
        return MT_OK;
    if ((lx->n + 1) * 2 > lx->cap && grow_slots(lx) != MT_OK)
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
    return lx ? lx->room + lx->cap * (sizeof *lx->slot + sizeof *lx->hash) : 0;
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
    cost[n] = 0;
    for (size_t i = n; i-- > 0;) {
        cost[i] = (mt_is_filler_word(s + off[i], off[i + 1] - off[i]) ? 5 : 6) + cost[i + 1];
        next[i] = i + 1;
        size_t top = n - i < MT_WORD_MAX_CHARS ? n : i + MT_WORD_MAX_CHARS;
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
static const char *const filler[] = {
    "和", "与", "的", "及", "等", "并", "或", "在", "对", "为", "将", "以", "其", "了", "于", "由", "是",
    "至", "从", "可", "把", "被", "而", "且", "之", "各", "每", "该", "此", "约", "达", "不", "也", "还", "已",
    "及其", "以及", "并且", "或者", "其中", "用于", "通过", "进行", "实现", "具有", "基于", "针对", "采用",
    "小于", "大于", "低于", "高于", "等于", "不低于", "不高于", "不大于", "不小于", "不少于", "不超过", "超过",
    "以上", "以下", "以内", "左右", "达到", "至少", "个百分点", "百分点",
    "秒", "分", "分钟", "小时", "时", "天", "日", "周", "月", "年", "米", "厘米", "毫米", "公里", "千米",
    "公斤", "千克", "克", "斤", "吨", "万吨", "元", "万元", "亿元", "倍", "个", "台", "套", "人", "亩",
    "次", "项", "件", "种", "类", "度", "万", "亿", "千", "百", "千万", "百万", "千万级", "万级",
};

int mt_is_filler_word(const char *w, size_t len)
{
    for (size_t i = 0; i < sizeof filler / sizeof filler[0]; i++)
        if (strlen(filler[i]) == len && memcmp(filler[i], w, len) == 0)
            return 1;
    return 0;
}
