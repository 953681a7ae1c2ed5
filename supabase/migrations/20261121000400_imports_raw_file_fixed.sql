-- Which raw file an import reads is fixed when the import is created (found by
-- test/security/isolation.test.ts). The API roles could update raw_key, sha256, byte_size and
-- file_name through their column grants, so a member calling PostgREST directly could point their
-- tenant's import at another tenant's raw file key and re-run its parse. The raw store refuses keys
-- outside the caller's tenant as well; this makes the row itself say only what was uploaded.
-- Nothing in the app changes these columns after the insert.
revoke update (raw_key, sha256, byte_size, file_name) on public.imports from anon, authenticated;
