/*
 * explain.c: the explanation of one pair's score, read from the prepared
 * query that ranked it: K and F, the shared terms (whole phrases where the
 * texts share a run of bigrams; feedback terms by origin) with their shares
 * of K, and the field pairs with their level.
 *
 * With a lexicon (lexicon.h) a run of shared bigrams is cut at the word
 * boundaries of both texts: the longest spans from one boundary to another
 * that the other text also holds at its own boundaries, without function
 * words, filler or units at their edges ("联邦学习", not "联邦学习和"; "瓦斯抽采",
 * not "斯抽采").  Without one, a run is cut into the longest pieces the other
 * text holds as raw text.  Either way every shared term's contribution goes
 * to exactly one shown term, so the shares sum to 1.
 */
#include "index_int.h"
#include "lexicon.h"
#include "utf8.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- explanations ---------- */

/* The shared terms of q and d with their integer contributions, by term text. */
typedef struct shared {
    const char *text;
    int64_t contrib;
    mt_origin origin;
    int used;          /* already reported inside a phrase or alone */
    const char *equiv; /* a translation or synonym: its "a ≈ b" label, which its terms share */
    int lowered;       /* brokers' rejections weighed it down (mt_query_add_judgements) */
} shared;

#define RUN_MAX 64    /* bigrams of one run merged into phrases; later ones are shown alone */
#define SEG_MAX 256   /* characters of context segmented around a run */

typedef struct walk {
    const shared *sh;
    size_t nsh;
    const char *src;            /* the text being tokenized */
    const char *dtext;          /* all of d's text, to check phrases */
    mt_origin origin;           /* of the phrases being collected: q's own terms, then feedback terms in d */
    shared *mut;
    /* the current run of shared CJK bigrams: off[k] is where its character k starts, off[nrun + 1] its end */
    size_t run_terms[RUN_MAX];
    size_t off[RUN_MAX + 2];
    size_t nrun;
    /* words: the index's lexicon (or NULL) and the keywords both listings hold */
    const struct mt_lexicon *lex;
    const char *const *extra;
    size_t nextra;
    unsigned char *dcut;        /* by byte of dtext: 1 where a word boundary of d falls (with a lexicon) */
    unsigned char *scut;        /* the same for src, the text being walked: made at its first run */
    int scut_made;
    /* collected phrases */
    mt_term_share *cand;
    int64_t *cand_contrib;
    size_t ncand, cap;
    int lowered;                /* the next contribution reported holds a term rejections weighed down */
} walk;

static long find_shared(const walk *w, const char *tok, size_t len)
{
    for (size_t i = 0; i < w->nsh; i++)
        if (strncmp(w->sh[i].text, tok, len) == 0 && w->sh[i].text[len] == '\0')
            return (long)i;
    return -1;
}

static void add_candidate(walk *w, const char *text, size_t len, int64_t contrib, mt_origin origin)
{
    int lowered = w->lowered;
    w->lowered = 0;
    if (contrib <= 0 || len == 0)
        return;
    if (len >= MT_PHRASE_MAX) { /* cut at a character boundary */
        len = MT_PHRASE_MAX - 1;
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--;
    }
    for (size_t i = 0; i < w->ncand; i++)
        if (strncmp(w->cand[i].text, text, len) == 0 && w->cand[i].text[len] == '\0' &&
            w->cand[i].origin == origin) {
            w->cand_contrib[i] += contrib; /* the same phrase again, or the terms of one "a ≈ b": one entry */
            w->cand[i].lowered |= lowered;
            return;
        }
    if (w->ncand == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        mt_term_share *c = realloc(w->cand, cap * sizeof *c);
        int64_t *cc = realloc(w->cand_contrib, cap * sizeof *cc);
        if (c)
            w->cand = c;
        if (cc)
            w->cand_contrib = cc;
        if (!c || !cc)
            return;
        w->cap = cap;
    }
    memcpy(w->cand[w->ncand].text, text, len);
    w->cand[w->ncand].text[len] = '\0';
    w->cand[w->ncand].share = 0;
    w->cand[w->ncand].origin = origin;
    w->cand[w->ncand].lowered = lowered;
    w->cand_contrib[w->ncand] = contrib;
    w->ncand++;
}

/* The code point at s[at] and its length in bytes (*n = 1 at the end of s). */
static uint32_t cp_at(const char *s, size_t at, size_t *n)
{
    uint32_t cp = 0;
    size_t len = strnlen(s + at, 4); /* a UTF-8 sequence is at most 4 bytes */
    *n = len ? mt_utf8_decode((const unsigned char *)s + at, len, &cp) : 1;
    return len ? cp : 0;
}

/* Whether tok is a CJK bigram: two CJK characters. */
static int is_cjk_bigram(const char *tok, size_t len)
{
    uint32_t a, b;
    size_t n = mt_utf8_decode((const unsigned char *)tok, len, &a);
    if (n >= len || !mt_is_cjk(a))
        return 0;
    return mt_utf8_decode((const unsigned char *)tok + n, len - n, &b) == len - n && mt_is_cjk(b);
}

/* Copies the query text src[from, to) into phrase (MT_PHRASE_MAX bytes); 0 when it is too long. */
static int copy_phrase(const walk *w, size_t from, size_t to, char *phrase)
{
    size_t len = to - from;
    if (len >= MT_PHRASE_MAX)
        return 0;
    memcpy(phrase, w->src + from, len);
    phrase[len] = '\0';
    return 1;
}

/* Whether d holds the query text src[from, to) (as raw text). */
static int d_holds(const walk *w, size_t from, size_t to)
{
    char phrase[MT_PHRASE_MAX];
    return copy_phrase(w, from, to, phrase) && strstr(w->dtext, phrase) != NULL;
}

/* Sums the contributions of the run's bigrams [b0, b1) not yet reported, and marks them reported. */
static int64_t take_bigrams(walk *w, size_t b0, size_t b1)
{
    int64_t c = 0;
    for (size_t b = b0; b < b1 && b < w->nrun; b++) {
        shared *sh = &w->mut[w->run_terms[b]];
        if (!sh->used) {
            c += sh->contrib;
            sh->used = 1;
            w->lowered |= sh->lowered;
        }
    }
    return c;
}

/* Adds c to the phrase of this origin reported last; 0 if there is none. */
static int add_to_last(walk *w, int64_t c)
{
    for (size_t k = w->ncand; k-- > 0;)
        if (w->cand[k].origin == w->origin) {
            w->cand_contrib[k] += c;
            w->cand[k].lowered |= w->lowered;
            w->lowered = 0;
            return 1;
        }
    return 0;
}

/*
 * Reports the piece of characters [i, j] of the run with contribution c.
 * With a lexicon, one-character filler is trimmed from its edges, and a
 * piece that is all filler or leaves less than two characters (化和: the end
 * of 自动化 and 和; 千万级) adds its share to the phrase reported before it.
 */
static void add_piece(walk *w, size_t i, size_t j, int64_t c)
{
    if (w->lex != NULL && c > 0) {
        if (mt_is_filler_word(w->src + w->off[i], w->off[j + 1] - w->off[i]) && add_to_last(w, c))
            return;
        while (i < j && mt_is_filler_word(w->src + w->off[i], w->off[i + 1] - w->off[i]))
            i++;
        while (j > i && mt_is_filler_word(w->src + w->off[j], w->off[j + 1] - w->off[j]))
            j--;
        if (j == i && add_to_last(w, c))
            return;
    }
    add_candidate(w, w->src + w->off[i], w->off[j + 1] - w->off[i], c, w->origin);
}

/*
 * Cuts the run (m bigrams over m + 1 characters), greedily from the left,
 * into the longest pieces that d holds as raw text, each reported once with
 * the contributions of its bigrams.  The cut without a lexicon, and with one
 * for a run that holds no word both texts share.
 */
static void flush_run_raw(walk *w)
{
    size_t m = w->nrun, i = 0;
    while (i < m) {
        size_t j = i + 1; /* characters i..j hold bigrams i..j-1 */
        while (j < m && d_holds(w, w->off[i], w->off[j + 2]))
            j++;
        add_piece(w, i, j, take_bigrams(w, i, j));
        i = j;
    }
}

/*
 * The CJK characters around s[from, to), at most SEG_MAX in all: writes
 * their start offsets to off[0..n] (off[n] the end), and *first the index of
 * the character at from.  Returns n.
 */
static size_t cjk_context(const char *s, size_t from, size_t to, size_t *off, size_t *first)
{
    size_t a = from, before = 0, n = 0, k;
    while (a > 0 && before < SEG_MAX / 4) {
        size_t b = a - 1;
        while (b > 0 && ((unsigned char)s[b] & 0xC0) == 0x80)
            b--;
        if (!mt_is_cjk(cp_at(s, b, &k)))
            break;
        a = b;
        before++;
    }
    *first = before;
    for (size_t at = a;; at += k) {
        uint32_t cp = cp_at(s, at, &k);
        if (n == SEG_MAX || (at >= to && !mt_is_cjk(cp))) {
            off[n] = at;
            return n;
        }
        off[n++] = at;
    }
}

static int is_word(const walk *w, const char *s, size_t len)
{
    if (mt_lexicon_has(w->lex, s, len))
        return 1;
    for (size_t i = 0; i < w->nextra; i++)
        if (strncmp(w->extra[i], s, len) == 0 && w->extra[i][len] == '\0')
            return 1;
    return 0;
}

/*
 * Segments n characters of s (mt_segment), then also cuts a piece that is
 * two words joined (响应时间 = 响应 + 时间), so that a text holding the
 * compound also holds each of its words.
 */
static void segment_words(const walk *w, const char *s, const size_t *off, size_t n, unsigned char *cut)
{
    mt_segment(w->lex, s, off, n, w->extra, w->nextra, cut);
    for (size_t a = 0; a < n;) {
        size_t b = a + 1;
        while (b < n && !cut[b])
            b++;
        for (size_t p = a + 2; p + 2 <= b; p++)
            if (is_word(w, s + off[a], off[p] - off[a]) && is_word(w, s + off[p], off[b] - off[p]))
                cut[p] = 1;
        a = b;
    }
}

/* Whether a word boundary of s falls at byte at (the edge of a CJK run, or a cut of its segmentation). */
static int boundary_at(const walk *w, const char *s, size_t at)
{
    size_t k;
    if (at == 0 || !mt_is_cjk(cp_at(s, at, &k)))
        return 1;
    size_t b = at - 1;
    while (b > 0 && ((unsigned char)s[b] & 0xC0) == 0x80)
        b--;
    if (!mt_is_cjk(cp_at(s, b, &k)))
        return 1;
    size_t off[SEG_MAX + 1], first;
    unsigned char cut[SEG_MAX + 1];
    size_t n = cjk_context(s, b, at, off, &first);
    segment_words(w, s, off, n, cut);
    return first + 1 <= n && cut[first + 1];
}

/* Whether d holds the query text src[from, to) starting and ending at word boundaries of d. */
static int d_holds_words(const walk *w, size_t from, size_t to)
{
    char phrase[MT_PHRASE_MAX];
    size_t len = to - from;
    if (!copy_phrase(w, from, to, phrase))
        return 0;
    for (const char *p = strstr(w->dtext, phrase); p != NULL; p = strstr(p + 1, phrase)) {
        size_t at = (size_t)(p - w->dtext);
        if (w->dcut ? w->dcut[at] && w->dcut[at + len]
                    : boundary_at(w, w->dtext, at) && boundary_at(w, w->dtext, at + len))
            return 1;
    }
    return 0;
}

/*
 * The word boundaries of all of text s, segmented once: 1 for every byte
 * offset where a boundary falls (every offset outside CJK runs).  NULL when
 * out of memory (boundaries are then found a run at a time).
 */
static unsigned char *text_boundaries(const walk *w, const char *s)
{
    size_t len = strlen(s), k;
    unsigned char *cut = calloc(len + 1, 1);
    size_t *off = malloc((len + 1) * sizeof *off);
    unsigned char *runcut = malloc(len + 1);
    if (cut == NULL || off == NULL || runcut == NULL) {
        free(cut);
        free(off);
        free(runcut);
        return NULL;
    }
    for (size_t at = 0; at <= len;) {
        size_t n = 0, b = at;
        while (b < len && mt_is_cjk(cp_at(s, b, &k))) {
            off[n++] = b;
            b += k;
        }
        if (n == 0) {
            cut[at] = 1;
            if (at == len)
                break;
            cp_at(s, at, &k);
            at += k;
            continue;
        }
        off[n] = b;
        segment_words(w, s, off, n, runcut);
        for (size_t i = 0; i <= n; i++)
            cut[off[i]] = runcut[i];
        at = b;
    }
    free(off);
    free(runcut);
    return cut;
}

/* A run of shared bigrams cut into spans of characters of the context [s0, s1). */
typedef struct spans {
    size_t off[SEG_MAX + 1];
    unsigned char cut[SEG_MAX + 1];
    size_t n, base, end;           /* context characters; the run is characters [base, end) */
    size_t s[RUN_MAX][2];
    int64_t contrib[RUN_MAX];
    unsigned char lowered[RUN_MAX]; /* a bigram of the span was weighed down by rejections */
    size_t ns;
} spans;

/* The next word boundary after character i (or the context's end). */
static size_t next_cut(const spans *sp, size_t i)
{
    do
        i++;
    while (i < sp->n && !sp->cut[i]);
    return i;
}

/* Trims function words, filler and units from the edges of the span [*s0, *s1) of src. */
static void trim_span(const spans *sp, const char *src, size_t *s0, size_t *s1)
{
    while (*s0 < *s1) {
        size_t e = next_cut(sp, *s0);
        if (e > *s1 || !mt_is_filler_word(src + sp->off[*s0], sp->off[e] - sp->off[*s0]))
            break;
        *s0 = e;
    }
    while (*s1 > *s0) {
        size_t f = *s1 - 1;
        while (f > *s0 && !sp->cut[f])
            f--;
        if (!mt_is_filler_word(src + sp->off[f], sp->off[*s1] - sp->off[f]))
            break;
        *s1 = f;
    }
}

/* Finds the spans: greedily from the left, the longest span between q's boundaries d holds at its own. */
static void find_spans(const walk *w, spans *sp)
{
    size_t i = sp->base;
    if (!sp->cut[i])
        i = next_cut(sp, i);
    while (i < sp->end && sp->ns < RUN_MAX) {
        size_t j = 0;
        for (size_t k = sp->end; k >= i + 2 && j == 0; k--)
            if (sp->cut[k] && d_holds_words(w, sp->off[i], sp->off[k]))
                j = k;
        if (j == 0) {
            i = next_cut(sp, i);
            continue;
        }
        size_t s0 = i, s1 = j;
        trim_span(sp, w->src, &s0, &s1);
        if (s1 >= s0 + 2) {
            sp->s[sp->ns][0] = s0;
            sp->s[sp->ns][1] = s1;
            sp->lowered[sp->ns] = 0;
            sp->contrib[sp->ns++] = 0;
        }
        i = j;
    }
}

/*
 * Feedback terms are walked in d's own text: their run is shown as the whole
 * words of d it lies in (香型, 型白 within 酱香型白酒), trimmed of filler.
 */
static void feedback_span(const walk *w, spans *sp)
{
    size_t s0 = sp->base, s1 = sp->end;
    while (s0 > 0 && !sp->cut[s0])
        s0--;
    while (s1 < sp->n && !sp->cut[s1])
        s1++;
    trim_span(sp, w->src, &s0, &s1);
    if (s1 >= s0 + 2 && sp->off[s1] - sp->off[s0] < MT_PHRASE_MAX) {
        sp->s[0][0] = s0;
        sp->s[0][1] = s1;
        sp->lowered[0] = 0;
        sp->contrib[0] = 0;
        sp->ns = 1;
    }
}

/* The span bigram b (characters base + b and base + b + 1) touches first, else the nearest; -1 if none. */
static long span_of(const spans *sp, size_t b)
{
    size_t c0 = sp->base + b, c1 = c0 + 2, best_d = SIZE_MAX;
    long best = -1;
    for (size_t k = 0; k < sp->ns; k++) {
        if (c0 < sp->s[k][1] && c1 > sp->s[k][0])
            return (long)k;
        size_t d = c1 <= sp->s[k][0] ? sp->s[k][0] - c1 : c0 - sp->s[k][1];
        if (d < best_d) {
            best_d = d;
            best = (long)k;
        }
    }
    return best;
}

/*
 * With a lexicon: cuts the run at the word boundaries of q's text (the
 * lexicon's words and the keywords both listings hold) into the spans d
 * holds at its own boundaries, trimmed of filler; each bigram's contribution
 * goes to the span it touches, or the nearest one.  A run with no such span
 * is cut as without a lexicon.
 */
static void flush_run_words(walk *w)
{
    spans *sp = malloc(sizeof *sp);
    if (sp == NULL) {
        flush_run_raw(w);
        return;
    }
    sp->ns = 0;
    sp->n = cjk_context(w->src, w->off[0], w->off[w->nrun + 1], sp->off, &sp->base);
    sp->end = sp->base + w->nrun + 1;
    if (sp->end > sp->n) {
        free(sp);
        flush_run_raw(w);
        return;
    }
    if (!w->scut_made) { /* the text is segmented once, for all its runs */
        w->scut = text_boundaries(w, w->src);
        w->scut_made = 1;
    }
    if (w->scut != NULL)
        for (size_t i = 0; i <= sp->n; i++)
            sp->cut[i] = w->scut[sp->off[i]];
    else
        segment_words(w, w->src, sp->off, sp->n, sp->cut);
    if (w->origin == MT_FROM_FEEDBACK)
        feedback_span(w, sp);
    else {
        sp->cut[sp->base] = sp->cut[sp->end] = 1; /* the run's own ends: where the shared text stops */
        find_spans(w, sp);
    }
    if (sp->ns == 0) {
        free(sp);
        flush_run_raw(w);
        return;
    }
    for (size_t b = 0; b < w->nrun; b++) {
        long k = span_of(sp, b);
        sp->contrib[k] += take_bigrams(w, b, b + 1);
        sp->lowered[k] |= (unsigned char)w->lowered;
        w->lowered = 0;
    }
    for (size_t k = 0; k < sp->ns; k++) {
        w->lowered = sp->lowered[k];
        add_candidate(w, w->src + sp->off[sp->s[k][0]], sp->off[sp->s[k][1]] - sp->off[sp->s[k][0]],
                      sp->contrib[k], w->origin);
    }
    free(sp);
}

/* Whether a bigram of the run is not reported yet. */
static int run_has_news(const walk *w)
{
    for (size_t b = 0; b < w->nrun; b++)
        if (!w->mut[w->run_terms[b]].used)
            return 1;
    return 0;
}

/* Ends the current run of shared bigrams. */
static void flush_run(walk *w)
{
    if (w->nrun == 0 || !run_has_news(w))
        w->nrun = 0;
    if (w->nrun == 0)
        return;
    if (w->lex != NULL)
        flush_run_words(w);
    else
        flush_run_raw(w);
    w->nrun = 0;
}

static int walk_token(void *ctx, const char *tok, size_t len, size_t start, size_t end)
{
    walk *w = ctx;
    long i = find_shared(w, tok, len);
    if (i >= 0 && w->sh[i].origin != w->origin && w->origin == MT_FROM_FEEDBACK)
        i = -1; /* d's text is walked for the feedback terms only */
    int bigram = is_cjk_bigram(tok, len);
    if (i < 0 || !bigram || (w->nrun > 0 && (start != w->off[w->nrun] || w->nrun == RUN_MAX)))
        flush_run(w);
    if (i < 0)
        return 0;
    if (bigram) {
        size_t k;
        cp_at(w->src, start, &k);
        w->off[w->nrun] = start;
        w->off[w->nrun + 1] = start + k;  /* the second character: where the next bigram of the run starts */
        w->off[w->nrun + 2] = end;
        w->run_terms[w->nrun++] = (size_t)i;
        return 0;
    }
    shared *sh = &w->mut[i];
    if (!sh->used) {
        sh->used = 1;
        w->lowered = sh->lowered;
        /* A Latin word is shown as written; a stem would read oddly. */
        add_candidate(w, w->src + start, end - start, sh->contrib, sh->origin);
    }
    return 0;
}

static int cmp_share_desc(const void *a, const void *b)
{
    const mt_term_share *x = a, *y = b;
    return (x->share < y->share) - (x->share > y->share);
}

static char *doc_text(const mt_doc *d)
{
    size_t len = (d->title ? strlen(d->title) : 0) + (d->body ? strlen(d->body) : 0) + 2;
    for (size_t i = 0; i < d->nkeywords; i++)
        len += d->keywords[i] ? strlen(d->keywords[i]) + 1 : 0;
    char *s = malloc(len + 1);
    if (s == NULL)
        return NULL;
    size_t o = 0;
    const char *parts[2] = { d->title, d->body };
    for (int p = 0; p < 2; p++)
        if (parts[p]) {
            memcpy(s + o, parts[p], strlen(parts[p]));
            o += strlen(parts[p]);
            s[o++] = '\n';
        }
    for (size_t i = 0; i < d->nkeywords; i++)
        if (d->keywords[i]) {
            memcpy(s + o, d->keywords[i], strlen(d->keywords[i]));
            o += strlen(d->keywords[i]);
            s[o++] = '\n';
        }
    s[o] = '\0';
    return s;
}

/* Finds text in d's sorted bag; returns its index or -1. */
static long bag_find(const bag *b, const char *text)
{
    size_t lo = 0, hi = b->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(b->e[mid].text, text);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* The best field pair of q and d and how many levels it shares. */
static void best_fields(const mt_doc *q, const mt_doc *d, mt_explanation *out)
{
    double best = -1;
    for (size_t a = 0; a < q->nfields; a++)
        for (size_t b = 0; b < d->nfields; b++) {
            double x = mt_field_agreement(&q->fields[a], 1, &d->fields[b], 1);
            if (x > best) {
                best = x;
                snprintf(out->field_q, sizeof out->field_q, "%s", q->fields[a]);
                snprintf(out->field_d, sizeof out->field_d, "%s", d->fields[b]);
                size_t la = strlen(q->fields[a]), lb = strlen(d->fields[b]);
                int deep = ix_code_levels(la > lb ? la : lb);
                out->field_level = (int)lround(x * deep);
            }
        }
}

#define MT_EXTRA_WORDS 64   /* keywords that count as words for one pair */

/*
 * The keywords of q and of d that both texts hold: words for this pair (a
 * keyword only one side holds would hide the words inside it both share).
 * Writes at most MT_EXTRA_WORDS borrowed pointers to extra; returns how many.
 */
static size_t shared_keywords(const mt_doc *q, const mt_doc *d, const char *qtext, const char *dtext,
                              const char **extra)
{
    size_t n = 0;
    if (qtext == NULL || dtext == NULL)
        return 0;
    const mt_doc *side[2] = { q, d };
    for (int s = 0; s < 2; s++)
        for (size_t k = 0; k < side[s]->nkeywords && n < MT_EXTRA_WORDS; k++) {
            const char *kw = side[s]->keywords[k];
            if (kw && kw[0] && strstr(qtext, kw) && strstr(dtext, kw))
                extra[n++] = kw;
        }
    return n;
}

/* Walks x's texts in order (title, body, keywords), reporting the shared terms met and merging bigram runs. */
static void walk_text(mt_tokenizer *t, const char *text, walk *w)
{
    if (text == NULL)
        return;
    w->src = text;
    mt_tokenize(t, text, strlen(text), walk_token, w);
    flush_run(w);
    free(w->scut);
    w->scut = NULL;
    w->scut_made = 0;
}

static void walk_doc(mt_tokenizer *t, const mt_doc *x, walk *w)
{
    walk_text(t, x->title, w);
    walk_text(t, x->body, w);
    for (size_t k = 0; k < x->nkeywords; k++)
        walk_text(t, x->keywords[k], w);
}

/*
 * Walks q's text to report its own terms as q writes them; then d's text, to
 * report the feedback terms (which q does not hold) as d writes them, cut
 * into words the same way; then whatever is left as the index holds it.
 */
static void collect_shares(mt_tokenizer *t, const mt_doc *q, const mt_doc *d, shared *sh, size_t nsh, walk *w)
{
    w->origin = MT_FROM_QUERY;
    walk_doc(t, q, w);
    w->origin = MT_FROM_FEEDBACK;
    walk_doc(t, d, w);
    for (size_t i = 0; i < nsh; i++)
        if (!sh[i].used) {
            sh[i].used = 1;
            const char *shown = sh[i].equiv ? sh[i].equiv : sh[i].text;
            w->lowered = sh[i].lowered;
            add_candidate(w, shown, strlen(shown), sh[i].contrib, sh[i].origin);
        }
}

int mt_query_explain(const mt_index *ix, const mt_query *mq, const mt_doc *d, mt_explanation *out)
{
    bag bd;
    memset(out, 0, sizeof *out);
    int rc = ix_bag_of(&ix->p, mq->t, d, &bd);
    if (rc != MT_OK)
        return rc;
    double avg = ix_avg_len(ix), dlen = 0;
    for (size_t j = 0; j < bd.n; j++)
        dlen += bd.e[j].tf;
    shared *sh = calloc(mq->nterms ? mq->nterms : 1, sizeof *sh);
    char *dtext = doc_text(d);
    if (sh == NULL || dtext == NULL) {
        free(sh);
        free(dtext);
        ix_bag_free(&bd);
        return MT_ERR_NOMEM;
    }
    size_t nsh = 0;
    int64_t raw = 0;
    /* The same integers top-k sums: qi * w(t, d) over the prepared terms d holds. */
    for (size_t i = 0; i < mq->nterms; i++) {
        const mt_query_term *qt = &mq->terms[i];
        long j = bag_find(&bd, qt->text);
        if (j < 0)
            continue;
        int64_t c = qt->qi * ix_quantised_weight(&ix->p, bd.e[j].tf, dlen, avg);
        raw += c;
        sh[nsh++] = (shared){ qt->text, c, qt->origin, 0, qt->equiv, mq->lowered != NULL && mq->lowered[i] };
    }
    const mt_doc *q = &mq->doc;
    out->raw = raw;
    out->qmax = mq->qmax;
    out->approved = mq->napproved;
    out->rejected = mq->nrejected;
    out->k = ix_k(raw, mq->qmax);
    out->f = mt_field_agreement(q->fields, q->nfields, d->fields, d->nfields);
    out->confidence = mq->confidence;
    out->score = ix_pair_score(&ix->p, out->k, out->f, q->nfields > 0 && d->nfields > 0);
    best_fields(q, d, out);
    walk w = { .sh = sh, .nsh = nsh, .dtext = dtext, .mut = sh, .lex = ix->lexicon };
    const char *extra[MT_EXTRA_WORDS];
    char *qtext = NULL;
    if (ix->lexicon != NULL) {
        qtext = doc_text(q);
        w.nextra = shared_keywords(q, d, qtext, dtext, extra);
        w.extra = extra;
    }
    if (w.lex != NULL)
        w.dcut = text_boundaries(&w, dtext);
    collect_shares(mq->t, q, d, sh, nsh, &w);
    for (size_t c = 0; c < w.ncand; c++)
        w.cand[c].share = raw > 0 ? (double)w.cand_contrib[c] / (double)raw : 0;
    if (w.ncand > 0)
        qsort(w.cand, w.ncand, sizeof *w.cand, cmp_share_desc);
    for (size_t c = 0; c < w.ncand && out->nterms < MT_EXPLAIN_TERMS; c++)
        out->terms[out->nterms++] = w.cand[c];
    free(w.cand);
    free(w.cand_contrib);
    free(w.dcut);
    free(qtext);
    free(dtext);
    free(sh);
    ix_bag_free(&bd);
    return MT_OK;
}

void mt_index_set_lexicon(mt_index *ix, const mt_lexicon *lx)
{
    ix->lexicon = lx;
}

int mt_explain(const mt_index *ix, mt_tokenizer *t, const mt_doc *q, const mt_doc *d, mt_explanation *out)
{
    mt_query *mq = NULL;
    int rc = mt_query_prepare(ix, t, q, NULL, &mq);
    if (rc == MT_OK)
        rc = mt_query_explain(ix, mq, d, out);
    else
        memset(out, 0, sizeof *out);
    mt_query_free(mq);
    return rc;
}
