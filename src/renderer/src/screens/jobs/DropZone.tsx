import { type DragEvent, useRef, useState } from 'react';
import { grabDrop, scriptFilesOf, scriptFilesOfList } from '../../lib/drop-data.ts';
import { MEDIA_NAMES, SCRIPT_EXTENSIONS } from '../../lib/script-files.ts';
import { useImportStore } from '../../stores/import-store.ts';

/** Folder pickers are non-standard attributes React does not type. */
const FOLDER_PICKER = { webkitdirectory: '', directory: '' } as Record<string, string>;

/**
 * Drop .md/.txt scripts, with the pictures, clips and music they name, or whole folders here; two
 * buttons open the file and folder pickers for those who use a keyboard (or prefer not to drag).
 */
export function DropZone() {
  const addFiles = useImportStore((state) => state.addFiles);
  const [dragging, setDragging] = useState(false);
  const filePicker = useRef<HTMLInputElement>(null);
  const folderPicker = useRef<HTMLInputElement>(null);

  const onDragOver = (event: DragEvent<HTMLElement>): void => {
    if (!Array.from(event.dataTransfer.types).includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    setDragging(true);
  };

  const onDrop = (event: DragEvent<HTMLElement>): void => {
    event.preventDefault();
    setDragging(false);
    // Must happen now: the browser empties the DataTransfer once this handler returns.
    const grabbed = grabDrop(event.dataTransfer);
    void scriptFilesOf(grabbed).then(addFiles);
  };

  const onPicked = (input: HTMLInputElement | null): void => {
    if (!input) return;
    const dropped = scriptFilesOfList(input.files);
    input.value = ''; // picking the same file again must fire change again
    void addFiles(dropped);
  };

  return (
    <section
      className={`drop-zone${dragging ? ' dragging' : ''}`}
      aria-label="Add scripts"
      data-testid="drop-zone"
      onDragEnter={onDragOver}
      onDragOver={onDragOver}
      onDragLeave={(event) => {
        // Moving over a child (a button) also fires dragleave on the zone: only leaving it counts.
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={onDrop}
    >
      <p>
        Drop scripts ({SCRIPT_EXTENSIONS.join(', ')}) with their pictures, clips and music, or a folder of
        them, here. Each is checked, and its media listed, before anything is queued.
      </p>
      <div className="row" style={{ justifyContent: 'center' }}>
        <button type="button" onClick={() => filePicker.current?.click()}>
          Choose script files…
        </button>
        <button type="button" onClick={() => folderPicker.current?.click()}>
          Choose a folder…
        </button>
      </div>
      <input
        ref={filePicker}
        type="file"
        multiple
        accept={`${[...SCRIPT_EXTENSIONS, ...MEDIA_NAMES].join(',')},text/markdown,text/plain`}
        className="visually-hidden"
        tabIndex={-1}
        aria-label="Script and media files"
        data-testid="file-input"
        onChange={(event) => onPicked(event.currentTarget)}
      />
      <input
        ref={folderPicker}
        type="file"
        {...FOLDER_PICKER}
        className="visually-hidden"
        tabIndex={-1}
        aria-label="Folder of scripts"
        onChange={(event) => onPicked(event.currentTarget)}
      />
    </section>
  );
}
