CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';
GRANT "{{name}}" TO CURRENT_USER;
GRANT SELECT ON public.reports TO "{{name}}";
