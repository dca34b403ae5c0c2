/** camelCase / kebab / spaced → snake_case, the form feature and column names take. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase()
}

/**
 * The stable output name of one (field, aggregator, window): `speed_kmh_mean_15m`. Names are part of the
 * registry's contract with the stores and the model, so this function must never change its output.
 */
export function featureName(field: string, aggregatorId: string, windowLabel: string): string {
  return `${snakeCase(field)}_${snakeCase(aggregatorId)}_${windowLabel}`
}
