// Temporary folders and a loopback HTTP server for the file and URL tests.
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'webgrad-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface FileServer {
  /** Base URL, ending in '/'. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `files` (path → bytes or text) on 127.0.0.1; anything else is a 404. */
export async function serveFiles(files: Readonly<Record<string, Uint8Array | string>>): Promise<FileServer> {
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname.slice(1));
    const body = files[path];
    if (body === undefined) {
      res.writeHead(404, 'Not Found').end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
