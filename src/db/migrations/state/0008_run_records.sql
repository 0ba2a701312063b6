-- What `biomass run` records beyond 0001: the plan as it was run (text, file, its git
-- commit and whether it had uncommitted edits), the run's summary, each node's figures, and
-- the lock that keeps a second run of the same plan from starting while one is alive.
ALTER TABLE biomass.runs
  ADD COLUMN plan_file  text NOT NULL DEFAULT '',
  ADD COLUMN plan_text  text NOT NULL DEFAULT '',
  ADD COLUMN git_commit text,
  ADD COLUMN git_dirty  boolean,
  ADD COLUMN summary    jsonb NOT NULL DEFAULT '{}'::jsonb;

-- Per node: what its last attempt measured (duration, bytes, reads by path, cache hits and
-- misses, parcels) and how many attempts failed before it ended.
ALTER TABLE biomass.node_status
  ADD COLUMN figures  jsonb NOT NULL DEFAULT '{}'::jsonb,
  ADD COLUMN failures integer NOT NULL DEFAULT 0;

-- One row per plan while a run of it is alive. The holder renews expires_at; a holder that
-- was killed is taken over once it expires, or at once by a run on the same host that sees
-- the holder's process is gone. A lease row rather than an advisory lock: PGlite has one
-- connection per process, and a row can say who holds it.
CREATE TABLE biomass.run_locks (
  plan_name   text PRIMARY KEY,
  run_id      text NOT NULL,
  host        text NOT NULL,
  pid         integer NOT NULL,
  acquired_at timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
