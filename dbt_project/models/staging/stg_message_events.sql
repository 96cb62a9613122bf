select
    id,
    tenant_id,
    message_id,
    channel_type,
    event_type,
    occurred_at,
    properties
from {{ source('raw', 'message_events') }}
