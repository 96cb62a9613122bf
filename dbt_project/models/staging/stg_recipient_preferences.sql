select
    tenant_id,
    recipient_id,
    workflow_key,
    channel_type,
    enabled as is_enabled,
    updated_at
from {{ source('raw', 'recipient_preferences') }}
