-- Items shown by GET /api/items. Plain SQL; applied once and recorded in schema_migrations.
CREATE TABLE items (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

INSERT INTO items (name) VALUES ('keyboard'), ('mouse'), ('monitor');
