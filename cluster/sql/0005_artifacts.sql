-- PrunerCluster schema, migration 5: the content-addressed artifact store of postgres mode (baseline checkpoints and the
-- fine-tuned weights of evaluated individuals). A blob is keyed by the lowercase hex SHA-256 of its bytes and stored as
-- fixed-size chunks, so large weights stream in and out; its header row is written in the same transaction as its chunks,
-- so a blob with a header is always complete. References name blobs (last write wins).
CREATE TABLE prunercluster_artifact
(
    sha256      char(64)    NOT NULL PRIMARY KEY,
    size        bigint      NOT NULL CHECK (size >= 0),
    chunk_size  integer     NOT NULL CHECK (chunk_size > 0),
    chunk_count integer     NOT NULL CHECK (chunk_count >= 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE prunercluster_artifact_chunk
(
    sha256      char(64) NOT NULL REFERENCES prunercluster_artifact (sha256) ON DELETE CASCADE,
    chunk_index integer  NOT NULL CHECK (chunk_index >= 0),
    data        bytea    NOT NULL,
    CONSTRAINT pk_prunercluster_artifact_chunk PRIMARY KEY (sha256, chunk_index)
);

-- Chunks are written and read as they are: no TOAST compression of already dense weights.
ALTER TABLE prunercluster_artifact_chunk ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE prunercluster_artifact_ref
(
    name       text        NOT NULL PRIMARY KEY,
    sha256     char(64)    NOT NULL REFERENCES prunercluster_artifact (sha256),
    updated_at timestamptz NOT NULL DEFAULT now()
);
