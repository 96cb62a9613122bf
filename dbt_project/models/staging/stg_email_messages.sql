-- Provider events (SendGrid style): "processed" means handed to the provider, "dropped" that it
-- never tried to deliver, "open" that the recipient read the email.
select
    id,
    tenant_id,
    'email' as channel_type,
    workflow_key,
    recipient_id,
    status as vendor_status,
    case status
        when 'processed' then 'sent'
        when 'delivered' then 'delivered'
        when 'open' then 'read'
        when 'click' then 'interacted'
        when 'bounce' then 'bounced'
        when 'dropped' then 'undelivered'
    end as status,
    provider,
    data,
    cost,
    inserted_at,
    processed_at as sent_at,
    delivered_at,
    cast(null as timestamptz) as seen_at,
    opened_at as read_at,
    clicked_at as interacted_at,
    cast(null as timestamptz) as archived_at,
    updated_at
from {{ source('raw', 'email_messages') }}
