// Schema 3: an index for the cache-revision queries. What a prestaged machine downloads is the
// current files of an item added after the revision it holds; the primary key (content_id, path,
// added_in) would make that a scan of every file row of every revision of the item, so the current
// rows (removed_in NULL, a small share of 50 revisions) get their own partial index by added_in.
export default `
CREATE INDEX content_files_current ON content_files (content_id, added_in) WHERE removed_in IS NULL;
`;
