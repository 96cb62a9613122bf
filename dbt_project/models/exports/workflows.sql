-- Deleted workflows vanish from the source: only a key comparison can tell destinations.
select
    cast(id as uuid) as id,
    cast(tenant_id as varchar(64)) as tenant_id,
    cast(workflow_key as varchar(128)) as workflow_key,
    cast(name as text) as name,
    cast(description as text) as description,
    cast(categories as json) as categories,
    cast(version as integer) as version,
    cast(is_active as boolean) as is_active,
    cast(published_at as timestamp) as published_at,
    cast(created_at as timestamptz) as created_at,
    cast(updated_at as timestamptz) as updated_at
from {{ ref('stg_workflows') }}
