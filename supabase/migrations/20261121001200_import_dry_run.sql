-- An import's dry run (how many of its staged rows are new, duplicates, errors, …) is kept on the import,
-- written by every classification, instead of being counted again on every read.
--
-- The import page polls its import every second while it is active, and each read counted all of the
-- import's staged rows: about 0.7 s of a Postgres core per read for a 1,000,000-row import, so one open
-- page took most of a core away from the commit it was watching. Statuses and warnings change only
-- through classification (staging, corrections, exclusions and mappings all end with it, in the same
-- transaction), so the counts written there stay exact until the next one.

alter table public.imports add column dry_run jsonb;
comment on column public.imports.dry_run is 'Counts of the staged rows as of the last classification: [{"status": …, "rows": n, "warnings": n}, …]; null before the first.';

-- The one place the counts are made: what record_dry_run stores, and what a read of an import
-- classified before this migration counts afresh. Runs as the caller, so row-level security applies.
create function private.dry_run_counts(p_tenant uuid, p_import uuid)
returns jsonb
language sql stable set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object('status', c.status, 'rows', c.n, 'warnings', c.warnings) order by c.status), '[]'::jsonb)
    from (select s.status, count(*) as n, count(*) filter (where s.has_warning) as warnings
            from public.staged_rows s
           where s.tenant_id = p_tenant and s.import_id = p_import
           group by s.status) c
$$;
comment on function private.dry_run_counts(uuid, uuid) is 'The staged rows of an import counted by status, with those that have warnings: [{"status": …, "rows": n, "warnings": n}, …].';
revoke all on function private.dry_run_counts(uuid, uuid) from public;
grant execute on function private.dry_run_counts(uuid, uuid) to authenticated, service_role;

-- Security definer so that the column stays out of the API roles' column grants: nobody writes counts of
-- their own choosing, only the counts of the import's staged rows. For the roles that may change staged
-- rows ("Uploaders and admins can correct and classify staged rows"): anyone else's classification
-- changes no row, so the recorded counts stay exact.
create function private.record_dry_run(p_tenant uuid, p_import uuid)
returns jsonb
language sql volatile security definer set search_path = ''
as $$
  update public.imports i set dry_run = private.dry_run_counts(p_tenant, p_import)
   where i.tenant_id = p_tenant and i.id = p_import
     and private.has_role(p_tenant, '{admin,uploader}')
  returning i.dry_run
$$;
comment on function private.record_dry_run(uuid, uuid) is 'Recounts the staged rows of an import by status (and those with warnings) into imports.dry_run and returns it; null for callers who are not an admin or uploader of the tenant.';
revoke all on function private.record_dry_run(uuid, uuid) from public;
grant execute on function private.record_dry_run(uuid, uuid) to authenticated, service_role;
