/**
 * The registry's change index: a write takes the next value when it publishes its
 * invalidation; a reader reports the value its data was read at. With shared state it is
 * the Postgres sequence `registry_change_index` (`PostgresRegistryIndex`), shared by every
 * replica and the CLI; with local state it is the in-process store's own counter.
 */
export abstract class RegistryIndex {
  /** SQL for the shared index's current value, to embed in a read so data and index come from one statement. */
  static readonly CURRENT_SQL = `(SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM registry_change_index)`;

  /** The index after a committed write. */
  abstract advance(): Promise<number>;

  abstract current(): Promise<number>;
}
