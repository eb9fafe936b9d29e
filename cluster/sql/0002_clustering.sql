-- PrunerCluster schema, migration 2: cluster membership (Microsoft.Orleans.Clustering.AdoNet 10.4).
-- One version row per cluster (DeploymentId = ClusterId); every membership change bumps it under optimistic concurrency.
CREATE TABLE orleansmembershipversiontable
(
    deploymentid varchar(150)   NOT NULL,
    timestamp    timestamptz(3) NOT NULL DEFAULT now(),
    version      integer        NOT NULL DEFAULT 0,
    CONSTRAINT pk_orleansmembershipversiontable PRIMARY KEY (deploymentid)
);

CREATE TABLE orleansmembershiptable
(
    deploymentid varchar(150)   NOT NULL,
    address      varchar(45)    NOT NULL,
    port         integer        NOT NULL,
    generation   integer        NOT NULL,
    siloname     varchar(150)   NOT NULL,
    hostname     varchar(150)   NOT NULL,
    status       integer        NOT NULL,
    proxyport    integer        NULL,
    suspecttimes varchar(8000)  NULL,
    starttime    timestamptz(3) NOT NULL,
    iamalivetime timestamptz(3) NOT NULL,
    CONSTRAINT pk_orleansmembershiptable PRIMARY KEY (deploymentid, address, port, generation),
    CONSTRAINT fk_orleansmembershiptable_version FOREIGN KEY (deploymentid)
        REFERENCES orleansmembershipversiontable (deploymentid)
);

-- Inserts the cluster's version row once; returns 1 when this call created it, 0 when it existed.
CREATE FUNCTION prunercluster_insert_membership_version(p_deploymentid varchar)
    RETURNS TABLE(row_count integer)
    LANGUAGE plpgsql AS
$$
DECLARE
    n integer;
BEGIN
    INSERT INTO orleansmembershipversiontable (deploymentid)
    VALUES (p_deploymentid)
    ON CONFLICT (deploymentid) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN QUERY SELECT n;
END
$$;

-- Adds a silo row if the caller saw the current table version; the row and the version bump commit together or not at all.
CREATE FUNCTION prunercluster_insert_membership(
    p_deploymentid varchar, p_address varchar, p_port integer, p_generation integer, p_siloname varchar,
    p_hostname varchar, p_status integer, p_proxyport integer, p_starttime timestamptz, p_iamalivetime timestamptz,
    p_version integer)
    RETURNS TABLE(row_count integer)
    LANGUAGE plpgsql AS
$$
DECLARE
    n integer;
BEGIN
    UPDATE orleansmembershipversiontable
    SET version = version + 1, timestamp = now()
    WHERE deploymentid = p_deploymentid AND version = p_version;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 0 THEN
        RETURN QUERY SELECT 0;
        RETURN;
    END IF;

    INSERT INTO orleansmembershiptable
        (deploymentid, address, port, generation, siloname, hostname, status, proxyport, starttime, iamalivetime)
    VALUES
        (p_deploymentid, p_address, p_port, p_generation, p_siloname, p_hostname, p_status, p_proxyport, p_starttime, p_iamalivetime)
    ON CONFLICT (deploymentid, address, port, generation) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 0 THEN
        -- Undo the version bump: a row for this silo already exists.
        RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'prunercluster: membership row exists';
    END IF;

    RETURN QUERY SELECT 1;
EXCEPTION
    WHEN SQLSTATE 'P0001' THEN
        RETURN QUERY SELECT 0;
END
$$;

-- Updates a silo row if the caller saw the current table version (same all-or-nothing rule).
CREATE FUNCTION prunercluster_update_membership(
    p_deploymentid varchar, p_address varchar, p_port integer, p_generation integer, p_status integer,
    p_suspecttimes varchar, p_iamalivetime timestamptz, p_version integer)
    RETURNS TABLE(row_count integer)
    LANGUAGE plpgsql AS
$$
DECLARE
    n integer;
BEGIN
    UPDATE orleansmembershipversiontable
    SET version = version + 1, timestamp = now()
    WHERE deploymentid = p_deploymentid AND version = p_version;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 0 THEN
        RETURN QUERY SELECT 0;
        RETURN;
    END IF;

    UPDATE orleansmembershiptable
    SET status = p_status, suspecttimes = p_suspecttimes, iamalivetime = p_iamalivetime
    WHERE deploymentid = p_deploymentid AND address = p_address AND port = p_port AND generation = p_generation;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'prunercluster: membership row missing';
    END IF;

    RETURN QUERY SELECT 1;
EXCEPTION
    WHEN SQLSTATE 'P0001' THEN
        RETURN QUERY SELECT 0;
END
$$;

INSERT INTO orleansquery (querykey, querytext) VALUES
('InsertMembershipVersionKey',
 'SELECT row_count FROM prunercluster_insert_membership_version(@DeploymentId)'),
('InsertMembershipKey',
 'SELECT row_count FROM prunercluster_insert_membership(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version)'),
('UpdateMembershipKey',
 'SELECT row_count FROM prunercluster_update_membership(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes, @IAmAliveTime, @Version)'),
('UpdateIAmAlivetimeKey',
 'UPDATE orleansmembershiptable SET iamalivetime = @IAmAliveTime
  WHERE deploymentid = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation'),
('MembershipReadRowKey',
 'SELECT v.deploymentid, m.address, m.port, m.generation, m.siloname, m.hostname, m.status, m.proxyport,
         m.suspecttimes, m.starttime, m.iamalivetime, v.version
  FROM orleansmembershipversiontable v
  LEFT JOIN orleansmembershiptable m
         ON m.deploymentid = v.deploymentid AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
  WHERE v.deploymentid = @DeploymentId'),
('MembershipReadAllKey',
 'SELECT v.deploymentid, m.address, m.port, m.generation, m.siloname, m.hostname, m.status, m.proxyport,
         m.suspecttimes, m.starttime, m.iamalivetime, v.version
  FROM orleansmembershipversiontable v
  LEFT JOIN orleansmembershiptable m ON m.deploymentid = v.deploymentid
  WHERE v.deploymentid = @DeploymentId'),
('DeleteMembershipTableEntriesKey',
 'DELETE FROM orleansmembershiptable WHERE deploymentid = @DeploymentId;
  DELETE FROM orleansmembershipversiontable WHERE deploymentid = @DeploymentId'),
('GatewaysQueryKey',
 'SELECT address, proxyport, generation FROM orleansmembershiptable
  WHERE deploymentid = @DeploymentId AND status = @Status AND proxyport > 0'),
('CleanupDefunctSiloEntriesKey',
 'DELETE FROM orleansmembershiptable
  WHERE deploymentid = @DeploymentId AND iamalivetime < @IAmAliveTime AND starttime < @IAmAliveTime AND status = 6'),
('CleanupDefunctSiloEntryKey',
 'DELETE FROM orleansmembershiptable
  WHERE deploymentid = @DeploymentId AND status = 6
    AND address = @Address AND port = @Port AND generation = @Generation
    AND iamalivetime = @IAmAliveTime AND starttime = @StartTime
    AND COALESCE(suspecttimes, '''') = COALESCE(CAST(@SuspectTimes AS varchar), '''')');
