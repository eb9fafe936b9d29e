-- PrunerCluster schema, migration 1: the query catalog the Orleans ADO.NET providers read at start-up
-- ("SELECT QueryKey, QueryText FROM OrleansQuery"). Later migrations fill it.
CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey  varchar(64)   NOT NULL,
    querytext varchar(8000) NOT NULL,
    CONSTRAINT pk_orleansquery PRIMARY KEY (querykey)
);
