/*
 * decisions_report.c: the decisions report computed from brokers' decisions
 * (see decisions_report.h for the rule of the suggested threshold and why).
 */
#include "decisions_report.h"
#include <math.h>
#include <string.h>

/* Scores are stored as doubles: 0.3 may read as 0.29999999999999999, which still belongs at the boundary. */
#define DR_EPS 1e-9

int decisions_report_band(double score)
{
    int b = (int)floor(score * 10 + DR_EPS);
    return b < 0 ? 0 : b > DR_BANDS - 1 ? DR_BANDS - 1 : b;
}

dr_cut decisions_report_cut(const review_decision *v, size_t n, double threshold)
{
    dr_cut c;
    int64_t approvals = 0;
    memset(&c, 0, sizeof c);
    c.threshold = threshold;
    for (size_t i = 0; i < n; i++) {
        approvals += v[i].approved;
        if (v[i].score + DR_EPS >= threshold) {
            c.decided++;
            c.approved += v[i].approved;
        }
    }
    c.has_precision = c.decided > 0;
    c.precision = c.has_precision ? (double)c.approved / (double)c.decided : 0;
    c.has_recall = approvals > 0;
    c.recall = c.has_recall ? (double)c.approved / (double)approvals : 0;
    return c;
}

/* Counts the decisions by band and by rejection reason; returns the lowest band holding a decision. */
static int count_bands(const review_decision *v, size_t n, decisions_report *out, dr_band *all)
{
    int lowest = DR_BANDS - 1;
    for (size_t i = 0; i < n; i++) {
        int b = decisions_report_band(v[i].score);
        if (b < lowest)
            lowest = b;
        if (v[i].approved) {
            all[b].approved++;
            out->approved++;
            continue;
        }
        all[b].rejected++;
        out->rejected++;
        int r = vocab_find(&vocab_reasons, v[i].reason);
        if (r >= 0) {
            all[b].reasons[r]++;
            out->reasons[r]++;
        }
    }
    return lowest;
}

/* Whether the band b opens is no worse than break-even (or holds no decision to judge by). */
static int band_acceptable(const dr_band *all, int b)
{
    int64_t decided = all[b].approved + all[b].rejected;
    return decided == 0 || (double)all[b].approved + DR_EPS >= DR_MIN_BAND_PRECISION * (double)decided;
}

/* The lowest boundary from band lowest up whose decisions at or above reach the target with enough of them. */
static void suggest(const review_decision *v, size_t n, int lowest, const dr_band *all, decisions_report *out)
{
    if (n < DR_MIN_DECISIONS) {
        out->verdict = DR_TOO_FEW;
        return;
    }
    out->verdict = DR_TARGET_UNREACHED;
    for (int b = lowest; b < DR_BANDS; b++) {
        dr_cut c = decisions_report_cut(v, n, b / 10.0);
        if (c.decided >= DR_MIN_ABOVE && c.precision + DR_EPS >= out->target && band_acceptable(all, b)) {
            out->suggested = c;
            out->verdict = DR_SUGGESTED;
            return;
        }
    }
}

void decisions_report_compute(const review_decision *v, size_t n, double current_threshold, double target,
                              decisions_report *out)
{
    dr_band all[DR_BANDS];
    memset(out, 0, sizeof *out);
    memset(all, 0, sizeof all);
    out->target = target;
    for (int b = 0; b < DR_BANDS; b++)
        all[b].lo = b;
    int lowest = count_bands(v, n, out, all);
    if (n > 0) {
        out->nbands = (size_t)(DR_BANDS - lowest);
        memcpy(out->bands, all + lowest, out->nbands * sizeof *all);
    }
    out->current = decisions_report_cut(v, n, current_threshold);
    suggest(v, n, lowest, all, out);
}

const char *decisions_report_verdict_code(dr_verdict v)
{
    switch (v) {
    case DR_SUGGESTED:
        return "suggested";
    case DR_TOO_FEW:
        return "too_few_decisions";
    case DR_TARGET_UNREACHED:
        break;
    }
    return "target_not_reached";
}
