-- PrunerCluster schema, migration 3: grain state (Microsoft.Orleans.Persistence.AdoNet 10.4), one row per grain and state
-- name. The provider sends the serialized state as @PayloadBinary and guards every write with the version it read (ETag).
CREATE TABLE orleansstorage
(
    grainidhash            integer      NOT NULL,
    grainidn0              bigint       NOT NULL,
    grainidn1              bigint       NOT NULL,
    graintypehash          integer      NOT NULL,
    graintypestring        varchar(512) NOT NULL,
    grainidextensionstring varchar(512) NULL,
    serviceid              varchar(150) NOT NULL,
    payloadbinary          bytea        NULL,
    modifiedon             timestamptz  NOT NULL DEFAULT now(),
    version                integer      NULL
);

-- One row per grain: a second insert of the same grain (two activations after a split) fails instead of forking the state.
CREATE UNIQUE INDEX ux_orleansstorage_grain
    ON orleansstorage (serviceid, graintypestring, grainidn0, grainidn1, COALESCE(grainidextensionstring, ''));
CREATE INDEX ix_orleansstorage_hash ON orleansstorage (grainidhash, graintypehash);

-- Returns the new version, or the caller's version unchanged when its ETag is stale (the provider then raises
-- InconsistentStateException).
CREATE FUNCTION prunercluster_write_grain_state(
    p_grainidhash integer, p_grainidn0 bigint, p_grainidn1 bigint, p_graintypehash integer, p_graintypestring varchar,
    p_grainidextensionstring varchar, p_serviceid varchar, p_version integer, p_payloadbinary bytea)
    RETURNS TABLE(newgrainstateversion integer)
    LANGUAGE plpgsql AS
$$
DECLARE
    n integer;
BEGIN
    IF p_version IS NOT NULL THEN
        UPDATE orleansstorage
        SET payloadbinary = p_payloadbinary, modifiedon = now(), version = version + 1
        WHERE grainidhash = p_grainidhash AND graintypehash = p_graintypehash
          AND grainidn0 = p_grainidn0 AND grainidn1 = p_grainidn1
          AND graintypestring = p_graintypestring
          AND grainidextensionstring IS NOT DISTINCT FROM p_grainidextensionstring
          AND serviceid = p_serviceid
          AND version = p_version;
        GET DIAGNOSTICS n = ROW_COUNT;
        RETURN QUERY SELECT CASE WHEN n > 0 THEN p_version + 1 ELSE p_version END;
        RETURN;
    END IF;

    INSERT INTO orleansstorage
        (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring, grainidextensionstring, serviceid,
         payloadbinary, modifiedon, version)
    VALUES
        (p_grainidhash, p_grainidn0, p_grainidn1, p_graintypehash, p_graintypestring, p_grainidextensionstring,
         p_serviceid, p_payloadbinary, now(), 1)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN QUERY SELECT CASE WHEN n > 0 THEN 1 ELSE NULL::integer END;
END
$$;

INSERT INTO orleansquery (querykey, querytext) VALUES
('WriteToStorageKey',
 'SELECT newgrainstateversion FROM prunercluster_write_grain_state(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash,
      @GrainTypeString, @GrainIdExtensionString, @ServiceId, CAST(@GrainStateVersion AS integer), @PayloadBinary)'),
('ReadFromStorageKey',
 'SELECT payloadbinary, now() AS readat, version
  FROM orleansstorage
  WHERE grainidhash = @GrainIdHash AND graintypehash = @GrainTypeHash
    AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1
    AND graintypestring = @GrainTypeString
    AND grainidextensionstring IS NOT DISTINCT FROM CAST(@GrainIdExtensionString AS varchar)
    AND serviceid = @ServiceId'),
('ClearStorageKey',
 'UPDATE orleansstorage
  SET payloadbinary = NULL, modifiedon = now(), version = version + 1
  WHERE grainidhash = @GrainIdHash AND graintypehash = @GrainTypeHash
    AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1
    AND graintypestring = @GrainTypeString
    AND grainidextensionstring IS NOT DISTINCT FROM CAST(@GrainIdExtensionString AS varchar)
    AND serviceid = @ServiceId
    AND version = CAST(@GrainStateVersion AS integer)
  RETURNING version AS newgrainstateversion'),
('DeleteStorageKey',
 'DELETE FROM orleansstorage
  WHERE grainidhash = @GrainIdHash AND graintypehash = @GrainTypeHash
    AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1
    AND graintypestring = @GrainTypeString
    AND grainidextensionstring IS NOT DISTINCT FROM CAST(@GrainIdExtensionString AS varchar)
    AND serviceid = @ServiceId
    AND version = CAST(@GrainStateVersion AS integer)
  RETURNING version + 1 AS newgrainstateversion');
