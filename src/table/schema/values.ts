/**
 * How Strata holds one Iceberg value in memory (partition values, bounds, literals in predicates).
 * One representation per type, used everywhere in the table plane:
 *
 * | Iceberg type        | JS value                                   |
 * | ------------------- | ------------------------------------------ |
 * | boolean             | boolean                                    |
 * | int                 | number (32-bit integer)                    |
 * | long                | bigint                                     |
 * | float, double       | number                                     |
 * | decimal(P, S)       | bigint — the unscaled value (12.34 → 1234n at S=2) |
 * | date                | number — days since 1970-01-01             |
 * | time                | bigint — microseconds since midnight       |
 * | timestamp[tz]       | bigint — microseconds since the epoch (UTC)|
 * | string              | string                                     |
 * | uuid                | string — lowercase canonical 8-4-4-4-12    |
 * | fixed[L], binary    | Uint8Array                                 |
 *
 * `null` is the absent value.
 */
export type IcebergValue = boolean | number | bigint | string | Uint8Array | null;
