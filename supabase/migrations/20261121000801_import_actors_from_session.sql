-- committed_by and reverted_by record who committed and who reverted an import. They are already uuid
-- references to auth.users (20261121000009), so no data changes; but the update grant lets any uploader
-- or admin write any user's id into them (and an insert could too). For the API roles they must be the
-- acting user, taken from the session's claims (auth.uid()), as the commit and revert paths now write
-- them; the service role and the owner (seed, CLI admin, restores) are not checked.

create function private.guard_import_actors()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user not in ('anon', 'authenticated') then
    return new;
  end if;
  if new.committed_by is not null and new.committed_by is distinct from auth.uid()
     and (tg_op = 'INSERT' or new.committed_by is distinct from old.committed_by) then
    raise exception 'committed_by is the user committing the import, set from the session; it cannot be set to someone else.'
      using errcode = '42501';
  end if;
  if new.reverted_by is not null and new.reverted_by is distinct from auth.uid()
     and (tg_op = 'INSERT' or new.reverted_by is distinct from old.reverted_by) then
    raise exception 'reverted_by is the user reverting the import, set from the session; it cannot be set to someone else.'
      using errcode = '42501';
  end if;
  return new;
end
$$;
comment on function private.guard_import_actors() is
  'Refuses, for API roles, a committed_by or reverted_by other than the acting user (auth.uid()).';

create trigger imports_guard_actors
  before insert or update of committed_by, reverted_by on public.imports
  for each row execute function private.guard_import_actors();
