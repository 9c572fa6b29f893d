-- Several daemons on one database (issue 14): who polls which source, how many requests each publisher gets
-- from all of them together, and which daemons are alive with which tag rules. Coordination state only: nothing
-- here is published, `warta migrate-store` does not copy it, and losing it costs at most one extra poll.
-- Every lease is an instant written by the daemon that holds it (its clock, NTP-synced like the server's);
-- a daemon renews its leases every third of storage.lease, so one that died loses them within storage.lease.

-- One row per source that was ever claimed. `stamp` is the cron tick (or start-up time) the last claim was
-- for: a tick claims a source only when no claim for that tick or later exists, so N daemons firing the same
-- tick poll it once. `claimed_by`/`lease_until` are set while a daemon polls it; NULL once it released it.
CREATE TABLE source_claims (
  source_id    text COLLATE "C" PRIMARY KEY,
  claimed_by   text,
  lease_until  timestamptz,
  stamp        timestamptz
);
-- Sweeps for leases left by dead daemons read only the claimed rows.
CREATE INDEX source_claims_held ON source_claims (lease_until) WHERE claimed_by IS NOT NULL;

-- fetch.per_host slots per registrable domain, shared by every daemon: a request needs one.
CREATE TABLE host_slots (
  host         text COLLATE "C" NOT NULL,
  slot         integer NOT NULL,
  node         text,
  lease_until  timestamptz,
  PRIMARY KEY (host, slot)
);

-- A host that answered 429/503 with Retry-After: no daemon sends it a request before `until`.
CREATE TABLE host_pauses (
  host   text COLLATE "C" PRIMARY KEY,
  until  timestamptz NOT NULL
);

-- The daemons alive on this database and the fingerprint of the tag rules each runs (re-tagging waits until
-- every live daemon runs the same rules).
CREATE TABLE nodes (
  node         text COLLATE "C" PRIMARY KEY,
  fingerprint  text,
  started_at   timestamptz NOT NULL,
  lease_until  timestamptz NOT NULL
);
