/** One benchmark result row, as `npm run bench` prints it and writes it to JSON. */
export interface BenchRow {
  /** What was measured. */
  name: string;
  /** Unit of `median` and `limit` (e.g. `ops/s`). */
  unit: string;
  /** Median over rounds. */
  median: number;
  /** The reference measured in the same run, when there is one. */
  limit?: number;
  /** median / limit. */
  ratio?: number;
  /** Anything a reader needs to interpret the row. */
  note?: string;
}
