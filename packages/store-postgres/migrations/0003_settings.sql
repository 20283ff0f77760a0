-- Settings of the control plane as a whole, shared by its replicas: today the id of the data dir
-- the replicas share (docs/replicas.md), so a replica started on another data dir is refused
-- instead of keeping repositories and keys of its own.
CREATE TABLE control_plane_settings (
  name  text COLLATE "C" PRIMARY KEY,
  value text NOT NULL
);
