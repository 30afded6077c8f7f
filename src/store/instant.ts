// How every table writes a moment in time: one text form on both engines, sortable as text.
// Its own module so the table declarations (schema.ts, access-schema.ts) share it without a cycle.

/** ISO-8601 UTC instant, e.g. `2026-01-01T00:00:00.000Z`: sortable as text on both engines. */
export type Instant = string;
