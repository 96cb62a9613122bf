-- Rebuilt from scratch on every run, so it has no cursor: Ferry refreshes it in full.
with events_per_message as (
    select message_id, count(*) as event_count
    from {{ ref('message_events') }}
    group by message_id
),

per_day as (
    select
        messages.tenant_id,
        {{ utc_date('messages.inserted_at') }} as message_date,
        messages.channel_type,
        messages.workflow_key,
        count(*) as messages_total,
        sum(case when messages.delivered_at is not null then 1 else 0 end) as messages_delivered,
        sum(case when messages.status in ('bounced', 'undelivered') then 1 else 0 end) as messages_failed,
        sum(case when messages.seen_at is not null then 1 else 0 end) as messages_seen,
        sum(case when messages.read_at is not null then 1 else 0 end) as messages_read,
        sum(case when messages.interacted_at is not null then 1 else 0 end) as messages_interacted,
        sum(coalesce(events_per_message.event_count, 0)) as event_count,
        sum(messages.cost) as total_cost
    from {{ ref('messages') }} as messages
    left join events_per_message on events_per_message.message_id = messages.id
    group by 1, 2, 3, 4
)

select
    cast(tenant_id as varchar(64)) as tenant_id,
    cast(message_date as date) as message_date,
    cast(channel_type as varchar(16)) as channel_type,
    cast(workflow_key as varchar(128)) as workflow_key,
    cast(messages_total as integer) as messages_total,
    cast(messages_delivered as integer) as messages_delivered,
    cast(messages_failed as integer) as messages_failed,
    cast(messages_seen as integer) as messages_seen,
    cast(messages_read as integer) as messages_read,
    cast(messages_interacted as integer) as messages_interacted,
    cast(event_count as bigint) as event_count,
    cast(total_cost as numeric(14, 6)) as total_cost,
    cast({{ rounded_ratio('messages_interacted', 'messages_total', 4) }} as numeric(7, 4)) as interaction_rate
from per_day
