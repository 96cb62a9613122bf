-- redshift SQL rendered from test/src/harness/fixtures/orders-model.ts.
-- Golden file: review every change by eye; update with `npx vitest run libs/dialects -u`.

-- orders: createTable
CREATE TABLE IF NOT EXISTS {target} (
  "tenant_id" VARCHAR(65535) NOT NULL,
  "order_id" BIGINT NOT NULL,
  "order" VARCHAR(128),
  "userid" CHAR(36),
  "quantity" SMALLINT,
  "line_count" INTEGER,
  "amount" NUMERIC(38,9),
  "discount_rate" REAL,
  "weight_kg" DOUBLE PRECISION,
  "is_gift" BOOLEAN,
  "ship_date" DATE,
  "ship_time" TIME,
  "placed_at" TIMESTAMP,
  "attributes" SUPER,
  "note" VARCHAR(65535),
  "updated_at" TIMESTAMPTZ NOT NULL,
  "deleted_at" TIMESTAMPTZ,
  PRIMARY KEY ("tenant_id", "order_id")
);

-- orders: createStaging
CREATE TEMPORARY TABLE {staging} (
  "tenant_id" VARCHAR(65535),
  "order_id" BIGINT,
  "order" VARCHAR(128),
  "userid" CHAR(36),
  "quantity" SMALLINT,
  "line_count" INTEGER,
  "amount" NUMERIC(38,9),
  "discount_rate" REAL,
  "weight_kg" DOUBLE PRECISION,
  "is_gift" BOOLEAN,
  "ship_date" DATE,
  "ship_time" TIME,
  "placed_at" TIMESTAMP,
  "attributes" SUPER,
  "note" VARCHAR(65535),
  "updated_at" TIMESTAMPTZ,
  "deleted_at" TIMESTAMPTZ
);

-- orders: createDeletedKeys
CREATE TEMPORARY TABLE {deleted_keys} (
  "tenant_id" VARCHAR(65535),
  "order_id" BIGINT
);

-- orders: merge
-- Fails ("more than one row" from its subquery) when staging holds two rows for one primary key.
SELECT (
  SELECT 1 FROM (SELECT COUNT(*) OVER (PARTITION BY "tenant_id", "order_id") AS rows_per_key FROM {staging}) AS staged
  WHERE rows_per_key > 1
) AS ferry_duplicate_key_guard;

DELETE FROM {staging} USING {target}
WHERE {staging}."tenant_id" = {target}."tenant_id" AND {staging}."order_id" = {target}."order_id"
  AND (({target}."updated_at" IS NOT NULL AND {staging}."updated_at" IS NOT NULL AND {target}."updated_at" > {staging}."updated_at")
  OR (
    (({target}."order" IS NULL AND {staging}."order" IS NULL) OR ({target}."order" IS NOT NULL AND {staging}."order" IS NOT NULL AND {target}."order" = {staging}."order"))
    AND (({target}."userid" IS NULL AND {staging}."userid" IS NULL) OR ({target}."userid" IS NOT NULL AND {staging}."userid" IS NOT NULL AND {target}."userid" = {staging}."userid"))
    AND (({target}."quantity" IS NULL AND {staging}."quantity" IS NULL) OR ({target}."quantity" IS NOT NULL AND {staging}."quantity" IS NOT NULL AND {target}."quantity" = {staging}."quantity"))
    AND (({target}."line_count" IS NULL AND {staging}."line_count" IS NULL) OR ({target}."line_count" IS NOT NULL AND {staging}."line_count" IS NOT NULL AND {target}."line_count" = {staging}."line_count"))
    AND (({target}."amount" IS NULL AND {staging}."amount" IS NULL) OR ({target}."amount" IS NOT NULL AND {staging}."amount" IS NOT NULL AND {target}."amount" = {staging}."amount"))
    AND (({target}."discount_rate" IS NULL AND {staging}."discount_rate" IS NULL) OR ({target}."discount_rate" IS NOT NULL AND {staging}."discount_rate" IS NOT NULL AND {target}."discount_rate" = {staging}."discount_rate"))
    AND (({target}."weight_kg" IS NULL AND {staging}."weight_kg" IS NULL) OR ({target}."weight_kg" IS NOT NULL AND {staging}."weight_kg" IS NOT NULL AND {target}."weight_kg" = {staging}."weight_kg"))
    AND (({target}."is_gift" IS NULL AND {staging}."is_gift" IS NULL) OR ({target}."is_gift" IS NOT NULL AND {staging}."is_gift" IS NOT NULL AND {target}."is_gift" = {staging}."is_gift"))
    AND (({target}."ship_date" IS NULL AND {staging}."ship_date" IS NULL) OR ({target}."ship_date" IS NOT NULL AND {staging}."ship_date" IS NOT NULL AND {target}."ship_date" = {staging}."ship_date"))
    AND (({target}."ship_time" IS NULL AND {staging}."ship_time" IS NULL) OR ({target}."ship_time" IS NOT NULL AND {staging}."ship_time" IS NOT NULL AND {target}."ship_time" = {staging}."ship_time"))
    AND (({target}."placed_at" IS NULL AND {staging}."placed_at" IS NULL) OR ({target}."placed_at" IS NOT NULL AND {staging}."placed_at" IS NOT NULL AND {target}."placed_at" = {staging}."placed_at"))
    AND ((JSON_SERIALIZE({target}."attributes") IS NULL AND JSON_SERIALIZE({staging}."attributes") IS NULL) OR (JSON_SERIALIZE({target}."attributes") IS NOT NULL AND JSON_SERIALIZE({staging}."attributes") IS NOT NULL AND JSON_SERIALIZE({target}."attributes") = JSON_SERIALIZE({staging}."attributes")))
    AND (({target}."note" IS NULL AND {staging}."note" IS NULL) OR ({target}."note" IS NOT NULL AND {staging}."note" IS NOT NULL AND {target}."note" = {staging}."note"))
    AND (({target}."updated_at" IS NULL AND {staging}."updated_at" IS NULL) OR ({target}."updated_at" IS NOT NULL AND {staging}."updated_at" IS NOT NULL AND {target}."updated_at" = {staging}."updated_at"))
    AND (({target}."deleted_at" IS NULL AND {staging}."deleted_at" IS NULL) OR ({target}."deleted_at" IS NOT NULL AND {staging}."deleted_at" IS NOT NULL AND {target}."deleted_at" = {staging}."deleted_at"))
  ));

MERGE INTO {target} USING {staging} AS s
ON {target}."tenant_id" = s."tenant_id" AND {target}."order_id" = s."order_id"
WHEN MATCHED THEN UPDATE SET
  "order" = s."order",
  "userid" = s."userid",
  "quantity" = s."quantity",
  "line_count" = s."line_count",
  "amount" = s."amount",
  "discount_rate" = s."discount_rate",
  "weight_kg" = s."weight_kg",
  "is_gift" = s."is_gift",
  "ship_date" = s."ship_date",
  "ship_time" = s."ship_time",
  "placed_at" = s."placed_at",
  "attributes" = s."attributes",
  "note" = s."note",
  "updated_at" = s."updated_at",
  "deleted_at" = s."deleted_at"
WHEN NOT MATCHED THEN INSERT ("tenant_id", "order_id", "order", "userid", "quantity", "line_count", "amount", "discount_rate", "weight_kg", "is_gift", "ship_date", "ship_time", "placed_at", "attributes", "note", "updated_at", "deleted_at") VALUES (s."tenant_id", s."order_id", s."order", s."userid", s."quantity", s."line_count", s."amount", s."discount_rate", s."weight_kg", s."is_gift", s."ship_date", s."ship_time", s."placed_at", s."attributes", s."note", s."updated_at", s."deleted_at");

-- orders: deleteByKeys
DELETE FROM {target} USING {deleted_keys}
WHERE {target}."tenant_id" = {deleted_keys}."tenant_id" AND {target}."order_id" = {deleted_keys}."order_id";

-- orders: dropStaging
DROP TABLE IF EXISTS {staging};

-- orders: dropDeletedKeys
DROP TABLE IF EXISTS {deleted_keys};

-- orders: countNewRows
SELECT COUNT(*) AS new_rows FROM {staging} AS s
WHERE NOT EXISTS (SELECT 1 FROM {target} AS t WHERE t."tenant_id" = s."tenant_id" AND t."order_id" = s."order_id");

-- orders: purgeSoftDeleted
DELETE FROM {target} WHERE "deleted_at" IS NOT NULL;

-- orders: countNewSoftDeleted
SELECT COUNT(*) AS passing FROM {staging} AS s
WHERE s."deleted_at" IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM {target} AS t WHERE t."tenant_id" = s."tenant_id" AND t."order_id" = s."order_id");

-- orders: countLiveRowsFlagged
SELECT COUNT(*) AS flagged FROM {staging} AS s JOIN {target} AS t ON t."tenant_id" = s."tenant_id" AND t."order_id" = s."order_id"
WHERE s."deleted_at" IS NOT NULL AND t."deleted_at" IS NULL
  AND (t."updated_at" IS NULL OR s."updated_at" IS NULL OR t."updated_at" <= s."updated_at")
  AND NOT (
    ((t."order" IS NULL AND s."order" IS NULL) OR (t."order" IS NOT NULL AND s."order" IS NOT NULL AND t."order" = s."order"))
    AND ((t."userid" IS NULL AND s."userid" IS NULL) OR (t."userid" IS NOT NULL AND s."userid" IS NOT NULL AND t."userid" = s."userid"))
    AND ((t."quantity" IS NULL AND s."quantity" IS NULL) OR (t."quantity" IS NOT NULL AND s."quantity" IS NOT NULL AND t."quantity" = s."quantity"))
    AND ((t."line_count" IS NULL AND s."line_count" IS NULL) OR (t."line_count" IS NOT NULL AND s."line_count" IS NOT NULL AND t."line_count" = s."line_count"))
    AND ((t."amount" IS NULL AND s."amount" IS NULL) OR (t."amount" IS NOT NULL AND s."amount" IS NOT NULL AND t."amount" = s."amount"))
    AND ((t."discount_rate" IS NULL AND s."discount_rate" IS NULL) OR (t."discount_rate" IS NOT NULL AND s."discount_rate" IS NOT NULL AND t."discount_rate" = s."discount_rate"))
    AND ((t."weight_kg" IS NULL AND s."weight_kg" IS NULL) OR (t."weight_kg" IS NOT NULL AND s."weight_kg" IS NOT NULL AND t."weight_kg" = s."weight_kg"))
    AND ((t."is_gift" IS NULL AND s."is_gift" IS NULL) OR (t."is_gift" IS NOT NULL AND s."is_gift" IS NOT NULL AND t."is_gift" = s."is_gift"))
    AND ((t."ship_date" IS NULL AND s."ship_date" IS NULL) OR (t."ship_date" IS NOT NULL AND s."ship_date" IS NOT NULL AND t."ship_date" = s."ship_date"))
    AND ((t."ship_time" IS NULL AND s."ship_time" IS NULL) OR (t."ship_time" IS NOT NULL AND s."ship_time" IS NOT NULL AND t."ship_time" = s."ship_time"))
    AND ((t."placed_at" IS NULL AND s."placed_at" IS NULL) OR (t."placed_at" IS NOT NULL AND s."placed_at" IS NOT NULL AND t."placed_at" = s."placed_at"))
    AND ((JSON_SERIALIZE(t."attributes") IS NULL AND JSON_SERIALIZE(s."attributes") IS NULL) OR (JSON_SERIALIZE(t."attributes") IS NOT NULL AND JSON_SERIALIZE(s."attributes") IS NOT NULL AND JSON_SERIALIZE(t."attributes") = JSON_SERIALIZE(s."attributes")))
    AND ((t."note" IS NULL AND s."note" IS NULL) OR (t."note" IS NOT NULL AND s."note" IS NOT NULL AND t."note" = s."note"))
    AND ((t."updated_at" IS NULL AND s."updated_at" IS NULL) OR (t."updated_at" IS NOT NULL AND s."updated_at" IS NOT NULL AND t."updated_at" = s."updated_at"))
    AND ((t."deleted_at" IS NULL AND s."deleted_at" IS NULL) OR (t."deleted_at" IS NOT NULL AND s."deleted_at" IS NOT NULL AND t."deleted_at" = s."deleted_at"))
  );

-- orders: maxCursor
SELECT CAST(MAX("updated_at") AS VARCHAR) AS max_cursor FROM {staging};

-- orders: countRows
SELECT COUNT(*) AS row_count FROM {target};

-- orders: selectRows
SELECT "tenant_id", "order_id", "order", "userid", "quantity", "line_count", "amount", "discount_rate", "weight_kg", "is_gift", "ship_date", "ship_time", "placed_at", "attributes", "note", "updated_at", "deleted_at" FROM {target};

-- orders: addColumn tenant_id
ALTER TABLE {target} ADD COLUMN "tenant_id" VARCHAR(65535);

-- orders: addColumn order_id
ALTER TABLE {target} ADD COLUMN "order_id" BIGINT;

-- orders: addColumn order
ALTER TABLE {target} ADD COLUMN "order" VARCHAR(128);

-- orders: addColumn userId
ALTER TABLE {target} ADD COLUMN "userid" CHAR(36);

-- orders: addColumn quantity
ALTER TABLE {target} ADD COLUMN "quantity" SMALLINT;

-- orders: addColumn line_count
ALTER TABLE {target} ADD COLUMN "line_count" INTEGER;

-- orders: addColumn amount
ALTER TABLE {target} ADD COLUMN "amount" NUMERIC(38,9);

-- orders: addColumn discount_rate
ALTER TABLE {target} ADD COLUMN "discount_rate" REAL;

-- orders: addColumn weight_kg
ALTER TABLE {target} ADD COLUMN "weight_kg" DOUBLE PRECISION;

-- orders: addColumn is_gift
ALTER TABLE {target} ADD COLUMN "is_gift" BOOLEAN;

-- orders: addColumn ship_date
ALTER TABLE {target} ADD COLUMN "ship_date" DATE;

-- orders: addColumn ship_time
ALTER TABLE {target} ADD COLUMN "ship_time" TIME;

-- orders: addColumn placed_at
ALTER TABLE {target} ADD COLUMN "placed_at" TIMESTAMP;

-- orders: addColumn attributes
ALTER TABLE {target} ADD COLUMN "attributes" SUPER;

-- orders: addColumn note
ALTER TABLE {target} ADD COLUMN "note" VARCHAR(65535);

-- orders: addColumn updated_at
ALTER TABLE {target} ADD COLUMN "updated_at" TIMESTAMPTZ;

-- orders: addColumn deleted_at
ALTER TABLE {target} ADD COLUMN "deleted_at" TIMESTAMPTZ;

-- orders without a cursor: merge
-- Fails ("more than one row" from its subquery) when staging holds two rows for one primary key.
SELECT (
  SELECT 1 FROM (SELECT COUNT(*) OVER (PARTITION BY "tenant_id", "order_id") AS rows_per_key FROM {staging}) AS staged
  WHERE rows_per_key > 1
) AS ferry_duplicate_key_guard;

DELETE FROM {staging} USING {target}
WHERE {staging}."tenant_id" = {target}."tenant_id" AND {staging}."order_id" = {target}."order_id"
  AND ((
    (({target}."order" IS NULL AND {staging}."order" IS NULL) OR ({target}."order" IS NOT NULL AND {staging}."order" IS NOT NULL AND {target}."order" = {staging}."order"))
    AND (({target}."userid" IS NULL AND {staging}."userid" IS NULL) OR ({target}."userid" IS NOT NULL AND {staging}."userid" IS NOT NULL AND {target}."userid" = {staging}."userid"))
    AND (({target}."quantity" IS NULL AND {staging}."quantity" IS NULL) OR ({target}."quantity" IS NOT NULL AND {staging}."quantity" IS NOT NULL AND {target}."quantity" = {staging}."quantity"))
    AND (({target}."line_count" IS NULL AND {staging}."line_count" IS NULL) OR ({target}."line_count" IS NOT NULL AND {staging}."line_count" IS NOT NULL AND {target}."line_count" = {staging}."line_count"))
    AND (({target}."amount" IS NULL AND {staging}."amount" IS NULL) OR ({target}."amount" IS NOT NULL AND {staging}."amount" IS NOT NULL AND {target}."amount" = {staging}."amount"))
    AND (({target}."discount_rate" IS NULL AND {staging}."discount_rate" IS NULL) OR ({target}."discount_rate" IS NOT NULL AND {staging}."discount_rate" IS NOT NULL AND {target}."discount_rate" = {staging}."discount_rate"))
    AND (({target}."weight_kg" IS NULL AND {staging}."weight_kg" IS NULL) OR ({target}."weight_kg" IS NOT NULL AND {staging}."weight_kg" IS NOT NULL AND {target}."weight_kg" = {staging}."weight_kg"))
    AND (({target}."is_gift" IS NULL AND {staging}."is_gift" IS NULL) OR ({target}."is_gift" IS NOT NULL AND {staging}."is_gift" IS NOT NULL AND {target}."is_gift" = {staging}."is_gift"))
    AND (({target}."ship_date" IS NULL AND {staging}."ship_date" IS NULL) OR ({target}."ship_date" IS NOT NULL AND {staging}."ship_date" IS NOT NULL AND {target}."ship_date" = {staging}."ship_date"))
    AND (({target}."ship_time" IS NULL AND {staging}."ship_time" IS NULL) OR ({target}."ship_time" IS NOT NULL AND {staging}."ship_time" IS NOT NULL AND {target}."ship_time" = {staging}."ship_time"))
    AND (({target}."placed_at" IS NULL AND {staging}."placed_at" IS NULL) OR ({target}."placed_at" IS NOT NULL AND {staging}."placed_at" IS NOT NULL AND {target}."placed_at" = {staging}."placed_at"))
    AND ((JSON_SERIALIZE({target}."attributes") IS NULL AND JSON_SERIALIZE({staging}."attributes") IS NULL) OR (JSON_SERIALIZE({target}."attributes") IS NOT NULL AND JSON_SERIALIZE({staging}."attributes") IS NOT NULL AND JSON_SERIALIZE({target}."attributes") = JSON_SERIALIZE({staging}."attributes")))
    AND (({target}."note" IS NULL AND {staging}."note" IS NULL) OR ({target}."note" IS NOT NULL AND {staging}."note" IS NOT NULL AND {target}."note" = {staging}."note"))
    AND (({target}."updated_at" IS NULL AND {staging}."updated_at" IS NULL) OR ({target}."updated_at" IS NOT NULL AND {staging}."updated_at" IS NOT NULL AND {target}."updated_at" = {staging}."updated_at"))
    AND (({target}."deleted_at" IS NULL AND {staging}."deleted_at" IS NULL) OR ({target}."deleted_at" IS NOT NULL AND {staging}."deleted_at" IS NOT NULL AND {target}."deleted_at" = {staging}."deleted_at"))
  ));

MERGE INTO {target} USING {staging} AS s
ON {target}."tenant_id" = s."tenant_id" AND {target}."order_id" = s."order_id"
WHEN MATCHED THEN UPDATE SET
  "order" = s."order",
  "userid" = s."userid",
  "quantity" = s."quantity",
  "line_count" = s."line_count",
  "amount" = s."amount",
  "discount_rate" = s."discount_rate",
  "weight_kg" = s."weight_kg",
  "is_gift" = s."is_gift",
  "ship_date" = s."ship_date",
  "ship_time" = s."ship_time",
  "placed_at" = s."placed_at",
  "attributes" = s."attributes",
  "note" = s."note",
  "updated_at" = s."updated_at",
  "deleted_at" = s."deleted_at"
WHEN NOT MATCHED THEN INSERT ("tenant_id", "order_id", "order", "userid", "quantity", "line_count", "amount", "discount_rate", "weight_kg", "is_gift", "ship_date", "ship_time", "placed_at", "attributes", "note", "updated_at", "deleted_at") VALUES (s."tenant_id", s."order_id", s."order", s."userid", s."quantity", s."line_count", s."amount", s."discount_rate", s."weight_kg", s."is_gift", s."ship_date", s."ship_time", s."placed_at", s."attributes", s."note", s."updated_at", s."deleted_at");

-- order_tags, every column a key: merge
-- Fails ("more than one row" from its subquery) when staging holds two rows for one primary key.
SELECT (
  SELECT 1 FROM (SELECT COUNT(*) OVER (PARTITION BY "tenant_id", "order_id", "tag") AS rows_per_key FROM {staging}) AS staged
  WHERE rows_per_key > 1
) AS ferry_duplicate_key_guard;

DELETE FROM {staging} USING {target}
WHERE {staging}."tenant_id" = {target}."tenant_id" AND {staging}."order_id" = {target}."order_id" AND {staging}."tag" = {target}."tag";

INSERT INTO {target} ("tenant_id", "order_id", "tag")
SELECT "tenant_id", "order_id", "tag" FROM {staging};
