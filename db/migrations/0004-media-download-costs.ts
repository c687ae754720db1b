// Schema 4: each item on each medium carries its current version and what a machine built from
// that medium downloads for it, kept up to date by triggers. The status of every prestaged medium
// is then one pass over media_content, with no look-up into content or its file history per item
// (500 media of 20-50 items: 18,000 look-ups were most of a cold Get-TSPrestagedMediaStatus).
//
// The cost is schema 3's rule (see 0003): the current files of the item added after the cached
// version, less those the cached version held with the same path and bytes. A cached version
// above the current one (a catalog restored from an older backup) counts every current file.
// An item removed from the catalog has no current version and costs nothing to download.
//
// It is computed when a medium is recorded, and again for every medium holding an item when the
// item is revised (content.source_version changes only after the new file rows are in) or removed.
//
// Schema 3's content_files_current index served the status query that these columns replace.
// Every other look-up into content_files is by item (the primary key's prefix), so the index
// goes: it made each file row cost two B-tree inserts (an import of 10,500 files spent 0.1 s on
// it) and a third of the catalog's size. For the same reason schema 3's trigger on file rows first
// asks whether the row is of a first version, which no earlier row can precede.

/** Recomputes current_version and the download cost of the media_content rows `where` selects. */
function refreshCosts(where: string): string {
  const base = 'iif(media_content.source_version > c.source_version, 0, media_content.source_version)';
  return `
  UPDATE media_content SET (current_version, download_files, download_bytes) = (
    SELECT c.source_version, count(f.size), coalesce(sum(f.size), 0)
    FROM (SELECT 1) LEFT JOIN content c ON c.id = media_content.content_id
    LEFT JOIN content_files f ON f.content_id = c.id AND f.removed_in IS NULL
      AND f.added_in > ${base}
      AND NOT EXISTS (
        SELECT 1 FROM content_file_returns r JOIN content_files o ON o.content_id = r.content_id AND o.path = r.path
        WHERE r.content_id = f.content_id AND r.path = f.path AND r.added_in = f.added_in
          AND o.added_in <= ${base} AND o.removed_in > ${base} AND o.sha256 = f.sha256))
  WHERE ${where};`;
}

export default `
DROP INDEX content_files_current;
DROP TRIGGER content_file_returns_on_insert;
CREATE TRIGGER content_file_returns_on_insert AFTER INSERT ON content_files
WHEN NEW.added_in > 1 AND EXISTS (SELECT 1 FROM content_files o
             WHERE o.content_id = NEW.content_id AND o.path = NEW.path AND o.added_in < NEW.added_in AND o.sha256 = NEW.sha256)
BEGIN
  INSERT OR IGNORE INTO content_file_returns (content_id, path, added_in) VALUES (NEW.content_id, NEW.path, NEW.added_in);
END;

ALTER TABLE media_content ADD COLUMN current_version INTEGER;
ALTER TABLE media_content ADD COLUMN download_files INTEGER NOT NULL DEFAULT 0;
ALTER TABLE media_content ADD COLUMN download_bytes INTEGER NOT NULL DEFAULT 0;
${refreshCosts('1')}

CREATE TRIGGER media_content_costs_on_record AFTER INSERT ON media_content BEGIN
  ${refreshCosts('seq = NEW.seq AND content_id = NEW.content_id')}
END;

CREATE TRIGGER media_content_costs_on_revision AFTER UPDATE OF source_version ON content BEGIN
  ${refreshCosts('content_id = NEW.id')}
END;

CREATE TRIGGER media_content_costs_on_removal AFTER DELETE ON content BEGIN
  UPDATE media_content SET current_version = NULL, download_files = 0, download_bytes = 0 WHERE content_id = OLD.id;
END;
`;
