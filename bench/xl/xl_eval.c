/*
 * xl_eval.c: the cross-language check on the demo data (bench/xl/pairs.tsv).
 *
 *   xl_eval SEEDS_DIR PAIRS_TSV [SPLIT [XL_WEIGHT SYN_WEIGHT]]
 *   xl_eval SEEDS_DIR explain DEMAND_REF ACHIEVEMENT_REF
 *
 * Indexes the demo achievements as the service does (mt_params_default, the
 * shipped equivalences), ranks each judged demand of SPLIT (tune, heldout,
 * named; default all) and prints the rank of its partner in the other
 * language (0 = not in the first 20) with the best three, then how many
 * partners are in the top 3, with the equivalences and without them.  The
 * weights override xl_weight and syn_weight (to tune on the tune part only).
 * The second form prints the explanation of one pair, terms with their origin.
 */
#include "../../tests/xl_demo.h"
#include "cli.h"
#include "parse.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOP 20

static int run(const char *seeds, const char *pairs, const char *split, const mt_params *p, int with_th, int verbose)
{
    xl_demo *d = xl_demo_open(seeds, p, with_th);
    size_t len = 0;
    char *text = cli_read_file(pairs, &len);
    if (d == NULL || text == NULL) {
        fprintf(stderr, "xl_eval: cannot read %s or %s\n", seeds, pairs);
        xl_demo_free(d);
        free(text);
        return -1;
    }
    int n = 0, top3 = 0;
    double mrr = 0;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char sp[16], q[64], a[64];
        int judged = line[0] != '#' && sscanf(line, "%15s %63s %63s", sp, q, a) == 3;
        if (judged && (split == NULL || strcmp(sp, split) == 0)) {
            int r = xl_demo_rank(d, q, a, TOP, NULL);
            n++;
            top3 += r >= 1 && r <= 3;
            mrr += r > 0 ? 1.0 / r : 0;
            if (verbose)
                printf("  %-8s %-11s -> %-11s rank %2d   top: %s %s %s\n", sp, q, a, r, xl_demo_ranked(d, 1),
                       xl_demo_ranked(d, 2), xl_demo_ranked(d, 3));
        }
        line = nl ? nl + 1 : NULL;
    }
    printf("%s%s: partner in top 3 for %d of %d, MRR@20 %.3f (xl_weight %.2f, syn_weight %.2f)\n",
           split ? split : "all", with_th ? "" : " (no equivalences)", top3, n, n ? mrr / n : 0, p->xl_weight,
           p->syn_weight);
    free(text);
    xl_demo_free(d);
    return 0;
}

static int explain(const char *seeds, const char *q, const char *a)
{
    static const char *const origin[] = { "query", "feedback", "pair", "translation", "synonym", "broker" };
    xl_demo *d = xl_demo_open(seeds, NULL, 1);
    int r = d ? xl_demo_rank(d, q, a, TOP, NULL) : -1;
    const mt_doc *qd = d ? xl_demo_doc(d, q) : NULL;
    mt_query *mq = NULL;
    if (qd == NULL || mt_query_prepare(xl_demo_index(d), xl_demo_tokenizer(d), qd, NULL, &mq) != MT_OK) {
        xl_demo_free(d);
        return 1;
    }
    mt_explanation e;
    const mt_doc *ad = xl_demo_doc(d, a);
    if (ad && mt_query_explain(xl_demo_index(d), mq, ad, &e) == MT_OK) {
        printf("%s -> %s: rank %d, score %.4f, K %.4f, F %.4f\n", q, a, r, e.score, e.k, e.f);
        for (size_t i = 0; i < e.nterms; i++)
            printf("  %5.1f%%  %-11s %s\n", 100 * e.terms[i].share, origin[e.terms[i].origin], e.terms[i].text);
    }
    mt_query_free(mq);
    xl_demo_free(d);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[2], "explain") == 0)
        return explain(argv[1], argv[3], argv[4]);
    if (argc < 3) {
        fprintf(stderr, "usage: xl_eval SEEDS_DIR PAIRS_TSV [SPLIT [XL_WEIGHT SYN_WEIGHT]]\n");
        return 2;
    }
    mt_params p;
    mt_params_default(&p);
    if (argc >= 6 && (parse_double(argv[4], 0, 10, &p.xl_weight) != TM_OK ||
                      parse_double(argv[5], 0, 10, &p.syn_weight) != TM_OK)) {
        fprintf(stderr, "xl_eval: weights must be numbers\n");
        return 2;
    }
    const char *split = argc >= 4 && strcmp(argv[3], "all") != 0 ? argv[3] : NULL;
    if (run(argv[1], argv[2], split, &p, 0, 1) != 0 || run(argv[1], argv[2], split, &p, 1, 1) != 0)
        return 1;
    return 0;
}
