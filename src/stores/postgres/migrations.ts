/**
 * @internal The versioned migrations, embedded so that `migrate()` needs no
 * file access at run time (and works the same from the ESM and CJS builds).
 * The same text ships as `sql/postgres/<version>_<name>.sql` for teams that
 * run their own migration tool; a test keeps the two identical. Edit the
 * `.sql` files, then copy them here verbatim.
 */

import { LATER_MIGRATIONS } from './migrations-later.js';

/** One migration: its version, its name (the file name without `.sql`), and its templated SQL. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** SQL with `{{schema}}` and `{{prefix}}` placeholders. */
  readonly sql: string;
}

/** Every migration, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: '001_tables',
    sql: `-- tokenward PostgreSQL schema, migration 1: tables.
--
-- Placeholders: {{schema}} is the schema (default public) and {{prefix}} the
-- table prefix (default tokenward_). Both must match ^[a-z_][a-z0-9_]{0,40}$
-- (the prefix may also be empty). migrate() fills them in; see
-- docs/storage.md for rendering them for another migration tool.
--
-- Times are bigint epoch milliseconds, exactly the numbers the library uses.
-- No column holds a token string or a secret: only keyed hashes.

CREATE SCHEMA IF NOT EXISTS "{{schema}}";

CREATE TABLE IF NOT EXISTS "{{schema}}"."{{prefix}}schema_migrations" (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE "{{schema}}"."{{prefix}}tokens" (
  id text PRIMARY KEY,
  tenant text NOT NULL,
  type text NOT NULL CHECK (type IN ('administrative', 'personal', 'master', 'limited')),
  owner text,
  name text NOT NULL,
  comment text NOT NULL,
  grants jsonb,
  secret_hash text NOT NULL,
  pepper_version integer NOT NULL,
  previous_secret_hash text,
  previous_pepper_version integer,
  previous_expires_at bigint,
  created_at bigint NOT NULL,
  expires_at bigint,
  revoked_at bigint,
  rotated_at bigint,
  last_used_at bigint,
  created_by text NOT NULL,
  version integer NOT NULL
);

-- One unrevoked master token per (tenant, user), kept by the database itself:
-- concurrent ensureMasterToken calls insert with ON CONFLICT DO NOTHING.
CREATE UNIQUE INDEX "{{prefix}}tokens_master_uq"
  ON "{{schema}}"."{{prefix}}tokens" (tenant, owner)
  WHERE type = 'master' AND revoked_at IS NULL;

-- Lookups in one namespace: by name, the per-owner cap count, listing by owner.
CREATE INDEX "{{prefix}}tokens_owner_name_idx"
  ON "{{schema}}"."{{prefix}}tokens" (tenant, owner, name);

-- Lifecycle events. They outlive the token they describe (purging expired
-- tokens keeps their history until retention prunes it), so no foreign key.
CREATE TABLE "{{schema}}"."{{prefix}}events" (
  id text PRIMARY KEY,
  token_id text NOT NULL,
  tenant text NOT NULL,
  type text NOT NULL,
  actor text NOT NULL,
  operation text NOT NULL,
  detail jsonb,
  at bigint NOT NULL
);

CREATE INDEX "{{prefix}}events_token_idx"
  ON "{{schema}}"."{{prefix}}events" (token_id);

-- Pending shares: single-use claim codes, stored only as keyed hashes.
CREATE TABLE "{{schema}}"."{{prefix}}claims" (
  code_hash text PRIMARY KEY,
  token_id text NOT NULL,
  tenant text NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  created_by text NOT NULL
);

-- Max-duration policies per user and per role.
CREATE TABLE "{{schema}}"."{{prefix}}policies" (
  tenant text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('user', 'role')),
  name text NOT NULL,
  max_ttl bigint NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (tenant, kind, name)
);

INSERT INTO "{{schema}}"."{{prefix}}schema_migrations" (version, name) VALUES (1, '001_tables');
`,
  },
  {
    version: 2,
    name: '002_indexes',
    sql: `-- tokenward PostgreSQL schema, migration 2: indexes for the operations that
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
`,
  },
  {
    version: 3,
    name: '003_directory',
    sql: `-- tokenward PostgreSQL schema, migration 3: the store-backed directory.
-- Placeholders as in 001_tables.sql.
--
-- Users and roles of each tenant, which roles each user holds, and the audit
-- log of their changes. Names are COLLATE "C", so they compare and sort by
-- code point as the other stores do, whatever the database's collation.
-- The foreign keys keep a user's roles real under concurrent writes: a role
-- cannot be removed while a user holds it, nor given once it is gone.

CREATE TABLE "{{schema}}"."{{prefix}}directory_users" (
  tenant text COLLATE "C" NOT NULL,
  name text COLLATE "C" NOT NULL,
  admin boolean NOT NULL,
  active boolean NOT NULL,
  grants jsonb NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  version integer NOT NULL,
  PRIMARY KEY (tenant, name)
);

CREATE TABLE "{{schema}}"."{{prefix}}directory_roles" (
  tenant text COLLATE "C" NOT NULL,
  name text COLLATE "C" NOT NULL,
  grants jsonb NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  version integer NOT NULL,
  PRIMARY KEY (tenant, name)
);

CREATE TABLE "{{schema}}"."{{prefix}}directory_user_roles" (
  tenant text COLLATE "C" NOT NULL,
  user_name text COLLATE "C" NOT NULL,
  role text COLLATE "C" NOT NULL,
  PRIMARY KEY (tenant, user_name, role),
  FOREIGN KEY (tenant, user_name)
    REFERENCES "{{schema}}"."{{prefix}}directory_users" (tenant, name) ON DELETE CASCADE,
  FOREIGN KEY (tenant, role)
    REFERENCES "{{schema}}"."{{prefix}}directory_roles" (tenant, name)
);

-- A role's holders: listing them, and the check that keeps a held role.
CREATE INDEX "{{prefix}}dir_user_roles_idx"
  ON "{{schema}}"."{{prefix}}directory_user_roles" (tenant, role, user_name);

CREATE TABLE "{{schema}}"."{{prefix}}directory_audit" (
  id text COLLATE "C" PRIMARY KEY,
  tenant text NOT NULL,
  at bigint NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  subject text NOT NULL,
  changes jsonb NOT NULL
);

-- A tenant's log, newest first, paged by (at, id).
CREATE INDEX "{{prefix}}dir_audit_idx"
  ON "{{schema}}"."{{prefix}}directory_audit" (tenant, at DESC, id DESC);

INSERT INTO "{{schema}}"."{{prefix}}schema_migrations" (version, name) VALUES (3, '003_directory');
`,
  },
  {
    version: 4,
    name: '004_meters',
    sql: `-- tokenward PostgreSQL schema, migration 4: rate limits and usage credits of
-- tokens, and signed-out sessions. Placeholders as in 001_tables.sql.
--
-- It adds to the tables of 001 only, so it applies whichever other
-- migrations a database has taken.

-- The meter of a token (rate limits, usage credits, refill) as the library
-- writes it, and the buckets of its rate limits ({"levels": [...], "at": ms},
-- NULL until the first spend). Both stay NULL for a token without a meter,
-- whose verification never writes.
ALTER TABLE "{{schema}}"."{{prefix}}tokens"
  ADD COLUMN meter jsonb,
  ADD COLUMN ratelimit_state jsonb;

-- refillCredits: tokens whose next refill has come due.
CREATE INDEX "{{prefix}}tokens_refill_idx"
  ON "{{schema}}"."{{prefix}}tokens" ((((meter->>'lastRefillAt')::bigint + (meter#>>'{refill,interval}')::bigint)))
  WHERE meter#>>'{refill,interval}' IS NOT NULL;

-- Signed-out sessions, by session id, kept until the session would have
-- expired anyway (pruneRevokedSessions deletes them after that).
CREATE TABLE "{{schema}}"."{{prefix}}revoked_sessions" (
  id text PRIMARY KEY,
  tenant text NOT NULL,
  expires_at bigint NOT NULL
);

CREATE INDEX "{{prefix}}sessions_expires_idx"
  ON "{{schema}}"."{{prefix}}revoked_sessions" (expires_at);

-- One verification's spend from a token's meter, atomic across every
-- instance: the token's row is locked first, so concurrent spends of one
-- token run one after the other, each on the row the previous one wrote.
-- The arithmetic is tokenward's spendStep (src/core/metering.ts), step by
-- step: a refill that has come due, then the credits, then every named
-- rate limit (a token bucket of limit x duration units); all or nothing.
-- No row: the token is missing or revoked.
CREATE FUNCTION "{{schema}}"."{{prefix}}spend"(p_id text, p_now bigint, p_cost bigint, p_names text[])
  RETURNS TABLE (ok boolean, code text, retry_after bigint, ratelimit text, remaining bigint)
  LANGUAGE plpgsql
AS $spend$
#variable_conflict use_column
DECLARE
  m jsonb;
  s jsonb;
  revoked bigint;
  credits bigint;
  last_refill bigint;
  every bigint;
  amount bigint;
  stamp bigint;
  judged bigint;
  elapsed bigint;
  lim jsonb;
  lim_limit bigint;
  lim_duration bigint;
  lvl bigint;
  need bigint;
  wait bigint;
  levels bigint[] := '{}';
  refused boolean := false;
  refused_by text;
  refused_wait bigint;
BEGIN
  SELECT t.meter, t.ratelimit_state, t.revoked_at INTO m, s, revoked
    FROM "{{schema}}"."{{prefix}}tokens" t WHERE t.id = p_id FOR UPDATE;
  IF NOT FOUND OR revoked IS NOT NULL THEN
    RETURN;
  END IF;
  IF m IS NULL THEN
    RETURN QUERY SELECT true, NULL::text, NULL::bigint, NULL::text, NULL::bigint;
    RETURN;
  END IF;
  -- Credits, refilled lazily on the grid that starts at the token's creation.
  credits := (m->>'remaining')::bigint;
  last_refill := (m->>'lastRefillAt')::bigint;
  every := (m#>>'{refill,interval}')::bigint;
  amount := (m#>>'{refill,amount}')::bigint;
  IF every IS NOT NULL AND last_refill IS NOT NULL AND p_now >= last_refill + every THEN
    last_refill := last_refill + ((p_now - last_refill) / every) * every;
    credits := amount;
  END IF;
  IF credits IS NOT NULL AND credits < p_cost THEN
    RETURN QUERY SELECT false, 'usage_exceeded'::text,
      CASE WHEN every IS NOT NULL AND last_refill IS NOT NULL AND amount >= p_cost
        THEN last_refill + every - p_now END,
      NULL::text, credits;
    RETURN;
  END IF;
  -- Buckets, judged at the later of now and the last spend (a clock behind refills nothing).
  stamp := (s->>'at')::bigint;
  judged := CASE WHEN stamp IS NULL THEN p_now ELSE greatest(stamp, p_now) END;
  elapsed := CASE WHEN stamp IS NULL THEN 0 ELSE judged - stamp END;
  FOR i IN 0 .. coalesce(jsonb_array_length(m->'ratelimits'), 0) - 1 LOOP
    lim := m->'ratelimits'->i;
    lim_limit := (lim->>'limit')::bigint;
    lim_duration := (lim->>'duration')::bigint;
    lvl := (s->'levels'->>i)::bigint;
    IF lvl IS NULL OR elapsed >= lim_duration THEN
      lvl := lim_limit * lim_duration;
    ELSE
      lvl := least(lim_limit * lim_duration, lvl + lim_limit * elapsed);
    END IF;
    IF p_names IS NULL OR (lim->>'name') = ANY (p_names) THEN
      need := p_cost * lim_duration;
      IF p_cost > lim_limit THEN
        wait := NULL;
      ELSIF lvl >= need THEN
        wait := 0;
      ELSE
        wait := (need - lvl + lim_limit - 1) / lim_limit;
      END IF;
      -- The limit that makes the caller wait longest (never, above all) is the one named.
      IF wait IS DISTINCT FROM 0 AND (NOT refused OR (refused_wait IS NOT NULL AND (wait IS NULL OR wait > refused_wait))) THEN
        refused := true;
        refused_by := lim->>'name';
        refused_wait := wait;
      END IF;
      IF wait = 0 THEN
        lvl := lvl - need;
      END IF;
    END IF;
    levels := levels || lvl;
  END LOOP;
  IF refused THEN
    RETURN QUERY SELECT false, 'rate_limited'::text, refused_wait, refused_by, credits;
    RETURN;
  END IF;
  credits := credits - p_cost;
  UPDATE "{{schema}}"."{{prefix}}tokens" t
    SET meter = m || jsonb_build_object('remaining', credits, 'lastRefillAt', last_refill),
        ratelimit_state = CASE WHEN cardinality(levels) = 0 THEN NULL
          ELSE jsonb_build_object('levels', to_jsonb(levels), 'at', judged) END
    WHERE t.id = p_id;
  RETURN QUERY SELECT true, NULL::text, NULL::bigint, NULL::text, credits;
END;
$spend$;

INSERT INTO "{{schema}}"."{{prefix}}schema_migrations" (version, name) VALUES (4, '004_meters');
`,
  },
  ...LATER_MIGRATIONS,
];
