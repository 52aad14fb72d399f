/*
 * decisions_report.h: the decisions report (GET /api/review/decisions-report):
 * from brokers' latest decisions on scored pairs (store_review_decisions), the
 * precision of approvals (approved / decided) by score band, the precision
 * and recall a suggest threshold gives on those decisions, and a suggested
 * suggest threshold.
 *
 * The suggestion is the lowest band boundary t whose decisions at or above t
 * (at least DR_MIN_ABOVE of them) were approved at a precision of at least
 * the target: of the thresholds that keep the review queue at least that
 * precise, the one that keeps the most approvals (the highest recall).  One
 * guard: the band t opens, when it holds decisions, must itself have been
 * approved at least DR_MIN_BAND_PRECISION of the time, because excellent
 * bands above can dilute a poor one into a cumulative precision that meets
 * the target (on the demo, 0.4-0.5 approved 2 of 8 while everything from 0.4
 * up made 74%): lowering the threshold into such a band mostly buys brokers
 * rejections.  The suggestion is never below the lowest decided score's band:
 * nothing is known below it.  With fewer than DR_MIN_DECISIONS decisions
 * there is no suggestion ("too few"), and none when no boundary qualifies.
 *
 * Pure functions over caller storage: thread-safe.
 */
#ifndef TM_DECISIONS_REPORT_H
#define TM_DECISIONS_REPORT_H
#include "store.h"
#include "vocab.h"
#include <stddef.h>
#include <stdint.h>

/* The default target precision of the suggestion. */
#define DR_TARGET 0.7
/* Fewer decisions than this in all: no suggestion. */
#define DR_MIN_DECISIONS 20
/* A boundary is suggested only with at least this many decisions at or above it. */
#define DR_MIN_ABOVE 10
/* The band a suggestion opens must have at least this precision: more of its pairs approved than rejected. */
#define DR_MIN_BAND_PRECISION 0.5
/* Bands are a tenth wide: [0.0, 0.1), ..., [0.9, 1.0]. */
#define DR_BANDS 10

/* One score band [lo / 10, (lo + 1) / 10) (the last one includes 1.0). */
typedef struct dr_band {
    int lo;                        /* the band's lower bound in tenths, 0..9 */
    int64_t approved, rejected;
    int64_t reasons[REASON_COUNT]; /* the rejections by reason (vocab_reasons' order) */
} dr_band;

/* What one threshold gives on the decisions: those scoring at or above it would have been suggested. */
typedef struct dr_cut {
    double threshold;
    int64_t decided;               /* decisions at or above the threshold */
    int64_t approved;              /* approvals among them */
    int has_precision;             /* decided > 0 */
    double precision;              /* approved / decided */
    int has_recall;                /* there is at least one approval */
    double recall;                 /* approved / every approval */
} dr_cut;

typedef enum dr_verdict {
    DR_SUGGESTED,                  /* suggested holds the suggestion */
    DR_TOO_FEW,                    /* fewer than DR_MIN_DECISIONS decisions */
    DR_TARGET_UNREACHED            /* no boundary qualifies (DR_MIN_ABOVE decisions, the target, the band's guard) */
} dr_verdict;

typedef struct decisions_report {
    double target;
    int64_t approved, rejected;
    int64_t reasons[REASON_COUNT];
    dr_band bands[DR_BANDS];       /* from the lowest decided score's band to [0.9, 1.0] */
    size_t nbands;                 /* 0 when there is no decision */
    dr_cut current;                /* the policy's suggest threshold */
    dr_verdict verdict;
    dr_cut suggested;              /* when verdict is DR_SUGGESTED */
} decisions_report;

/* A score's band in tenths (0..9); a score at a boundary (0.3 stored as 0.29999...) is in the band above it. */
int decisions_report_band(double score);

/* What threshold gives on the n decisions of v. */
dr_cut decisions_report_cut(const review_decision *v, size_t n, double threshold);

/* Fills out from the n decisions of v (any order), the current suggest threshold and the target precision. */
void decisions_report_compute(const review_decision *v, size_t n, double current_threshold, double target,
                              decisions_report *out);

/* The verdict's code as the API names it: "suggested", "too_few_decisions", "target_not_reached". */
const char *decisions_report_verdict_code(dr_verdict v);

#endif
