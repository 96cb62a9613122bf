select
    cast(id as bigint) as id,
    cast(tenant_id as varchar(64)) as tenant_id,
    cast(message_id as uuid) as message_id,
    cast(channel_type as varchar(16)) as channel_type,
    cast(event_type as varchar(32)) as event_type,
    cast(occurred_at as timestamptz) as occurred_at,
    cast(properties as json) as properties
from {{ ref('stg_message_events') }}
