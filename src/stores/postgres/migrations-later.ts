/**
 * @internal Migrations 5 and on, kept apart so that no module grows past
 * its size limit; `migrations.ts` lists them after the first four. Edit the
 * `.sql` files, then copy them here verbatim (a test keeps the two identical).
 */
import type { Migration } from './migrations.js';

export const LATER_MIGRATIONS: readonly Migration[] = [
  {
    version: 5,
    name: '005_peer_fields',
    sql: `-- tokenward PostgreSQL schema, migration 5: token metadata, enable/disable,
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
`,
  },
  {
    version: 6,
    name: '006_issue_function',
    sql: `-- tokenward PostgreSQL schema, migration 6: issue in one round trip (issue
-- 12). Placeholders as in 001_tables.sql. Needs migrations 1, 4 and 5 (the
-- function writes every column of the tokens table).

-- The version of each tenant's duration policies. Every write to the
-- policies table changes it, from the trigger below, so a change made by
-- hand counts as much as one made through setPolicy. A service may keep the
-- policies it read, tagged with this version; the issue function refuses an
-- issue decided under any other version.
CREATE TABLE "{{schema}}"."{{prefix}}policy_versions" (
  tenant text PRIMARY KEY,
  version bigint NOT NULL
);

-- Every tenant that already has policies starts at version 1, so that a
-- TRUNCATE of the policies (which names no tenant) can bump them all.
INSERT INTO "{{schema}}"."{{prefix}}policy_versions" (tenant, version)
  SELECT DISTINCT tenant, 1 FROM "{{schema}}"."{{prefix}}policies";

CREATE FUNCTION "{{schema}}"."{{prefix}}bump_policy_version"() RETURNS trigger
  LANGUAGE plpgsql
AS $bump$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    UPDATE "{{schema}}"."{{prefix}}policy_versions" SET version = version + 1;
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO "{{schema}}"."{{prefix}}policy_versions" AS v (tenant, version) VALUES (OLD.tenant, 1)
      ON CONFLICT (tenant) DO UPDATE SET version = v.version + 1;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO "{{schema}}"."{{prefix}}policy_versions" AS v (tenant, version) VALUES (NEW.tenant, 1)
      ON CONFLICT (tenant) DO UPDATE SET version = v.version + 1;
  END IF;
  RETURN NULL;
END
$bump$;

CREATE TRIGGER "{{prefix}}policies_bump"
  AFTER INSERT OR UPDATE OR DELETE ON "{{schema}}"."{{prefix}}policies"
  FOR EACH ROW EXECUTE FUNCTION "{{schema}}"."{{prefix}}bump_policy_version"();
CREATE TRIGGER "{{prefix}}policies_bump_all"
  AFTER TRUNCATE ON "{{schema}}"."{{prefix}}policies"
  FOR EACH STATEMENT EXECUTE FUNCTION "{{schema}}"."{{prefix}}bump_policy_version"();

-- One issue: the namespace's advisory lock (held until the transaction of
-- the call ends, so concurrent issues into one namespace run one after the
-- other), the policy version (when p_policy_version is not NULL), the name
-- among the live tokens of the namespace, the owner's live tokens (when
-- p_cap is not NULL), then the token row, its event (when p_e_id is not
-- NULL) and the notification. Each statement takes its own snapshot after
-- the lock is granted, so it sees every issue committed before it. Answers
-- 'inserted', or 'stale', 'taken' or 'limit' having written nothing. A
-- duplicate id or lookup hash raises unique_violation. PL/pgSQL keeps the
-- plans of its statements for the session.
CREATE FUNCTION "{{schema}}"."{{prefix}}issue"(
  p_lock_space integer, p_lock_key integer, p_policy_version bigint, p_cap bigint, p_now bigint,
  p_channel text,
  p_id text, p_tenant text, p_type text, p_owner text, p_name text, p_comment text, p_grants jsonb,
  p_secret_hash text, p_pepper_version integer, p_previous_secret_hash text,
  p_previous_pepper_version integer, p_previous_expires_at bigint, p_created_at bigint,
  p_expires_at bigint, p_revoked_at bigint, p_rotated_at bigint, p_last_used_at bigint,
  p_created_by text, p_version integer, p_meter jsonb, p_meta jsonb, p_enabled boolean,
  p_lookup_hash text,
  p_e_id text, p_e_token_id text, p_e_tenant text, p_e_type text, p_e_actor text,
  p_e_operation text, p_e_detail jsonb, p_e_at bigint)
  RETURNS text
  LANGUAGE plpgsql
AS $issue$
DECLARE
  current_version bigint;
  live bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(p_lock_space, p_lock_key);
  IF p_policy_version IS NOT NULL THEN
    SELECT v.version INTO current_version
      FROM "{{schema}}"."{{prefix}}policy_versions" v WHERE v.tenant = p_tenant;
    IF coalesce(current_version, 0) <> p_policy_version THEN
      RETURN 'stale';
    END IF;
  END IF;
  -- Two shapes, so that each plan walks the (tenant, owner, name) index.
  IF p_owner IS NULL THEN
    PERFORM 1 FROM "{{schema}}"."{{prefix}}tokens" t
      WHERE t.tenant = p_tenant AND t.owner IS NULL AND t.name = p_name AND t.revoked_at IS NULL
        AND (t.expires_at IS NULL OR t.expires_at > p_now);
  ELSE
    PERFORM 1 FROM "{{schema}}"."{{prefix}}tokens" t
      WHERE t.tenant = p_tenant AND t.owner = p_owner AND t.name = p_name AND t.revoked_at IS NULL
        AND (t.expires_at IS NULL OR t.expires_at > p_now);
  END IF;
  IF FOUND THEN
    RETURN 'taken';
  END IF;
  IF p_cap IS NOT NULL AND p_owner IS NOT NULL THEN
    SELECT count(*) INTO live FROM "{{schema}}"."{{prefix}}tokens" t
      WHERE t.tenant = p_tenant AND t.owner = p_owner AND t.revoked_at IS NULL
        AND (t.expires_at IS NULL OR t.expires_at > p_now) AND t.type <> 'master';
    IF live >= p_cap THEN
      RETURN 'limit';
    END IF;
  END IF;
  INSERT INTO "{{schema}}"."{{prefix}}tokens" (id, tenant, type, owner, name, comment, grants,
      secret_hash, pepper_version, previous_secret_hash, previous_pepper_version,
      previous_expires_at, created_at, expires_at, revoked_at, rotated_at, last_used_at,
      created_by, version, meter, meta, enabled, lookup_hash)
    VALUES (p_id, p_tenant, p_type, p_owner, p_name, p_comment, p_grants,
      p_secret_hash, p_pepper_version, p_previous_secret_hash, p_previous_pepper_version,
      p_previous_expires_at, p_created_at, p_expires_at, p_revoked_at, p_rotated_at, p_last_used_at,
      p_created_by, p_version, p_meter, p_meta, p_enabled, p_lookup_hash);
  IF p_e_id IS NOT NULL THEN
    INSERT INTO "{{schema}}"."{{prefix}}events" (id, token_id, tenant, type, actor, operation, detail, at)
      VALUES (p_e_id, p_e_token_id, p_e_tenant, p_e_type, p_e_actor, p_e_operation, p_e_detail, p_e_at);
  END IF;
  PERFORM pg_notify(p_channel, p_id);
  RETURN 'inserted';
END
$issue$;

INSERT INTO "{{schema}}"."{{prefix}}schema_migrations" (version, name) VALUES (6, '006_issue_function');
`,
  },
];
