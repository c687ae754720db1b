// Schema 1: sites, management and distribution points, content with every revision's manifest,
// the library index, and task sequences.
//
// A revision's manifest is not stored whole per version: each file row says in which version it
// appeared (added_in) and in which it went away (removed_in, NULL while current). Unchanged files
// are one row however many revisions follow, so 50 revisions of a large package stay small, and
// "what changed in version N" is the rows added or removed in N.
export default `
CREATE TABLE sites (
  code          TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  type          TEXT NOT NULL CHECK (type IN ('Primary', 'CentralAdministration')),
  parent_code   TEXT REFERENCES sites(code),
  https         INTEGER NOT NULL DEFAULT 0,
  root_cert_pem TEXT,
  root_cert_thumbprint TEXT,
  created       TEXT NOT NULL,
  next_object   INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE distribution_points (
  site_code TEXT NOT NULL REFERENCES sites(code) ON DELETE CASCADE,
  url       TEXT NOT NULL,
  created   TEXT NOT NULL,
  PRIMARY KEY (site_code, url)
) WITHOUT ROWID;

CREATE TABLE management_points (
  site_code TEXT NOT NULL REFERENCES sites(code) ON DELETE CASCADE,
  url       TEXT NOT NULL,
  created   TEXT NOT NULL,
  PRIMARY KEY (site_code, url)
) WITHOUT ROWID;

CREATE TABLE content (
  id             TEXT PRIMARY KEY,
  type           TEXT NOT NULL,
  name           TEXT NOT NULL,
  source_path    TEXT NOT NULL,
  source_version INTEGER NOT NULL,
  image_index    INTEGER,
  created        TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX content_by_type_name ON content (type, name);

CREATE TABLE revisions (
  content_id TEXT NOT NULL REFERENCES content(id) ON DELETE CASCADE,
  version    INTEGER NOT NULL,
  created    TEXT NOT NULL,
  file_count INTEGER NOT NULL,
  size_bytes INTEGER NOT NULL,
  manifest_sha256 TEXT NOT NULL,
  PRIMARY KEY (content_id, version)
) WITHOUT ROWID;

CREATE TABLE content_files (
  content_id TEXT NOT NULL REFERENCES content(id) ON DELETE CASCADE,
  path       TEXT NOT NULL,
  added_in   INTEGER NOT NULL,
  removed_in INTEGER,
  size       INTEGER NOT NULL,
  sha256     BLOB NOT NULL,
  PRIMARY KEY (content_id, path, added_in)
) WITHOUT ROWID;

-- Where each blob of the content library lives: a pack file and a byte range.
CREATE TABLE library_blobs (
  sha256 BLOB PRIMARY KEY,
  size   INTEGER NOT NULL,
  pack   TEXT NOT NULL,
  offset INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE task_sequences (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  boot_image_id TEXT NOT NULL REFERENCES content(id),
  created       TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE task_sequence_refs (
  task_sequence_id TEXT NOT NULL REFERENCES task_sequences(id) ON DELETE CASCADE,
  content_id       TEXT NOT NULL REFERENCES content(id),
  role             TEXT NOT NULL,
  position         INTEGER NOT NULL,
  PRIMARY KEY (task_sequence_id, content_id)
) WITHOUT ROWID;
CREATE INDEX task_sequence_refs_by_content ON task_sequence_refs (content_id);
`;
