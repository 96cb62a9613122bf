-- Carrier statuses (Twilio style): "failed" means the number cannot receive texts at all, the
-- SMS counterpart of a bounce; "undelivered" means this message did not arrive.
select
    id,
    tenant_id,
    'sms' as channel_type,
    workflow_key,
    recipient_id,
    status as vendor_status,
    case status
        when 'queued' then 'queued'
        when 'sent' then 'sent'
        when 'delivered' then 'delivered'
        when 'undelivered' then 'undelivered'
        when 'failed' then 'bounced'
    end as status,
    provider,
    data,
    cost,
    inserted_at,
    sent_at,
    delivered_at,
    cast(null as timestamptz) as seen_at,
    cast(null as timestamptz) as read_at,
    cast(null as timestamptz) as interacted_at,
    cast(null as timestamptz) as archived_at,
    updated_at
from {{ source('raw', 'sms_messages') }}
