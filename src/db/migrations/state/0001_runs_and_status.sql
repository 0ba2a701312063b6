-- Runs, their event log, and the status of every DAG node (state, county, ...).
-- All of the project's tables live in the schema `biomass`, so that a backup can take
-- exactly them (pg_dump --schema=biomass) and nothing collides with parcel tables in the
-- same database.

CREATE TABLE biomass.runs (
  run_id      text PRIMARY KEY,
  plan_name   text NOT NULL,
  plan_hash   text NOT NULL,
  status      text NOT NULL DEFAULT 'running'
              CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted')),
  host        text NOT NULL DEFAULT '',
  pid         integer,
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  error       text
);
CREATE INDEX runs_plan_started ON biomass.runs (plan_name, started_at DESC);

-- Event ids are made by the writer, so an insert that is retried after a lost connection
-- cannot add the same event twice.
CREATE TABLE biomass.run_events (
  event_id   text PRIMARY KEY,
  run_id     text NOT NULL REFERENCES biomass.runs (run_id) ON DELETE CASCADE,
  at         timestamptz NOT NULL DEFAULT now(),
  level      text NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
  node_id    text,
  code       text,
  message    text NOT NULL,
  details    jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX run_events_run_at ON biomass.run_events (run_id, at);

-- One row per (plan, node): `state:17`, `county:17113`, `index:17`, ... Keyed by plan
-- rather than run so that a later run resumes where an earlier one stopped.
-- `attempt` grows each time a worker claims the node; a write that carries an older attempt
-- is refused (fencing), so a worker whose lease expired cannot overwrite its successor.
CREATE TABLE biomass.node_status (
  plan_name     text NOT NULL,
  node_id       text NOT NULL,
  kind          text NOT NULL,
  state_fips    text,
  county_fips   text,
  status        text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'skipped')),
  attempt       integer NOT NULL DEFAULT 0,
  run_id        text,
  lease_owner   text,
  lease_expires_at timestamptz,
  heartbeat_at  timestamptz,
  started_at    timestamptz,
  finished_at   timestamptz,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  error         text,
  PRIMARY KEY (plan_name, node_id)
);
CREATE INDEX node_status_state ON biomass.node_status (plan_name, state_fips, kind);
