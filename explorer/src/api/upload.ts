// Uploads a file with the GraphQL multipart request spec (`operations`, `map`, then
// the file part) through XMLHttpRequest: fetch cannot report upload progress.
import { UploadFileDocument, type UploadFileMutation } from '../gql/graphql.js';
import { authHeaders } from './auth.js';
import { ENDPOINT, objectRoutingHeader, queryText, readAnswer } from './client.js';
import { ApiError, NETWORK_ERROR } from './errors.js';

export interface UploadRequest {
  bucket: string;
  key: string;
  file: File;
  /** Called with the fraction (0..1) of the file's bytes sent so far. */
  onProgress(fraction: number): void;
  signal?: AbortSignal;
}

export function uploadFile({ bucket, key, file, onProgress, signal }: UploadRequest): Promise<UploadFileMutation['uploadFile']> {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: queryText(UploadFileDocument), variables: { bucket, key, file: null } }));
  form.append('map', JSON.stringify({ 0: ['variables.file'] }));
  form.append('0', file, file.name);

  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', ENDPOINT);
    // The server refuses multipart requests without it: a plain HTML form on another
    // site cannot set a custom header, so this proves the request is not a CSRF.
    xhr.setRequestHeader('x-graphql-yoga-csrf', '1');
    xhr.setRequestHeader('accept', 'application/graphql-response+json, application/json');
    for (const [name, value] of Object.entries({ ...objectRoutingHeader({ bucket, key }), ...authHeaders() })) {
      xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      try {
        resolve(readAnswer<UploadFileMutation>(xhr.status, xhr.responseText).uploadFile);
      } catch (error) {
        reject(error);
      }
    };
    xhr.onerror = () => reject(new ApiError(NETWORK_ERROR, 'The upload was interrupted.'));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}
