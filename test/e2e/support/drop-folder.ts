/**
 * Drops a folder on an element the way Chromium delivers one: a drop whose DataTransfer item gives a
 * directory entry (webkitGetAsEntry) to walk, with File and Directory Entries for its files and
 * sub-folders. A page cannot put a real folder into a DataTransfer, so the entries are built in the
 * page from the files' bytes; the app walks them with the same code as a real drop.
 */
import type { Locator } from '@playwright/test';

export interface FolderFile {
  /** Path inside the dropped folder, e.g. "fotos/green.png". */
  path: string;
  bytes: Buffer;
  type?: string;
}

/** The browser globals the page-side function uses (this file is typechecked without the DOM lib). */
interface PageGlobals {
  File: typeof File;
  Event: new (type: string, init: { bubbles: boolean; cancelable: boolean }) => object;
  atob(data: string): string;
}

export async function dropFolder(target: Locator, folder: string, files: FolderFile[]): Promise<void> {
  const list = files.map((f) => ({ path: f.path, base64: f.bytes.toString('base64'), type: f.type ?? '' }));
  await target.evaluate(
    (element, { folder, list }) => {
      const { File, Event, atob } = globalThis as unknown as PageGlobals;
      type Node = { name: string; isFile: boolean; isDirectory: boolean } & Record<string, unknown>;
      const directory = (name: string): Node & { children: Node[] } => {
        const children: Node[] = [];
        return {
          name,
          isFile: false,
          isDirectory: true,
          children,
          // Hands its children out in one batch, then an empty one, as Chromium's reader does.
          createReader: () => {
            let done = false;
            return {
              readEntries: (success: (entries: Node[]) => void) => {
                success(done ? [] : children);
                done = true;
              },
            };
          },
        };
      };
      const root = directory(folder);
      for (const { path, base64, type } of list) {
        const parts = path.split('/');
        let at = root;
        for (const part of parts.slice(0, -1)) {
          let next = at.children.find((c) => c.name === part) as typeof root | undefined;
          if (!next) {
            next = directory(part);
            at.children.push(next);
          }
          at = next;
        }
        const name = parts.at(-1) as string;
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const file = new File([bytes], name, { type });
        at.children.push({
          name,
          isFile: true,
          isDirectory: false,
          file: (success: (f: unknown) => void) => success(file),
        });
      }
      const dataTransfer = {
        types: ['Files'],
        files: [],
        dropEffect: 'none',
        items: [{ kind: 'file', webkitGetAsEntry: () => root, getAsFile: () => null }],
      };
      for (const type of ['dragenter', 'dragover', 'drop']) {
        const event = new Event(type, { bubbles: true, cancelable: true });
        Object.defineProperty(event, 'dataTransfer', { value: dataTransfer });
        (element as unknown as { dispatchEvent(e: object): boolean }).dispatchEvent(event);
      }
    },
    { folder, list },
  );
}
