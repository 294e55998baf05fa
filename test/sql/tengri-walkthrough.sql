-- Tengri's "Creating and managing API tokens" walkthrough (seed 002), every
-- statement in it, run as one script by the administrator alice. The seed's
-- <user_name> placeholder is alice: the account whose tokens are all revoked.
-- The administrator's section issues the 90-day token for analyst before the
-- policies are set, since afterwards analyst's limit is 30 days (the least
-- restrictive of '24h' for the user and '30d' for the role service_accounts).

-- Issuing a token
CREATE API TOKEN ci_pipeline
MAX DURATION '30d'
COMMENT 'Токен для сборочного конвейера';

-- Without a name or expiry: a generated name, 365 days
CREATE API TOKEN;

-- Viewing your tokens
SHOW API TOKENS;

-- Changing a comment
ALTER API TOKEN ci_pipeline SET COMMENT 'Перенесен на новый раннер';

-- Revoking a token
DROP API TOKEN ci_pipeline;

-- Revoking all of a user's tokens at once
DROP ALL API TOKENS FOR USER alice;

-- Issuing and managing tokens for another user
CREATE API TOKEN report_bot FOR USER analyst MAX DURATION '90d' COMMENT 'Сервисный токен для выгрузки отчетов';
SHOW API TOKENS FOR USER analyst;
DROP API TOKEN report_bot FOR USER analyst;

-- Limiting token validity
ALTER USER analyst SET API TOKEN MAX DURATION '24h';
ALTER ROLE service_accounts SET API TOKEN MAX DURATION '30d';
