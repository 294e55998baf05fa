-- tokenward PostgreSQL schema, migration 2: indexes for the operations that
-- scan by time. Placeholders as in 001_tables.sql.
--
-- 001 served every lookup by id and by namespace; these make retention and
-- history reads proportional to what they return rather than to table size.

-- purgeExpired: tokens whose expiry has passed.
CREATE INDEX "{{prefix}}tokens_expires_idx"
  ON "{{schema}}"."{{prefix}}tokens" (expires_at)
  WHERE expires_at IS NOT NULL;

-- list: one owner's (or a tenant's) tokens newest first, paged by (created_at, id).
CREATE INDEX "{{prefix}}tokens_owner_new_idx"
  ON "{{schema}}"."{{prefix}}tokens" (tenant, owner, created_at DESC, id DESC);
CREATE INDEX "{{prefix}}tokens_tenant_new_idx"
  ON "{{schema}}"."{{prefix}}tokens" (tenant, created_at DESC, id DESC);

-- listEvents: a token's events newest first, paged by (at, id). Replaces the
-- token-only index of 001, which this one covers.
CREATE INDEX "{{prefix}}events_token_at_idx"
  ON "{{schema}}"."{{prefix}}events" (token_id, at DESC, id DESC);
DROP INDEX "{{schema}}"."{{prefix}}events_token_idx";

-- pruneEvents: events older than the retention window.
CREATE INDEX "{{prefix}}events_at_idx"
  ON "{{schema}}"."{{prefix}}events" (at);

-- purgeExpired removes the claims of the tokens it deletes.
CREATE INDEX "{{prefix}}claims_token_idx"
  ON "{{schema}}"."{{prefix}}claims" (token_id);

INSERT INTO "{{schema}}"."{{prefix}}schema_migrations" (version, name) VALUES (2, '002_indexes');
