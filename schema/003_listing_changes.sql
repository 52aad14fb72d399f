-- 003_listing_changes: find listings by when they were last written, so that a
-- running server can catch up with writes made by other processes (techmatch import).
CREATE INDEX demands_updated ON demands(updated_at, id);
CREATE INDEX achievements_updated ON achievements(updated_at, id);
