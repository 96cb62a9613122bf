select
    cast(tenant_id as varchar(64)) as tenant_id,
    cast(recipient_id as uuid) as recipient_id,
    cast(workflow_key as varchar(128)) as workflow_key,
    cast(channel_type as varchar(16)) as channel_type,
    cast(is_enabled as boolean) as is_enabled,
    cast(updated_at as timestamptz) as updated_at
from {{ ref('stg_recipient_preferences') }}
