-- tokenward PostgreSQL schema, migration 5: token metadata, enable/disable,
-- imported keys and expiry-warning markers (issue 13). Placeholders as in
-- 001_tables.sql. Independent of migrations 3 and 4.

-- The application's own JSON object, returned on the principal.
ALTER TABLE "{{schema}}"."{{prefix}}tokens" ADD COLUMN meta jsonb;

-- A disabled token fails verification (token_disabled) until enabled again.
ALTER TABLE "{{schema}}"."{{prefix}}tokens" ADD COLUMN enabled boolean NOT NULL DEFAULT true;

-- Keys imported from another system are found by the hash of their whole
-- string: sha256:<hex> until their first verification, then the keyed HMAC.
ALTER TABLE "{{schema}}"."{{prefix}}tokens" ADD COLUMN lookup_hash text;
CREATE UNIQUE INDEX "{{prefix}}tokens_lookup_hash_uq"
  ON "{{schema}}"."{{prefix}}tokens" (lookup_hash)
  WHERE lookup_hash IS NOT NULL;

-- listExpiring over a tenant: its tokens that expire, soonest first.
CREATE INDEX "{{prefix}}tokens_tenant_exp_idx"
  ON "{{schema}}"."{{prefix}}tokens" (tenant, expires_at, id)
  WHERE expires_at IS NOT NULL;

-- One marker per token, warning threshold and expiry: the onExpiring hook
-- fires once for each. No foreign key, like events: purgeExpired removes
-- the markers of expiries long past.
CREATE TABLE "{{schema}}"."{{prefix}}expiry_warnings" (
  token_id text NOT NULL,
  within bigint NOT NULL,
  expires_at bigint NOT NULL,
  warned_at bigint NOT NULL,
  PRIMARY KEY (token_id, within, expires_at)
);
CREATE INDEX "{{prefix}}warnings_expires_idx"
  ON "{{schema}}"."{{prefix}}expiry_warnings" (expires_at);

INSERT INTO "{{schema}}"."{{prefix}}schema_migrations" (version, name) VALUES (5, '005_peer_fields');
