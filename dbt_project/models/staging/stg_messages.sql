-- Explicit columns: a union matches columns by position, and the channel models must not drift.
{%- set columns = [
    'id', 'tenant_id', 'channel_type', 'workflow_key', 'recipient_id', 'vendor_status', 'status',
    'provider', 'data', 'cost', 'inserted_at', 'sent_at', 'delivered_at', 'seen_at', 'read_at',
    'interacted_at', 'archived_at', 'updated_at',
] %}
{%- for channel in ['email', 'in_app', 'push', 'sms', 'chat'] %}
select {{ columns | join(', ') }}
from {{ ref('stg_' ~ channel ~ '_messages') }}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
