-- tokenward PostgreSQL schema, migration 4: rate limits and usage credits of
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
