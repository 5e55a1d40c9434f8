-- Addresses are the only values looked up by key (an owner's addresses → the blobs they
-- occur in); every other value is read by blob. An index of (kind, key) over all values
-- was a third of the file: keep it for e-mail addresses only. Queries name the kind as the
-- literal 'email' (a parameter would keep PostgreSQL's generic plans off this index).
DROP INDEX node_value_key;
CREATE INDEX node_value_email ON node_value (key) WHERE kind = 'email';
