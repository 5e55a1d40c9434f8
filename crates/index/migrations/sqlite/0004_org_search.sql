-- Organisation search by any part of the name without a table scan: an FTS5 trigram
-- index over the distinct organisation keys, kept in step with org_branch by the index
-- code (materialize, delete_breach). Never edit: add 0005_….
CREATE VIRTUAL TABLE org_search USING fts5(org_key, tokenize = 'trigram');
INSERT INTO org_search (org_key) SELECT DISTINCT org_key FROM org_branch;
