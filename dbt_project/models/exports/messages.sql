-- Casts pin every column to the type its enforced contract declares, on every engine.
select
    cast(id as uuid) as id,
    cast(tenant_id as varchar(64)) as tenant_id,
    cast(channel_type as varchar(16)) as channel_type,
    cast(workflow_key as varchar(128)) as workflow_key,
    cast(recipient_id as uuid) as recipient_id,
    cast(status as varchar(16)) as status,
    cast(vendor_status as varchar(32)) as vendor_status,
    cast(provider as text) as provider,
    cast(data as json) as data,
    cast(cost as numeric(12, 6)) as cost,
    cast(
        case when seen_at is not null or read_at is not null or interacted_at is not null then true else false end
        as boolean
    ) as is_engaged,
    cast(inserted_at as timestamptz) as inserted_at,
    cast(sent_at as timestamptz) as sent_at,
    cast(delivered_at as timestamptz) as delivered_at,
    cast(seen_at as timestamptz) as seen_at,
    cast(read_at as timestamptz) as read_at,
    cast(interacted_at as timestamptz) as interacted_at,
    cast(archived_at as timestamptz) as archived_at,
    cast(updated_at as timestamptz) as updated_at
from {{ ref('stg_messages') }}
