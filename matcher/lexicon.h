/*
 * lexicon.h: a set of Chinese words and the segmentation of runs of Chinese
 * characters into them, so that the shared terms an explanation shows are
 * whole words (联邦学习, not 联邦学习和; 瓦斯抽采, not 斯抽采).
 *
 * The words come from a segmentation dictionary (Debian's friso-dict,
 * MT_LEXICON_DEFAULT_PATH, Apache-2.0: "word/synonyms/..." a line; jieba's
 * "word freq tag" lines and plain one-word-a-line lists load too), the
 * taxonomy's Chinese names (mt_lexicon_add_name) and, per explained pair, the
 * keywords both listings hold (mt_segment's extra words).  Only words of 2 to
 * MT_WORD_MAX_CHARS CJK characters are kept.  The lexicon only shapes what an
 * explanation shows; it never changes a score.
 *
 * Ownership: a lexicon owns copies of its words (one arena).  An index that
 * is given one (mt_index_set_lexicon) borrows it: the lexicon must outlive
 * the index.  Thread-safety: build it in one thread; after that it is only
 * read, and mt_lexicon_has and mt_segment may run in many threads at once.
 * Errors: MT_OK or MT_ERR_* (index.h).
 */
#ifndef MT_LEXICON_H
#define MT_LEXICON_H
#include "index.h"
#include <stddef.h>

#define MT_LEXICON_DEFAULT_PATH "/usr/share/friso/dict/UTF-8/lex-main.lex"
#define MT_WORD_MAX_CHARS 12   /* the longest word kept and looked up, in characters */

typedef struct mt_lexicon mt_lexicon;

/* Returns a new empty lexicon, or NULL when out of memory.  Free with mt_lexicon_free (NULL is fine). */
mt_lexicon *mt_lexicon_new(void);
void mt_lexicon_free(mt_lexicon *lx);

/*
 * Adds the word w[0..len) (UTF-8) when it is 2 to MT_WORD_MAX_CHARS CJK
 * characters; anything else is ignored.  MT_OK, or MT_ERR_NOMEM.
 */
int mt_lexicon_add(mt_lexicon *lx, const char *w, size_t len);

/*
 * Adds the words of a name such as a taxonomy field's ("计算机、通信和其他电子
 * 设备制造业"): the name is split at anything not CJK and at 、和及与, and each
 * piece is added as mt_lexicon_add does.  MT_OK, or MT_ERR_NOMEM.
 */
int mt_lexicon_add_name(mt_lexicon *lx, const char *name);

/*
 * Loads a word list: a word a line, ending at the first '/', tab, space or
 * line end; lines starting with '#' are skipped.  *added (may be NULL)
 * receives the words the file added.  MT_OK; MT_ERR_NOT_FOUND when the file
 * cannot be read (the lexicon is unchanged); MT_ERR_NOMEM.
 */
int mt_lexicon_load(mt_lexicon *lx, const char *path, size_t *added);

/* 1 if w[0..len) is a word of the lexicon (0 for a NULL lexicon). */
int mt_lexicon_has(const mt_lexicon *lx, const char *w, size_t len);

/* Distinct words held, and the bytes they take (words and hash slots). */
size_t mt_lexicon_count(const mt_lexicon *lx);
size_t mt_lexicon_bytes(const mt_lexicon *lx);

/*
 * Segments n characters of CJK text: character k starts at byte off[k] of s
 * and off[n] is the end.  A piece is a lexicon word, one of the nextra extra
 * words (NUL-terminated; extra may be NULL), or one character; the fewest
 * pieces win (an unknown character costs more than a word), then the pieces
 * leaving function characters alone (mt_is_filler_word), then the longer
 * first word.  Writes cut[0..n]: 1 where a word boundary falls
 * (cut[0] = cut[n] = 1).  lx may be NULL (only the extra words count).  When
 * out of memory every position is a boundary.
 */
void mt_segment(const mt_lexicon *lx, const char *s, const size_t *off, size_t n,
                const char *const *extra, size_t nextra, unsigned char *cut);

/*
 * 1 if w[0..len) is never the edge of a shown term: a function word (和 与 的
 * 及 等 以及 ...), comparison filler (不低于 小于 以上 个百分点 ...) or a unit
 * (秒 公斤 万吨 ...).
 */
int mt_is_filler_word(const char *w, size_t len);

/*
 * Gives the index a lexicon (borrowed; NULL takes it away): its explanations
 * then cut the shared Chinese terms at word boundaries of both texts and trim
 * filler from their edges (see mt_query_explain).  Call while no query runs.
 */
void mt_index_set_lexicon(mt_index *ix, const mt_lexicon *lx);

#endif
