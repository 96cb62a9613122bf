-- APNs and FCM confirm no delivery, and a push is only "opened" when tapped: an interaction.
select
    id,
    tenant_id,
    'push' as channel_type,
    workflow_key,
    recipient_id,
    status as vendor_status,
    case status
        when 'sent' then 'sent'
        when 'opened' then 'interacted'
        when 'failed' then 'undelivered'
    end as status,
    provider,
    data,
    cost,
    inserted_at,
    sent_at,
    cast(null as timestamptz) as delivered_at,
    cast(null as timestamptz) as seen_at,
    cast(null as timestamptz) as read_at,
    opened_at as interacted_at,
    cast(null as timestamptz) as archived_at,
    updated_at
from {{ source('raw', 'push_messages') }}
