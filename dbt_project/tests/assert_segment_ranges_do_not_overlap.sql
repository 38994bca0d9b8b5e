-- segment_summary counts a scheme's clients by counting rows: each client must fall in one segment, so the
-- value ranges of a scheme's segments in the seed may not overlap (a NULL max_value is open-ended).
select a.scheme, a.segment, b.segment as overlapping_segment
from {{ ref('segments') }} as a
inner join {{ ref('segments') }} as b
    on a.scheme = b.scheme
    and a.segment < b.segment
    and a.min_value <= coalesce(b.max_value, 2147483647)
    and b.min_value <= coalesce(a.max_value, 2147483647)
