-- A duplicate decision belongs to whoever made it. The update policy on duplicate_candidates lets a
-- reviewer (or an admin) write decided_by = themselves on any candidate, so another reviewer could take
-- over an approval with one UPDATE and then delete its ledger row through "Reviewers can remove a
-- duplicate they approved when undoing"; a reviewer could also point their own approval at any ledger
-- row, or move decided_at ahead to keep the undo window open. Policies see only the new row, so the
-- rules that compare old and new are a trigger.
--
-- Decided (product call): undo is for the decision's maker only, admins included. An admin who
-- disagrees with a reviewer has no override through undo; the audit log keeps who decided what, and a
-- taken-over decision would make it lie. Reverting the whole import (status 'reverted', by uploaders and
-- admins under their own policies) stays allowed.
--
-- Only API callers (roles anon and authenticated) are checked; the service role and the owner (seed,
-- migrations, CLI admin, tests) act as the system. The 10 minutes are UNDO_WINDOW_MINUTES of
-- lib/ingest/duplicates.ts and of the reviewers' delete policy on transactions.

create function private.guard_duplicate_decision()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user not in ('anon', 'authenticated') then
    return new;
  end if;

  -- Reverting the import closes its candidates whoever decided them.
  if new.status = 'reverted' then
    return new;
  end if;

  if old.status = 'pending' then
    if new.status in ('approved', 'rejected') then
      if new.decided_by is distinct from auth.uid() then
        raise exception 'A duplicate is decided in the name of the reviewer deciding it.'
          using errcode = '42501';
      end if;
      -- The decision time is the server's, so the undo window cannot be stretched.
      new.decided_at := now();
    end if;
    return new;
  end if;

  if old.status in ('approved', 'rejected')
     and (new.status, new.decided_by, new.decided_at, new.inserted_transaction_id)
         is distinct from (old.status, old.decided_by, old.decided_at, old.inserted_transaction_id) then
    if old.decided_by is distinct from auth.uid() then
      raise exception 'Duplicate #% was decided by someone else; only the reviewer who decided it can change or undo it.', old.id
        using errcode = '42501';
    end if;
    if new.status = 'pending' then
      if old.decided_at <= now() - interval '10 minutes' then
        raise exception 'Duplicate #% was decided more than 10 minutes ago; a decision can be undone only within 10 minutes.', old.id
          using errcode = '42501';
      end if;
      return new;
    end if;
    if (new.status, new.decided_by, new.decided_at) is distinct from (old.status, old.decided_by, old.decided_at) then
      raise exception 'Duplicate #% is already decided; undo it to change the decision time.', old.id
        using errcode = '42501';
    end if;
    -- What is left is recording the ledger row an approval inserted: once, and only that row (same
    -- import, account and dedup key as the held row), since undoing the approval deletes it.
    if old.inserted_transaction_id is not null or new.status <> 'approved' or new.inserted_transaction_id is null or not exists (
         select 1
           from public.staged_rows s
           join public.transactions t
             on t.tenant_id = s.tenant_id and t.import_id = s.import_id and t.account_id = s.account_id and t.dedup_key = s.dedup_key
          where s.tenant_id = new.tenant_id and s.import_id = new.import_id and s.row_no = new.row_no
            and t.id = new.inserted_transaction_id) then
      raise exception 'Duplicate #% can record only the ledger row this approval inserted.', old.id
        using errcode = '42501';
    end if;
  end if;
  return new;
end
$$;
comment on function private.guard_duplicate_decision() is
  'Keeps a duplicate decision its maker''s: made in the caller''s name at the server''s time, changed or undone (within 10 minutes) only by its maker, pointing only at the row its approval inserted.';

create trigger duplicate_candidates_guard_decision
  before update on public.duplicate_candidates
  for each row execute function private.guard_duplicate_decision();
