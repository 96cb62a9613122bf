-- A chat message is delivered once posted to the channel; a reaction is the only engagement signal.
select
    id,
    tenant_id,
    'chat' as channel_type,
    workflow_key,
    recipient_id,
    status as vendor_status,
    case status
        when 'posted' then 'delivered'
        when 'failed' then 'undelivered'
        when 'reacted' then 'interacted'
    end as status,
    provider,
    data,
    cost,
    inserted_at,
    posted_at as sent_at,
    posted_at as delivered_at,
    cast(null as timestamptz) as seen_at,
    cast(null as timestamptz) as read_at,
    reacted_at as interacted_at,
    cast(null as timestamptz) as archived_at,
    updated_at
from {{ source('raw', 'chat_messages') }}
