DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{{name}}') THEN
    PERFORM pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{{name}}';
    EXECUTE 'REVOKE ALL PRIVILEGES ON public.reports FROM "{{name}}"';
    EXECUTE 'DROP OWNED BY "{{name}}"';
    EXECUTE 'DROP ROLE "{{name}}"';
  END IF;
END
$$;
