-- Seeds the local stack's PostgreSQL (run by stack.sh as the superuser over loopback TCP; idempotent). DEV ONLY.
\set ON_ERROR_STOP on
\set admin_pw `printenv MINTER_PG_ADMIN_PASSWORD`

-- The login OpenBao's database engine uses. Not a superuser: CREATEROLE to create and drop the short-lived task
-- users, pg_signal_backend to end their sessions on revocation, and SELECT on reports WITH GRANT OPTION so that
-- it can hand out exactly that and nothing more.
SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'minter_vault_admin') AS create_admin \gset
\if :create_admin
CREATE ROLE minter_vault_admin WITH LOGIN CREATEROLE;
\endif
ALTER ROLE minter_vault_admin WITH LOGIN CREATEROLE NOSUPERUSER NOCREATEDB PASSWORD :'admin_pw';
GRANT pg_signal_backend TO minter_vault_admin;

SELECT NOT EXISTS (SELECT FROM pg_database WHERE datname = 'analytics') AS create_db \gset
\if :create_db
CREATE DATABASE analytics;
\endif

\connect analytics
-- Dynamic users must not be able to create objects (they would outlive nothing, but keep them read-only).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
CREATE TABLE IF NOT EXISTS public.reports (
  id       integer PRIMARY KEY,
  title    text          NOT NULL,
  quarter  text          NOT NULL,
  revenue  numeric(14,2) NOT NULL
);
INSERT INTO public.reports (id, title, quarter, revenue) VALUES
  (1, 'EMEA revenue',     '2026-Q1', 1250000.00),
  (2, 'Americas revenue', '2026-Q1', 2310000.50),
  (3, 'APAC revenue',     '2026-Q1',  980400.25)
ON CONFLICT (id) DO NOTHING;
GRANT SELECT ON public.reports TO minter_vault_admin WITH GRANT OPTION;
