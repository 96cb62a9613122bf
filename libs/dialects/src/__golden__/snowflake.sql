-- snowflake SQL rendered from test/src/harness/fixtures/orders-model.ts.
-- Golden file: review every change by eye; update with `npx vitest run libs/dialects -u`.

-- orders: createTable
CREATE TABLE IF NOT EXISTS {target} (
  "TENANT_ID" VARCHAR NOT NULL,
  "ORDER_ID" NUMBER(19,0) NOT NULL,
  "ORDER" VARCHAR(32),
  "USERID" VARCHAR(36),
  "QUANTITY" NUMBER(5,0),
  "LINE_COUNT" NUMBER(10,0),
  "AMOUNT" NUMBER(38,9),
  "DISCOUNT_RATE" FLOAT,
  "WEIGHT_KG" FLOAT,
  "IS_GIFT" BOOLEAN,
  "SHIP_DATE" DATE,
  "SHIP_TIME" TIME(6),
  "PLACED_AT" TIMESTAMP_NTZ(6),
  "ATTRIBUTES" VARIANT,
  "NOTE" VARCHAR,
  "UPDATED_AT" TIMESTAMP_TZ(6) NOT NULL,
  "DELETED_AT" TIMESTAMP_TZ(6),
  PRIMARY KEY ("TENANT_ID", "ORDER_ID")
);

-- orders: createStaging
CREATE TEMPORARY TABLE {staging} (
  "TENANT_ID" VARCHAR,
  "ORDER_ID" NUMBER(19,0),
  "ORDER" VARCHAR(32),
  "USERID" VARCHAR(36),
  "QUANTITY" NUMBER(5,0),
  "LINE_COUNT" NUMBER(10,0),
  "AMOUNT" NUMBER(38,9),
  "DISCOUNT_RATE" FLOAT,
  "WEIGHT_KG" FLOAT,
  "IS_GIFT" BOOLEAN,
  "SHIP_DATE" DATE,
  "SHIP_TIME" TIME(6),
  "PLACED_AT" TIMESTAMP_NTZ(6),
  "ATTRIBUTES" VARIANT,
  "NOTE" VARCHAR,
  "UPDATED_AT" TIMESTAMP_TZ(6),
  "DELETED_AT" TIMESTAMP_TZ(6)
);

-- orders: createDeletedKeys
CREATE TEMPORARY TABLE {deleted_keys} (
  "TENANT_ID" VARCHAR,
  "ORDER_ID" NUMBER(19,0)
);

-- orders: merge
-- Fails ("more than one row" from its subquery) when staging holds two rows for one primary key.
SELECT (
  SELECT 1 FROM (SELECT COUNT(*) OVER (PARTITION BY "TENANT_ID", "ORDER_ID") AS rows_per_key FROM {staging}) AS staged
  WHERE rows_per_key > 1
) AS ferry_duplicate_key_guard;

MERGE INTO {target} AS t USING {staging} AS s
ON t."TENANT_ID" = s."TENANT_ID" AND t."ORDER_ID" = s."ORDER_ID"
WHEN MATCHED AND (t."UPDATED_AT" IS NULL OR s."UPDATED_AT" IS NULL OR t."UPDATED_AT" <= s."UPDATED_AT")
  AND NOT (
    EQUAL_NULL(t."ORDER", s."ORDER")
    AND EQUAL_NULL(t."USERID", s."USERID")
    AND EQUAL_NULL(t."QUANTITY", s."QUANTITY")
    AND EQUAL_NULL(t."LINE_COUNT", s."LINE_COUNT")
    AND EQUAL_NULL(t."AMOUNT", s."AMOUNT")
    AND EQUAL_NULL(t."DISCOUNT_RATE", s."DISCOUNT_RATE")
    AND EQUAL_NULL(t."WEIGHT_KG", s."WEIGHT_KG")
    AND EQUAL_NULL(t."IS_GIFT", s."IS_GIFT")
    AND EQUAL_NULL(t."SHIP_DATE", s."SHIP_DATE")
    AND EQUAL_NULL(t."SHIP_TIME", s."SHIP_TIME")
    AND EQUAL_NULL(t."PLACED_AT", s."PLACED_AT")
    AND EQUAL_NULL(t."ATTRIBUTES", s."ATTRIBUTES")
    AND EQUAL_NULL(t."NOTE", s."NOTE")
    AND EQUAL_NULL(t."UPDATED_AT", s."UPDATED_AT")
    AND EQUAL_NULL(t."DELETED_AT", s."DELETED_AT")
  ) THEN UPDATE SET
  "ORDER" = s."ORDER",
  "USERID" = s."USERID",
  "QUANTITY" = s."QUANTITY",
  "LINE_COUNT" = s."LINE_COUNT",
  "AMOUNT" = s."AMOUNT",
  "DISCOUNT_RATE" = s."DISCOUNT_RATE",
  "WEIGHT_KG" = s."WEIGHT_KG",
  "IS_GIFT" = s."IS_GIFT",
  "SHIP_DATE" = s."SHIP_DATE",
  "SHIP_TIME" = s."SHIP_TIME",
  "PLACED_AT" = s."PLACED_AT",
  "ATTRIBUTES" = s."ATTRIBUTES",
  "NOTE" = s."NOTE",
  "UPDATED_AT" = s."UPDATED_AT",
  "DELETED_AT" = s."DELETED_AT"
WHEN NOT MATCHED THEN INSERT ("TENANT_ID", "ORDER_ID", "ORDER", "USERID", "QUANTITY", "LINE_COUNT", "AMOUNT", "DISCOUNT_RATE", "WEIGHT_KG", "IS_GIFT", "SHIP_DATE", "SHIP_TIME", "PLACED_AT", "ATTRIBUTES", "NOTE", "UPDATED_AT", "DELETED_AT") VALUES (s."TENANT_ID", s."ORDER_ID", s."ORDER", s."USERID", s."QUANTITY", s."LINE_COUNT", s."AMOUNT", s."DISCOUNT_RATE", s."WEIGHT_KG", s."IS_GIFT", s."SHIP_DATE", s."SHIP_TIME", s."PLACED_AT", s."ATTRIBUTES", s."NOTE", s."UPDATED_AT", s."DELETED_AT");

-- orders: deleteByKeys
DELETE FROM {target} USING {deleted_keys}
WHERE {target}."TENANT_ID" = {deleted_keys}."TENANT_ID" AND {target}."ORDER_ID" = {deleted_keys}."ORDER_ID";

-- orders: dropStaging
DROP TABLE IF EXISTS {staging};

-- orders: dropDeletedKeys
DROP TABLE IF EXISTS {deleted_keys};

-- orders: countNewRows
SELECT COUNT(*) AS new_rows FROM {staging} AS s
WHERE NOT EXISTS (SELECT 1 FROM {target} AS t WHERE t."TENANT_ID" = s."TENANT_ID" AND t."ORDER_ID" = s."ORDER_ID");

-- orders: purgeSoftDeleted
DELETE FROM {target} WHERE "DELETED_AT" IS NOT NULL;

-- orders: countNewSoftDeleted
SELECT COUNT(*) AS passing FROM {staging} AS s
WHERE s."DELETED_AT" IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM {target} AS t WHERE t."TENANT_ID" = s."TENANT_ID" AND t."ORDER_ID" = s."ORDER_ID");

-- orders: countLiveRowsFlagged
SELECT COUNT(*) AS flagged FROM {staging} AS s JOIN {target} AS t ON t."TENANT_ID" = s."TENANT_ID" AND t."ORDER_ID" = s."ORDER_ID"
WHERE s."DELETED_AT" IS NOT NULL AND t."DELETED_AT" IS NULL
  AND (t."UPDATED_AT" IS NULL OR s."UPDATED_AT" IS NULL OR t."UPDATED_AT" <= s."UPDATED_AT")
  AND NOT (
    EQUAL_NULL(t."ORDER", s."ORDER")
    AND EQUAL_NULL(t."USERID", s."USERID")
    AND EQUAL_NULL(t."QUANTITY", s."QUANTITY")
    AND EQUAL_NULL(t."LINE_COUNT", s."LINE_COUNT")
    AND EQUAL_NULL(t."AMOUNT", s."AMOUNT")
    AND EQUAL_NULL(t."DISCOUNT_RATE", s."DISCOUNT_RATE")
    AND EQUAL_NULL(t."WEIGHT_KG", s."WEIGHT_KG")
    AND EQUAL_NULL(t."IS_GIFT", s."IS_GIFT")
    AND EQUAL_NULL(t."SHIP_DATE", s."SHIP_DATE")
    AND EQUAL_NULL(t."SHIP_TIME", s."SHIP_TIME")
    AND EQUAL_NULL(t."PLACED_AT", s."PLACED_AT")
    AND EQUAL_NULL(t."ATTRIBUTES", s."ATTRIBUTES")
    AND EQUAL_NULL(t."NOTE", s."NOTE")
    AND EQUAL_NULL(t."UPDATED_AT", s."UPDATED_AT")
    AND EQUAL_NULL(t."DELETED_AT", s."DELETED_AT")
  );

-- orders: maxCursor
SELECT MAX("UPDATED_AT") AS max_cursor FROM {staging};

-- orders: countRows
SELECT COUNT(*) AS row_count FROM {target};

-- orders: selectRows
SELECT "TENANT_ID", "ORDER_ID", "ORDER", "USERID", "QUANTITY", "LINE_COUNT", "AMOUNT", "DISCOUNT_RATE", "WEIGHT_KG", "IS_GIFT", "SHIP_DATE", "SHIP_TIME", "PLACED_AT", "ATTRIBUTES", "NOTE", "UPDATED_AT", "DELETED_AT" FROM {target};

-- orders: addColumn tenant_id
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "TENANT_ID" VARCHAR;

-- orders: addColumn order_id
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "ORDER_ID" NUMBER(19,0);

-- orders: addColumn order
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "ORDER" VARCHAR(32);

-- orders: addColumn userId
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "USERID" VARCHAR(36);

-- orders: addColumn quantity
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "QUANTITY" NUMBER(5,0);

-- orders: addColumn line_count
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "LINE_COUNT" NUMBER(10,0);

-- orders: addColumn amount
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "AMOUNT" NUMBER(38,9);

-- orders: addColumn discount_rate
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "DISCOUNT_RATE" FLOAT;

-- orders: addColumn weight_kg
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "WEIGHT_KG" FLOAT;

-- orders: addColumn is_gift
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "IS_GIFT" BOOLEAN;

-- orders: addColumn ship_date
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "SHIP_DATE" DATE;

-- orders: addColumn ship_time
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "SHIP_TIME" TIME(6);

-- orders: addColumn placed_at
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "PLACED_AT" TIMESTAMP_NTZ(6);

-- orders: addColumn attributes
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "ATTRIBUTES" VARIANT;

-- orders: addColumn note
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "NOTE" VARCHAR;

-- orders: addColumn updated_at
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "UPDATED_AT" TIMESTAMP_TZ(6);

-- orders: addColumn deleted_at
ALTER TABLE {target} ADD COLUMN IF NOT EXISTS "DELETED_AT" TIMESTAMP_TZ(6);

-- orders without a cursor: merge
-- Fails ("more than one row" from its subquery) when staging holds two rows for one primary key.
SELECT (
  SELECT 1 FROM (SELECT COUNT(*) OVER (PARTITION BY "TENANT_ID", "ORDER_ID") AS rows_per_key FROM {staging}) AS staged
  WHERE rows_per_key > 1
) AS ferry_duplicate_key_guard;

MERGE INTO {target} AS t USING {staging} AS s
ON t."TENANT_ID" = s."TENANT_ID" AND t."ORDER_ID" = s."ORDER_ID"
WHEN MATCHED AND NOT (
    EQUAL_NULL(t."ORDER", s."ORDER")
    AND EQUAL_NULL(t."USERID", s."USERID")
    AND EQUAL_NULL(t."QUANTITY", s."QUANTITY")
    AND EQUAL_NULL(t."LINE_COUNT", s."LINE_COUNT")
    AND EQUAL_NULL(t."AMOUNT", s."AMOUNT")
    AND EQUAL_NULL(t."DISCOUNT_RATE", s."DISCOUNT_RATE")
    AND EQUAL_NULL(t."WEIGHT_KG", s."WEIGHT_KG")
    AND EQUAL_NULL(t."IS_GIFT", s."IS_GIFT")
    AND EQUAL_NULL(t."SHIP_DATE", s."SHIP_DATE")
    AND EQUAL_NULL(t."SHIP_TIME", s."SHIP_TIME")
    AND EQUAL_NULL(t."PLACED_AT", s."PLACED_AT")
    AND EQUAL_NULL(t."ATTRIBUTES", s."ATTRIBUTES")
    AND EQUAL_NULL(t."NOTE", s."NOTE")
    AND EQUAL_NULL(t."UPDATED_AT", s."UPDATED_AT")
    AND EQUAL_NULL(t."DELETED_AT", s."DELETED_AT")
  ) THEN UPDATE SET
  "ORDER" = s."ORDER",
  "USERID" = s."USERID",
  "QUANTITY" = s."QUANTITY",
  "LINE_COUNT" = s."LINE_COUNT",
  "AMOUNT" = s."AMOUNT",
  "DISCOUNT_RATE" = s."DISCOUNT_RATE",
  "WEIGHT_KG" = s."WEIGHT_KG",
  "IS_GIFT" = s."IS_GIFT",
  "SHIP_DATE" = s."SHIP_DATE",
  "SHIP_TIME" = s."SHIP_TIME",
  "PLACED_AT" = s."PLACED_AT",
  "ATTRIBUTES" = s."ATTRIBUTES",
  "NOTE" = s."NOTE",
  "UPDATED_AT" = s."UPDATED_AT",
  "DELETED_AT" = s."DELETED_AT"
WHEN NOT MATCHED THEN INSERT ("TENANT_ID", "ORDER_ID", "ORDER", "USERID", "QUANTITY", "LINE_COUNT", "AMOUNT", "DISCOUNT_RATE", "WEIGHT_KG", "IS_GIFT", "SHIP_DATE", "SHIP_TIME", "PLACED_AT", "ATTRIBUTES", "NOTE", "UPDATED_AT", "DELETED_AT") VALUES (s."TENANT_ID", s."ORDER_ID", s."ORDER", s."USERID", s."QUANTITY", s."LINE_COUNT", s."AMOUNT", s."DISCOUNT_RATE", s."WEIGHT_KG", s."IS_GIFT", s."SHIP_DATE", s."SHIP_TIME", s."PLACED_AT", s."ATTRIBUTES", s."NOTE", s."UPDATED_AT", s."DELETED_AT");

-- order_tags, every column a key: merge
-- Fails ("more than one row" from its subquery) when staging holds two rows for one primary key.
SELECT (
  SELECT 1 FROM (SELECT COUNT(*) OVER (PARTITION BY "TENANT_ID", "ORDER_ID", "TAG") AS rows_per_key FROM {staging}) AS staged
  WHERE rows_per_key > 1
) AS ferry_duplicate_key_guard;

MERGE INTO {target} AS t USING {staging} AS s
ON t."TENANT_ID" = s."TENANT_ID" AND t."ORDER_ID" = s."ORDER_ID" AND t."TAG" = s."TAG"
WHEN NOT MATCHED THEN INSERT ("TENANT_ID", "ORDER_ID", "TAG") VALUES (s."TENANT_ID", s."ORDER_ID", s."TAG");
