/** Registers our search attributes on a namespace if missing (the CLI flag only applies to a new DB file). */
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../../shared/search-attributes';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;
const TYPES = {
  Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Int: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  Bool: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
} as const;

export async function ensureSearchAttributes(address: string, namespace: string): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const known = new Set(Object.keys(existing.customAttributes ?? {}));
    const missing = SEARCH_ATTRIBUTES.filter((sa) => !known.has(sa.name));
    if (missing.length === 0) return [];
    const searchAttributes = Object.fromEntries(missing.map((sa) => [sa.name, TYPES[sa.cliType]]));
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
    return missing.map((sa) => sa.name);
  } finally {
    await connection.close();
  }
}
