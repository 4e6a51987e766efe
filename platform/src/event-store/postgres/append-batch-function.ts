/**
 * es.append_batch's current text, `create or replace`: the migration that created the function
 * and every later one that changed it run this, so a fresh database and an upgraded one end
 * with the same function. A change to it comes with a new migration that runs it again.
 *
 * es.append_batch(commands jsonb) -> jsonb: the whole write path in one statement, so a batch
 * of commands costs one round trip and one commit (called in autocommit).
 *
 * Input: [{ idempotency?: {scope,key,requestHash,status,body},
 *           streams: [{ streamId, category, expected: 'no_stream'|'stream_exists'|'any'|'<n>',
 *                       events: [{ eventId, type, version, data, metadata, contentHash }] }] }]
 * Output: { head, written, outcomes: [one per command, in order] }, each outcome one of
 *   { kind: 'replayed', record, position }      the key was used: nothing written
 *   { kind: 'appended', streams: [{ streamId, revision, position }], position }
 *   { kind: 'conflict', streamId, actual }      nothing written for this command
 *   { kind: 'duplicate', eventId }              nothing written for this command
 * A command whose event ids are all stored, in its streams, with the same content, at the
 * expected revisions it names, is a retry of a committed one: 'appended' with what the first
 * attempt wrote, nothing written. Other content under a stored id is 'duplicate'; the same
 * events at another expected revision 'conflict'.
 * Numbers that may outgrow a double (positions, revisions) travel as text.
 *
 * Commands are independent: each is all or nothing, and a refused one does not stop the
 * others. Decisions are made against state prefetched once and updated in memory as commands
 * are applied, so a later command sees an earlier one's writes; rows are inserted in bulk at
 * the end. The es.log_head row lock taken first serializes every writer, so the prefetched
 * state cannot change underneath.
 */
export const APPEND_BATCH_FUNCTION = `
create or replace function es.append_batch(commands jsonb) returns jsonb language plpgsql as $fn$
declare
  v_head bigint;
  v_start bigint;
  v_before bigint;
  v_now timestamptz;
  -- Streams of the batch: state before it, updated in place as commands are applied.
  s_id text[];
  s_rev bigint[];
  s_hash text[];
  s_pos bigint[];
  s_dirty boolean[];
  -- Event ids of the batch already stored before it.
  k_id uuid[];
  k_sid text[];
  k_rev bigint[];
  k_pos bigint[];
  k_prev text[];
  k_hash text[];
  -- Idempotency keys ([scope,key] as text) known before or written by the batch.
  i_key text[];
  i_val jsonb[];
  v_new_keys jsonb[] := '{}';
  v_outcomes jsonb[] := '{}';
  -- The rows to insert, one array per column.
  a_position bigint[] := '{}';
  a_event_id uuid[] := '{}';
  a_stream_id text[] := '{}';
  a_revision bigint[] := '{}';
  a_category text[] := '{}';
  a_tenant_id text[] := '{}';
  a_type text[] := '{}';
  a_version int[] := '{}';
  a_data jsonb[] := '{}';
  a_metadata jsonb[] := '{}';
  a_prev_hash text[] := '{}';
  a_hash text[] := '{}';
  v_sids text[];
  v_eids uuid[];
  v_cmd jsonb;
  v_idem jsonb;
  v_streams jsonb;
  v_evs jsonb;
  v_c int;
  v_s int;
  v_e int;
  v_st jsonb;
  v_ev jsonb;
  v_results jsonb;
  v_retry jsonb;
  v_conflict jsonb;
  v_key text;
  v_total int;
  v_found int;
  v_first uuid;
  v_duplicate uuid;
  v_i int;
  v_si int;
  v_sid text;
  v_eid uuid;
  v_found_sid text;
  v_found_rev bigint;
  v_found_pos bigint;
  v_found_prev text;
  v_found_hash text;
  v_min_rev bigint;
  v_rev bigint;
  v_actual bigint;
  v_expected text;
  v_ok boolean;
  v_prev text;
  v_link text;
  v_last_p bigint;
  v_cmd_p bigint;
  v_key_p text;
begin
  -- The single lock: positions are handed out in commit order (see postgres-event-store.ts).
  select l.position into v_head from es.log_head l for update;
  v_start := v_head;
  v_now := clock_timestamp();

  -- Lookups below go through arrays (array_position) and arrays grow in place: growing jsonb
  -- maps instead rebuilt the whole map per event and made a 200-event batch cost ~200 ms.
  -- "= any(array)" gets index scans where a join against jsonb_array_elements did not. These
  -- two are planned on each call (EXECUTE): a plan cached while es.events was small (a fresh
  -- database, before its first analyze) scanned the whole table on every batch thereafter.
  v_sids := array(select x->>'streamId'
                    from jsonb_array_elements(commands) c, jsonb_array_elements(c->'streams') x);
  v_eids := array(select (v->>'eventId')::uuid
                    from jsonb_array_elements(commands) c,
                         jsonb_array_elements(c->'streams') x,
                         jsonb_array_elements(x->'events') v);
  execute 'select coalesce(array_agg(s.stream_id), ''{}''), coalesce(array_agg(s.revision), ''{}''),
                  coalesce(array_agg(s.last_hash), ''{}''), coalesce(array_agg(s.last_position), ''{}'')
             from es.streams s where s.stream_id = any($1)'
    into s_id, s_rev, s_hash, s_pos using v_sids;
  s_dirty := array_fill(false, array[cardinality(s_id)]);
  execute 'select coalesce(array_agg(e.event_id), ''{}''), coalesce(array_agg(e.stream_id), ''{}''),
                  coalesce(array_agg(e.revision), ''{}''), coalesce(array_agg(e.position), ''{}''),
                  coalesce(array_agg(e.prev_hash), ''{}''), coalesce(array_agg(e.hash), ''{}'')
             from es.events e where e.event_id = any($1)'
    into k_id, k_sid, k_rev, k_pos, k_prev, k_hash using v_eids;
  select coalesce(array_agg(jsonb_build_array(k.scope, k.key)::text), '{}'),
         coalesce(array_agg(jsonb_build_object(
           'record', jsonb_build_object('scope', k.scope, 'key', k.key,
                       'requestHash', k.request_hash, 'status', k.status, 'body', k.body),
           'position', k.position::text)), '{}')
    into i_key, i_val
    from es.idempotency_keys k
   where (k.scope, k.key) in (select c->'idempotency'->>'scope', c->'idempotency'->>'key'
                                from jsonb_array_elements(commands) c
                               where c ? 'idempotency');

  -- Loops walk the arrays by index: plain expressions, no query per loop (FOR ... IN SELECT
  -- jsonb_array_elements started an executor each time, most of the function's cost).
  for v_c in 0 .. jsonb_array_length(commands) - 1 loop
    v_cmd := commands->v_c;
    v_idem := v_cmd->'idempotency';
    v_streams := coalesce(v_cmd->'streams', '[]');
    v_key := null;
    if v_idem is not null then
      v_key := jsonb_build_array(v_idem->>'scope', v_idem->>'key')::text;
      v_i := array_position(i_key, v_key);
      if v_i is not null then
        v_outcomes := array_append(v_outcomes, jsonb_build_object('kind', 'replayed') || i_val[v_i]);
        continue;
      end if;
    end if;

    -- Ids already stored: all of them in their own streams, with the content they were stored
    -- with, is a retry; anything else refused. A retry also carries the expected revision its
    -- first attempt was checked against: the stream's first event of it must sit right after
    -- it. The retry's answer is built on the way, in case it is one.
    v_total := 0; v_found := 0; v_first := null; v_duplicate := null;
    v_retry := '[]'; v_cmd_p := 0; v_conflict := null;
    for v_s in 0 .. jsonb_array_length(v_streams) - 1 loop
      v_st := v_streams->v_s;
      v_sid := v_st->>'streamId';
      v_evs := coalesce(v_st->'events', '[]');
      v_rev := null; v_last_p := null; v_min_rev := null;
      for v_e in 0 .. jsonb_array_length(v_evs) - 1 loop
        v_total := v_total + 1;
        v_eid := (v_evs->v_e->>'eventId')::uuid;
        v_found_sid := null;
        v_i := array_position(k_id, v_eid);
        if v_i is not null then
          v_found_sid := k_sid[v_i]; v_found_rev := k_rev[v_i]; v_found_pos := k_pos[v_i];
          v_found_prev := k_prev[v_i]; v_found_hash := k_hash[v_i];
        else
          v_i := array_position(a_event_id, v_eid);
          if v_i is not null then
            v_found_sid := a_stream_id[v_i]; v_found_rev := a_revision[v_i]; v_found_pos := a_position[v_i];
            v_found_prev := a_prev_hash[v_i]; v_found_hash := a_hash[v_i];
          end if;
        end if;
        if v_found_sid is not null then
          v_found := v_found + 1;
          v_first := coalesce(v_first, v_eid);
          -- The stored link is over the stored content: the same link over this content means
          -- the same event (the chain_link text, inlined as below).
          if v_duplicate is null and (v_found_sid <> v_sid or v_found_hash <> encode(sha256(convert_to(
               coalesce(v_found_prev, '') || '|' || v_found_rev::text || '|' ||
               (v_evs->v_e->>'contentHash'), 'UTF8')), 'hex')) then
            v_duplicate := v_eid;
          end if;
          v_rev := greatest(v_rev, v_found_rev);
          v_min_rev := least(v_min_rev, v_found_rev);
          v_last_p := greatest(v_last_p, v_found_pos);
        end if;
      end loop;
      v_si := array_position(s_id, v_sid);
      v_expected := v_st->>'expected';
      if v_min_rev is not null and v_conflict is null and not (case v_expected
           when 'any' then true
           when 'no_stream' then v_min_rev = 0
           when 'stream_exists' then v_min_rev > 0
           else v_min_rev = v_expected::bigint + 1
         end) then
        v_conflict := jsonb_build_object('kind', 'conflict', 'streamId', v_sid,
                                         'actual', s_rev[v_si]::text);
      end if;
      v_cmd_p := greatest(v_cmd_p, v_last_p);
      v_retry := v_retry || jsonb_build_array(jsonb_build_object(
        'streamId', v_sid,
        'revision', coalesce(v_rev, case when v_si is not null then s_rev[v_si] end, -1)::text,
        'position', coalesce(v_last_p, v_head)::text));
    end loop;
    if v_duplicate is null and v_found > 0 and v_found < v_total then
      v_duplicate := v_first;
    end if;
    if v_duplicate is not null then
      v_outcomes := array_append(v_outcomes, jsonb_build_object('kind', 'duplicate', 'eventId', v_duplicate));
      continue;
    end if;
    if v_found > 0 and v_conflict is not null then
      v_outcomes := array_append(v_outcomes, v_conflict);
      continue;
    end if;

    v_before := v_head;
    if v_found > 0 then
      -- A retry of a committed command: answer what the first attempt did, write no events.
      v_results := v_retry;
      v_key_p := v_cmd_p::text;
    else
      v_conflict := null;
      for v_s in 0 .. jsonb_array_length(v_streams) - 1 loop
        v_st := v_streams->v_s;
        v_si := array_position(s_id, v_st->>'streamId');
        v_actual := case when v_si is not null then s_rev[v_si] end;
        v_expected := v_st->>'expected';
        v_ok := case v_expected
                  when 'any' then true
                  when 'no_stream' then v_actual is null
                  when 'stream_exists' then v_actual is not null
                  else v_actual is not null and v_actual::text = v_expected
                end;
        if not v_ok then
          v_conflict := jsonb_build_object('kind', 'conflict', 'streamId', v_st->>'streamId',
                                           'actual', v_actual::text);
          exit;
        end if;
      end loop;
      if v_conflict is not null then
        v_outcomes := array_append(v_outcomes, v_conflict);
        continue;
      end if;

      v_results := '[]';
      for v_s in 0 .. jsonb_array_length(v_streams) - 1 loop
        v_st := v_streams->v_s;
        v_sid := v_st->>'streamId';
        v_si := array_position(s_id, v_sid);
        v_rev := coalesce(case when v_si is not null then s_rev[v_si] end, -1);
        v_prev := case when v_si is not null then s_hash[v_si] end;
        v_last_p := null;
        v_evs := coalesce(v_st->'events', '[]');
        for v_e in 0 .. jsonb_array_length(v_evs) - 1 loop
          v_ev := v_evs->v_e;
          v_rev := v_rev + 1;
          v_head := v_head + 1;
          v_last_p := v_head;
          -- es.chain_link inlined: the same text, without a SQL-function call per event.
          v_link := encode(sha256(convert_to(
                      coalesce(v_prev, '') || '|' || v_rev::text || '|' || (v_ev->>'contentHash'),
                      'UTF8')), 'hex');
          a_position := array_append(a_position, v_head);
          a_event_id := array_append(a_event_id, (v_ev->>'eventId')::uuid);
          a_stream_id := array_append(a_stream_id, v_sid);
          a_revision := array_append(a_revision, v_rev);
          a_category := array_append(a_category, v_st->>'category');
          a_tenant_id := array_append(a_tenant_id, v_ev->'metadata'->>'tenantId');
          a_type := array_append(a_type, v_ev->>'type');
          a_version := array_append(a_version, (v_ev->>'version')::int);
          a_data := array_append(a_data, v_ev->'data');
          a_metadata := array_append(a_metadata, v_ev->'metadata');
          a_prev_hash := array_append(a_prev_hash, v_prev);
          a_hash := array_append(a_hash, v_link);
          v_prev := v_link;
        end loop;
        if v_last_p is not null then
          if v_si is null then
            s_id := array_append(s_id, v_sid);
            v_si := cardinality(s_id);
          end if;
          s_rev[v_si] := v_rev;
          s_hash[v_si] := v_prev;
          s_pos[v_si] := v_last_p;
          s_dirty[v_si] := true;
        end if;
        v_results := v_results || jsonb_build_array(jsonb_build_object(
          'streamId', v_sid, 'revision', v_rev::text, 'position', v_last_p::text));
      end loop;
      v_cmd_p := v_head;
      v_key_p := case when v_head > v_before then v_head::text end;
    end if;

    v_outcomes := array_append(v_outcomes, jsonb_build_object(
      'kind', 'appended', 'streams', v_results, 'position', v_cmd_p::text));
    if v_key is not null then
      i_key := array_append(i_key, v_key);
      i_val := array_append(i_val, jsonb_build_object('record', v_idem, 'position', v_key_p));
      v_new_keys := array_append(v_new_keys, v_idem || jsonb_build_object('position', v_key_p));
    end if;
  end loop;

  if v_head > v_start then
    insert into es.events (position, event_id, stream_id, revision, category, tenant_id, type,
                           version, data, metadata, prev_hash, hash, recorded_at)
    select u.*, v_now
      from unnest(a_position, a_event_id, a_stream_id, a_revision, a_category, a_tenant_id, a_type,
                  a_version, a_data, a_metadata, a_prev_hash, a_hash) as u;
    insert into es.streams (stream_id, revision, last_hash, last_position)
    select u.id, u.rev, u.hash, u.pos
      from unnest(s_id, s_rev, s_hash, s_pos, s_dirty) as u(id, rev, hash, pos, dirty)
     where u.dirty
    on conflict (stream_id) do update
       set revision = excluded.revision, last_hash = excluded.last_hash,
           last_position = excluded.last_position;
    update es.log_head set position = v_head;
    -- Delivered at commit, to every listener in this database.
    perform pg_notify('es_appended', v_head::text);
  end if;
  if cardinality(v_new_keys) > 0 then
    insert into es.idempotency_keys (scope, key, request_hash, status, body, position)
    select k.j->>'scope', k.j->>'key', k.j->>'requestHash', (k.j->>'status')::int, k.j->'body',
           (k.j->>'position')::bigint
      from unnest(v_new_keys) as k(j);
  end if;
  return jsonb_build_object('head', v_head::text, 'written', v_head - v_start,
                            'outcomes', to_jsonb(v_outcomes));
end
$fn$`;
