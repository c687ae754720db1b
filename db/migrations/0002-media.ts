// Schema 2: every medium built. A medium is recorded once it is whole (never while it is being
// written), with the exact revision of each content item it holds: the cache-revision queries
// (which prestaged content is stale, what a machine will download) compare these with the
// catalog's current revisions.
//
// media_content has no foreign key to content: a medium stays on record (and in the field) after
// its content is removed from the catalog, so the name and type are kept here too.
// media_certificate_keys: see below.
export default `
CREATE TABLE media (
  seq              INTEGER PRIMARY KEY,
  media_id         TEXT NOT NULL,
  kind             TEXT NOT NULL CHECK (kind IN ('Capture', 'Bootable', 'StandAlone', 'Prestaged')),
  media_type       TEXT NOT NULL CHECK (media_type IN ('CdDvd', 'Usb', 'Wim')),
  path             TEXT NOT NULL,
  volume_count     INTEGER NOT NULL,
  size_bytes       INTEGER NOT NULL,
  site_code        TEXT NOT NULL,
  task_sequence_id TEXT,
  boot_image_id    TEXT NOT NULL,
  content_encrypted INTEGER NOT NULL,
  created          TEXT NOT NULL,
  UNIQUE (media_id, path)
);
CREATE INDEX media_by_kind ON media (kind, created);

CREATE TABLE media_content (
  seq            INTEGER NOT NULL REFERENCES media(seq) ON DELETE CASCADE,
  content_id     TEXT NOT NULL,
  name           TEXT NOT NULL,
  type           TEXT NOT NULL,
  source_version INTEGER NOT NULL,
  file_count     INTEGER NOT NULL,
  size_bytes     INTEGER NOT NULL,
  PRIMARY KEY (seq, content_id)
) WITHOUT ROWID;
CREATE INDEX media_content_by_content ON media_content (content_id);

-- Self-signed media certificates: an RSA key is random, so it is made once per site and
-- validity window and kept here; later builds sign the same certificate again (reproducible media).
CREATE TABLE media_certificate_keys (
  cache_key       TEXT PRIMARY KEY,
  private_key_pem TEXT NOT NULL
) WITHOUT ROWID;
`;
