-- An in-app message is sent and delivered the moment it is written to the recipient's feed.
select
    id,
    tenant_id,
    'in_app' as channel_type,
    workflow_key,
    recipient_id,
    status as vendor_status,
    case status
        when 'created' then 'delivered'
        when 'seen' then 'seen'
        when 'read' then 'read'
        when 'clicked' then 'interacted'
        when 'archived' then 'archived'
    end as status,
    provider,
    data,
    cast(null as numeric(12, 6)) as cost,
    inserted_at,
    inserted_at as sent_at,
    inserted_at as delivered_at,
    seen_at,
    read_at,
    clicked_at as interacted_at,
    archived_at,
    updated_at
from {{ source('raw', 'in_app_messages') }}
