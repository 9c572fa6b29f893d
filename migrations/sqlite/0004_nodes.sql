-- The tables several PostgreSQL daemons coordinate through (see migrations/postgres/0004_nodes.sql), kept here
-- too so both stores have one interface and one contract. On SQLite one daemon runs per file (the daemon lock),
-- so every claim it asks for is granted; the same rules still hold. Instants are ISO 8601 UTC strings.
CREATE TABLE source_claims (
  source_id    TEXT PRIMARY KEY,
  claimed_by   TEXT,
  lease_until  TEXT,
  stamp        TEXT
);

CREATE TABLE host_slots (
  host         TEXT NOT NULL,
  slot         INTEGER NOT NULL,
  node         TEXT,
  lease_until  TEXT,
  PRIMARY KEY (host, slot)
);

CREATE TABLE host_pauses (
  host   TEXT PRIMARY KEY,
  until  TEXT NOT NULL
);

CREATE TABLE nodes (
  node         TEXT PRIMARY KEY,
  fingerprint  TEXT,
  started_at   TEXT NOT NULL,
  lease_until  TEXT NOT NULL
);
