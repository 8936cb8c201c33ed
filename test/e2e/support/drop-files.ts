/**
 * Drops files on an element the way a user's drag does: a DataTransfer holding Files, then
 * dragenter, dragover and drop events on the target.
 */
import type { Locator, Page } from '@playwright/test';

export interface DroppedFile {
  name: string;
  text: string;
}

/** The browser globals the page-side function uses (this file is typechecked without the DOM lib). */
interface PageGlobals {
  DataTransfer: new () => { items: { add(file: File): unknown } };
  File: typeof File;
}

export async function dropFiles(page: Page, target: Locator, files: DroppedFile[]): Promise<void> {
  const dataTransfer = await page.evaluateHandle((list) => {
    const { DataTransfer, File } = globalThis as unknown as PageGlobals;
    const transfer = new DataTransfer();
    for (const file of list) transfer.items.add(new File([file.text], file.name, { type: 'text/markdown' }));
    return transfer;
  }, files);
  for (const type of ['dragenter', 'dragover', 'drop']) {
    await target.dispatchEvent(type, { dataTransfer });
  }
  await dataTransfer.dispose();
}
