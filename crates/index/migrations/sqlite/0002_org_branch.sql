-- Organisation groups per breach: the registrable domains whose name label normalises to
-- the same organisation key (contoso.de, contoso.fr, contoso.co.uk → "contoso").
CREATE TABLE org_branch (
    org_key   TEXT NOT NULL,
    domain    TEXT NOT NULL,
    breach_id INTEGER NOT NULL,
    PRIMARY KEY (org_key, domain, breach_id)
) WITHOUT ROWID;
CREATE INDEX org_branch_breach ON org_branch (breach_id);
