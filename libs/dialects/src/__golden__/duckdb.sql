-- duckdb SQL rendered from test/src/harness/fixtures/orders-model.ts.
-- Golden file: review every change by eye; update with `npx vitest run libs/dialects -u`.

-- orders: createTable
CREATE TABLE IF NOT EXISTS {target} (
  "tenant_id" VARCHAR NOT NULL,
  "order_id" BIGINT NOT NULL,
  "order" VARCHAR(32),
  "userid" UUID,
  "quantity" SMALLINT,
  "line_count" INTEGER,
  "amount" DECIMAL(38,9),
  "discount_rate" REAL,
  "weight_kg" DOUBLE,
  "is_gift" BOOLEAN,
  "ship_date" DATE,
  "ship_time" TIME,
  "placed_at" TIMESTAMP,
  "attributes" JSON,
  "note" VARCHAR,
  "updated_at" TIMESTAMPTZ NOT NULL,
  "deleted_at" TIMESTAMPTZ
);

-- orders: createStaging
CREATE TEMPORARY TABLE {staging} (
  "tenant_id" VARCHAR,
  "order_id" BIGINT,
  "order" VARCHAR(32),
  "userid" UUID,
  "quantity" SMALLINT,
  "line_count" INTEGER,
  "amount" DECIMAL(38,9),
  "discount_rate" REAL,
  "weight_kg" DOUBLE,
  "is_gift" BOOLEAN,
  "ship_date" DATE,
  "ship_time" TIME,
  "placed_at" TIMESTAMP,
  "attributes" JSON,
  "note" VARCHAR,
  "updated_at" TIMESTAMPTZ,
  "deleted_at" TIMESTAMPTZ
);

-- orders: createDeletedKeys
CREATE TEMPORARY TABLE {deleted_keys} (
  "tenant_id" VARCHAR,
  "order_id" BIGINT
);

-- orders: merge
MERGE INTO {target} AS t
USING (
  SELECT "tenant_id", "order_id", "order", "userid", "quantity", "line_count", "amount", "discount_rate", "weight_kg", "is_gift", "ship_date", "ship_time", "placed_at", "attributes", "note", "updated_at", "deleted_at" FROM {staging}
  QUALIFY CASE
    WHEN COUNT(*) OVER (PARTITION BY "tenant_id", "order_id") > 1 THEN error('ferry: staging holds more than one row for a primary key; stage one row per key')
    ELSE TRUE
  END
) AS s
ON t."tenant_id" = s."tenant_id" AND t."order_id" = s."order_id"
WHEN MATCHED AND (t."updated_at" IS NULL OR s."updated_at" IS NULL OR t."updated_at" <= s."updated_at")
  AND NOT (
    t."order" IS NOT DISTINCT FROM s."order"
    AND t."userid" IS NOT DISTINCT FROM s."userid"
    AND t."quantity" IS NOT DISTINCT FROM s."quantity"
    AND t."line_count" IS NOT DISTINCT FROM s."line_count"
    AND t."amount" IS NOT DISTINCT FROM s."amount"
    AND t."discount_rate" IS NOT DISTINCT FROM s."discount_rate"
    AND t."weight_kg" IS NOT DISTINCT FROM s."weight_kg"
    AND t."is_gift" IS NOT DISTINCT FROM s."is_gift"
    AND t."ship_date" IS NOT DISTINCT FROM s."ship_date"
    AND t."ship_time" IS NOT DISTINCT FROM s."ship_time"
    AND t."placed_at" IS NOT DISTINCT FROM s."placed_at"
    AND t."attributes" IS NOT DISTINCT FROM s."attributes"
    AND t."note" IS NOT DISTINCT FROM s."note"
    AND t."updated_at" IS NOT DISTINCT FROM s."updated_at"
    AND t."deleted_at" IS NOT DISTINCT FROM s."deleted_at"
  ) THEN UPDATE SET
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
DELETE FROM {target} AS t USING {deleted_keys} AS d
WHERE t."tenant_id" = d."tenant_id" AND t."order_id" = d."order_id";

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
    t."order" IS NOT DISTINCT FROM s."order"
    AND t."userid" IS NOT DISTINCT FROM s."userid"
    AND t."quantity" IS NOT DISTINCT FROM s."quantity"
    AND t."line_count" IS NOT DISTINCT FROM s."line_count"
    AND t."amount" IS NOT DISTINCT FROM s."amount"
    AND t."discount_rate" IS NOT DISTINCT FROM s."discount_rate"
    AND t."weight_kg" IS NOT DISTINCT FROM s."weight_kg"
    AND t."is_gift" IS NOT DISTINCT FROM s."is_gift"
    AND t."ship_date" IS NOT DISTINCT FROM s."ship_date"
    AND t."ship_time" IS NOT DISTINCT FROM s."ship_time"
    AND t."placed_at" IS NOT DISTINCT FROM s."placed_at"
    AND t."attributes" IS NOT DISTINCT FROM s."attributes"
    AND t."note" IS NOT DISTINCT FROM s."note"
    AND t."updated_at" IS NOT DISTINCT FROM s."updated_at"
    AND t."deleted_at" IS NOT DISTINCT FROM s."deleted_at"
  );

-- orders: maxCursor
SELECT CAST(MAX("updated_at") AS VARCHAR) AS max_cursor FROM {staging};

-- orders: countRows
SELECT COUNT(*) AS row_count FROM {target};

-- orders: selectRows
SELECT "tenant_id", "order_id", "order", "userid", "quantity", "line_count", "amount", "discount_rate", "weight_kg", "is_gift", "ship_date", "ship_time", "placed_at", "attributes", "note", "updated_at", "deleted_at" FROM {target};

-- orders: addColumn tenant_id
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "tenant_id" VARCHAR;

-- orders: addColumn order_id
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "order_id" BIGINT;

-- orders: addColumn order
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "order" VARCHAR(32);

-- orders: addColumn userId
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "userid" UUID;

-- orders: addColumn quantity
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "quantity" SMALLINT;

-- orders: addColumn line_count
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "line_count" INTEGER;

-- orders: addColumn amount
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "amount" DECIMAL(38,9);

-- orders: addColumn discount_rate
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "discount_rate" REAL;

-- orders: addColumn weight_kg
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "weight_kg" DOUBLE;

-- orders: addColumn is_gift
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "is_gift" BOOLEAN;

-- orders: addColumn ship_date
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "ship_date" DATE;

-- orders: addColumn ship_time
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "ship_time" TIME;

-- orders: addColumn placed_at
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "placed_at" TIMESTAMP;

-- orders: addColumn attributes
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "attributes" JSON;

-- orders: addColumn note
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "note" VARCHAR;

-- orders: addColumn updated_at
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "updated_at" TIMESTAMPTZ;

-- orders: addColumn deleted_at
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "deleted_at" TIMESTAMPTZ;

-- orders without a cursor: merge
MERGE INTO {target} AS t
USING (
  SELECT "tenant_id", "order_id", "order", "userid", "quantity", "line_count", "amount", "discount_rate", "weight_kg", "is_gift", "ship_date", "ship_time", "placed_at", "attributes", "note", "updated_at", "deleted_at" FROM {staging}
  QUALIFY CASE
    WHEN COUNT(*) OVER (PARTITION BY "tenant_id", "order_id") > 1 THEN error('ferry: staging holds more than one row for a primary key; stage one row per key')
    ELSE TRUE
  END
) AS s
ON t."tenant_id" = s."tenant_id" AND t."order_id" = s."order_id"
WHEN MATCHED AND NOT (
    t."order" IS NOT DISTINCT FROM s."order"
    AND t."userid" IS NOT DISTINCT FROM s."userid"
    AND t."quantity" IS NOT DISTINCT FROM s."quantity"
    AND t."line_count" IS NOT DISTINCT FROM s."line_count"
    AND t."amount" IS NOT DISTINCT FROM s."amount"
    AND t."discount_rate" IS NOT DISTINCT FROM s."discount_rate"
    AND t."weight_kg" IS NOT DISTINCT FROM s."weight_kg"
    AND t."is_gift" IS NOT DISTINCT FROM s."is_gift"
    AND t."ship_date" IS NOT DISTINCT FROM s."ship_date"
    AND t."ship_time" IS NOT DISTINCT FROM s."ship_time"
    AND t."placed_at" IS NOT DISTINCT FROM s."placed_at"
    AND t."attributes" IS NOT DISTINCT FROM s."attributes"
    AND t."note" IS NOT DISTINCT FROM s."note"
    AND t."updated_at" IS NOT DISTINCT FROM s."updated_at"
    AND t."deleted_at" IS NOT DISTINCT FROM s."deleted_at"
  ) THEN UPDATE SET
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
MERGE INTO {target} AS t
USING (
  SELECT "tenant_id", "order_id", "tag" FROM {staging}
  QUALIFY CASE
    WHEN COUNT(*) OVER (PARTITION BY "tenant_id", "order_id", "tag") > 1 THEN error('ferry: staging holds more than one row for a primary key; stage one row per key')
    ELSE TRUE
  END
) AS s
ON t."tenant_id" = s."tenant_id" AND t."order_id" = s."order_id" AND t."tag" = s."tag"
WHEN NOT MATCHED THEN INSERT ("tenant_id", "order_id", "tag") VALUES (s."tenant_id", s."order_id", s."tag");
