select
    id,
    tenant_id,
    external_id,
    email,
    phone_number,
    name,
    locale,
    timezone,
    properties,
    created_at,
    updated_at,
    deleted_at
from {{ source('raw', 'recipients') }}
