/*
 * test_decisions_report.c: the decisions report's arithmetic alone
 * (src/decisions_report.c): bands with scores on their boundaries, cuts, the
 * suggestion's rule (lowest boundary reaching the target with enough decisions
 * above it, never opening a band mostly rejected), too few decisions, and a
 * target no boundary reaches.
 */
#include "test.h"
#include "decisions_report.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

static review_decision dec(double score, int approved, const char *reason)
{
    review_decision d;
    memset(&d, 0, sizeof d);
    d.score = score;
    d.approved = approved;
    snprintf(d.reason, sizeof d.reason, "%s", reason ? reason : "");
    return d;
}

void test_decisions_report_bands_cuts_and_the_rule(void)
{
    /* Boundaries: 0.3 as computed sums land below it in binary, and still open their band. */
    CHECK_INT(decisions_report_band(0.1 + 0.2), 3);
    CHECK_INT(decisions_report_band(0.29999999999999999), 3);
    CHECK_INT(decisions_report_band(0.2999), 2);
    CHECK_INT(decisions_report_band(1.0), 9);
    CHECK_INT(decisions_report_band(0.0), 0);

    /* 24 decisions: band 0.2 all rejected (8), band 0.5 half approved (8), band 0.8 all approved (8). */
    review_decision v[24];
    for (int i = 0; i < 8; i++) {
        v[i] = dec(0.21 + i * 0.01, 0, i % 2 ? "out_of_scope" : "duplicate");
        v[8 + i] = dec(0.5 + i * 0.01, i % 2, i % 2 ? NULL : "benefit_unclear");
        v[16 + i] = dec(0.8 + i * 0.01, 1, NULL);
    }
    decisions_report rep;
    decisions_report_compute(v, 24, 0.3, 0.7, &rep);
    CHECK_INT(rep.nbands, 8); /* 0.2 .. 0.9 */
    CHECK(rep.bands[0].lo == 2 && rep.bands[0].rejected == 8 && rep.bands[0].approved == 0);
    CHECK(rep.bands[0].reasons[REASON_DUPLICATE] == 4 && rep.bands[0].reasons[REASON_OUT_OF_SCOPE] == 4);
    CHECK(rep.bands[3].lo == 5 && rep.bands[3].approved == 4 && rep.bands[3].rejected == 4);
    CHECK(rep.approved == 12 && rep.rejected == 12 && rep.reasons[REASON_BENEFIT_UNCLEAR] == 4);
    /* At 0.3: 16 decided, 12 approved: 0.75, recall 1.  Boundary 0.2 gives 0.5; 0.3 is the lowest with 0.75. */
    CHECK(rep.current.decided == 16 && rep.current.approved == 12 && fabs(rep.current.precision - 0.75) < 1e-12);
    CHECK(rep.current.has_recall && rep.current.recall == 1.0);
    CHECK_INT(rep.verdict, DR_SUGGESTED);
    CHECK(fabs(rep.suggested.threshold - 0.3) < 1e-12 && rep.suggested.decided == 16);

    /* A target of 0.9: 0.6 and up holds only the 8 approvals of band 0.8 (fewer than 10): unreached. */
    decisions_report_compute(v, 24, 0.3, 0.9, &rep);
    CHECK_INT(rep.verdict, DR_TARGET_UNREACHED);
    CHECK_STR(decisions_report_verdict_code(rep.verdict), "target_not_reached");
    /* A target of 0.8 is reached at 0.5 only if 12/16 >= 0.8: no; at 0.6 the 8 left are too few. */
    decisions_report_compute(v, 24, 0.3, 0.8, &rep);
    CHECK_INT(rep.verdict, DR_TARGET_UNREACHED);

    /* The guard: band 0.4 approved 2 of 8, the 30 above it 28: from 0.4 up makes 30 of 38 (79%), but 0.4 opens a
     * band mostly rejected, so the suggestion is 0.5 (28 of 30). */
    review_decision w[38];
    for (int i = 0; i < 8; i++)
        w[i] = dec(0.41 + i * 0.01, i < 2, i < 2 ? NULL : "out_of_scope");
    for (int i = 0; i < 30; i++)
        w[8 + i] = dec(0.5 + i * 0.015, i >= 2, i >= 2 ? NULL : "duplicate");
    decisions_report_compute(w, 38, 0.3, 0.7, &rep);
    CHECK_INT(rep.verdict, DR_SUGGESTED);
    CHECK(fabs(rep.suggested.threshold - 0.5) < 1e-12 && rep.suggested.decided == 30 && rep.suggested.approved == 28);
    dr_cut at04 = decisions_report_cut(w, 38, 0.4);
    CHECK(at04.decided == 38 && at04.approved == 30 && at04.precision >= 0.7);

    /* Nineteen decisions: too few, whatever their precision; none: no band, no precision, no recall. */
    decisions_report_compute(v + 5, 19, 0.3, 0.7, &rep);
    CHECK_INT(rep.verdict, DR_TOO_FEW);
    decisions_report_compute(v, 0, 0.3, 0.7, &rep);
    CHECK(rep.verdict == DR_TOO_FEW && rep.nbands == 0 && !rep.current.has_precision && !rep.current.has_recall);
}
