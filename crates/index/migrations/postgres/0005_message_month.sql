-- The month of an e-mail's Date header (`2024-03`), for "messages over time". Metadata
-- only: a month, never the date and time. Never edit: add 0006_….
ALTER TABLE node ADD COLUMN message_month TEXT;
