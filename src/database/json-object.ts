/**
 * The TypeScript type of a jsonb column that holds a JSON object. Plain `object`: TypeORM's
 * insert and update typing (`QueryDeepPartialEntity`) refuses interfaces and `unknown`
 * values under `Record<string, …>`; readers of such a column know its shape.
 */
export type JsonObject = object;
