// Adds files to a folder: a file input labelled "Upload", or files dropped anywhere
// on the folder's listing. Each file goes up on its own request, with a progress bar.
import type { ComponentChildren } from 'preact';
import { useId, useState } from 'preact/hooks';
import { type ApiError, asApiError } from '../api/errors.js';
import { uploadFile } from '../api/upload.js';
import { markForbidden } from '../api/writeAccess.js';
import { ErrorNotice } from './ErrorNotice.js';

interface Props {
  bucket: string;
  prefix: string;
  onUploaded(key: string): void;
  children: ComponentChildren;
}

interface Upload {
  id: number;
  key: string;
  fraction: number;
  state: 'waiting' | 'sending' | 'done' | 'failed';
  error?: ApiError;
}

let nextId = 1;

export function UploadArea({ bucket, prefix, onUploaded, children }: Props) {
  const inputId = useId();
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [dragging, setDragging] = useState(false);
  const [announcement, setAnnouncement] = useState('');

  const update = (id: number, change: Partial<Upload>) => setUploads((list) => list.map((u) => (u.id === id ? { ...u, ...change } : u)));

  const send = async (files: File[]) => {
    const queued = files.map((file) => ({
      file,
      upload: { id: nextId++, key: prefix + file.name, fraction: 0, state: 'waiting' as const },
    }));
    // Finished uploads from before make room for the new ones.
    setUploads((list) => [...list.filter((u) => u.state !== 'done'), ...queued.map((q) => q.upload)]);
    // One at a time: the progress bars then tell the truth about each file.
    for (const { file, upload } of queued) {
      update(upload.id, { state: 'sending' });
      setAnnouncement(`Uploading ${upload.key}`);
      try {
        await uploadFile({ bucket, key: upload.key, file, onProgress: (fraction) => update(upload.id, { fraction }) });
        update(upload.id, { state: 'done', fraction: 1 });
        setAnnouncement(`Uploaded ${upload.key}`);
        onUploaded(upload.key);
      } catch (error) {
        const failure = asApiError(error);
        if (failure.code === 'FORBIDDEN') markForbidden(bucket);
        update(upload.id, { state: 'failed', error: failure });
        setAnnouncement(`Uploading ${upload.key} failed`);
      }
    }
  };

  const hasFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') ?? false;

  return (
    <section
      class={`drop-area${dragging ? ' dragging' : ''}`}
      aria-label="Folder contents; drop files here to upload them"
      onDragEnter={(event) => {
        if (hasFiles(event)) setDragging(true);
      }}
      onDragOver={(event) => {
        // Without this the browser would open the dropped file instead.
        if (hasFiles(event)) event.preventDefault();
      }}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={(event) => {
        event.preventDefault();
        setDragging(false);
        const files = [...(event.dataTransfer?.files ?? [])];
        if (files.length > 0) send(files);
      }}
    >
      <div class="upload-bar">
        <input
          id={inputId}
          class="file-input"
          type="file"
          multiple
          onChange={(event) => {
            const files = [...(event.currentTarget.files ?? [])];
            event.currentTarget.value = '';
            if (files.length > 0) send(files);
          }}
        />
        <label for={inputId} class="button">
          Upload
        </label>
        <span class="muted">or drop files here to add them to {prefix ? <code>{prefix}</code> : <strong>{bucket}</strong>}</span>
      </div>
      <p class="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
      {uploads.length > 0 && (
        <ul class="uploads">
          {uploads.map((upload) => (
            <li key={upload.id} class={`upload upload-${upload.state}`}>
              <label for={`upload-${upload.id}`}>{upload.key}</label>
              <progress id={`upload-${upload.id}`} max={1} value={upload.fraction} />
              <span class="upload-state">
                {upload.state === 'waiting' && 'waiting'}
                {upload.state === 'sending' && `${Math.round(upload.fraction * 100)}%`}
                {upload.state === 'done' && 'uploaded'}
                {upload.state === 'failed' && 'failed'}
              </span>
              {upload.error && <ErrorNotice error={upload.error} doing={`Uploading ${upload.key}`} />}
            </li>
          ))}
        </ul>
      )}
      {dragging && (
        <div class="drop-hint" aria-hidden="true">
          Drop to upload to {prefix || bucket}
        </div>
      )}
      {children}
    </section>
  );
}
