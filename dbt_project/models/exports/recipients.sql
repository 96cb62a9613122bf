-- Soft-deleted recipients stay, with deleted_at set, so the delete reaches every destination.
-- email, phone_number and name are PII: modelled here for the vendor, never exported.
select
    cast(id as uuid) as id,
    cast(tenant_id as varchar(64)) as tenant_id,
    cast(external_id as text) as external_id,
    cast(email as text) as email,
    cast(phone_number as text) as phone_number,
    cast(name as text) as name,
    cast(locale as varchar(16)) as locale,
    cast(timezone as text) as timezone,
    cast(properties as json) as properties,
    cast(created_at as timestamptz) as created_at,
    cast(updated_at as timestamptz) as updated_at,
    cast(deleted_at as timestamptz) as deleted_at
from {{ ref('stg_recipients') }}
