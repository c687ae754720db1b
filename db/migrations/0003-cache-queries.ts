// Schema 3: what the cache-revision queries need to stay fast on a large catalog (10,000 items of
// 50 revisions). A prestaged machine downloads the current files of an item that were added after
// the revision it holds, unless that revision held the same path with the same bytes (a change
// undone, a file removed and put back).
//
// - content_files_current: the current rows (removed_in NULL, a small share of 50 revisions) by
//   item and added_in, with size and SHA-256, so "current files added after version N" reads this
//   small index alone, never the big table.
// - content_file_returns: the rows whose path and bytes an earlier row of the same item already
//   had. Only these can be on a medium built before they were added, so only these need a look at
//   the item's history; every other current file added after the medium's revision is a download.
//   A trigger keeps it whatever code inserts file rows; rows go with their content item.
export default `
CREATE INDEX content_files_current ON content_files (content_id, added_in, size, sha256, removed_in) WHERE removed_in IS NULL;

CREATE TABLE content_file_returns (
  content_id TEXT NOT NULL REFERENCES content(id) ON DELETE CASCADE,
  path       TEXT NOT NULL,
  added_in   INTEGER NOT NULL,
  PRIMARY KEY (content_id, path, added_in)
) WITHOUT ROWID;

INSERT INTO content_file_returns (content_id, path, added_in)
  SELECT f.content_id, f.path, f.added_in FROM content_files f
  WHERE EXISTS (SELECT 1 FROM content_files o
                WHERE o.content_id = f.content_id AND o.path = f.path AND o.added_in < f.added_in AND o.sha256 = f.sha256);

CREATE TRIGGER content_file_returns_on_insert AFTER INSERT ON content_files
WHEN EXISTS (SELECT 1 FROM content_files o
             WHERE o.content_id = NEW.content_id AND o.path = NEW.path AND o.added_in < NEW.added_in AND o.sha256 = NEW.sha256)
BEGIN
  INSERT OR IGNORE INTO content_file_returns (content_id, path, added_in) VALUES (NEW.content_id, NEW.path, NEW.added_in);
END;
`;
