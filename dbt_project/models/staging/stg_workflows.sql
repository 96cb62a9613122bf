select
    id,
    tenant_id,
    key as workflow_key,
    name,
    description,
    categories,
    version,
    active as is_active,
    published_at,
    created_at,
    updated_at
from {{ source('raw', 'workflows') }}
