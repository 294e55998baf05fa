-- tokenward PostgreSQL schema, migration 3: the store-backed directory.
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
