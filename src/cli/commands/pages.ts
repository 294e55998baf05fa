/** @internal Every item of a paged service call. */
import type { Page } from '../../service/types.js';

/** Reads page after page until the last; a cursor that does not move ends it (a well-behaved store never returns one). */
export async function everyPage<T>(page: (cursor: string | null) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const next: Page<T> = await page(cursor);
    items.push(...next.items);
    cursor = next.nextCursor === cursor ? null : next.nextCursor;
  } while (cursor !== null);
  return items;
}
