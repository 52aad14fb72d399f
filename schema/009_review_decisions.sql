-- 009_review_decisions.sql: the review decisions (approvals and rejections by
-- brokers and admins) by time, so that GET /api/review/summary counts "today's
-- decisions", the caller's own among them, from this index alone (the
-- actions are only ever written for entity 'match').
CREATE INDEX audit_review_at ON audit_log(at, user_id) WHERE action IN ('match.approve', 'match.reject');
