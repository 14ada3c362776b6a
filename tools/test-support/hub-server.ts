/**
 * A local stand-in for the Hugging Face Hub (and a plain file server) for download tests: listens
 * on 127.0.0.1 only, serves files with the Hub's URL layout and headers, and can misbehave on
 * purpose (truncate, stall, declare a wrong sha256). Nothing reaches the internet.
 *
 * - `/<owner>/<repo>/resolve/<revision>/<file>`: an LFS file answers 302 to `/cdn/...` with
 *   `x-linked-etag: "<sha256>"` and `x-linked-size`, as the Hub does; a non-LFS file answers 200
 *   with a git-style (sha1) etag; an unknown one 404.
 * - `/cdn/<owner>/<repo>/<file>`: the bytes, `etag: "<sha256>"`, `content-length`.
 * - `/files/<name>`: the bytes with `content-length` only (an ordinary https server).
 */
import { createHash } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ServedFile {
  bytes: Uint8Array;
  /** Stored in LFS (redirect with x-linked-* headers). Default true. */
  lfs?: boolean;
  /** 'truncate': declares the full size, sends half, drops the connection; 'stall': sends headers, then nothing; 'wrong-sha': declares another sha256. */
  misbehave?: 'truncate' | 'stall' | 'wrong-sha';
}

export interface HubServer {
  /** `http://127.0.0.1:<port>`: the endpoint to give as ATTNKIT_HF_ENDPOINT / hfEndpoint. */
  url: string;
  /** Every request path, in order. */
  requests: string[];
  close(): Promise<void>;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** `hub` maps `owner/repo` to its files by name; `files` are served under `/files/<name>`. */
export async function startHubServer(hub: Record<string, Record<string, ServedFile>>, files: Record<string, ServedFile> = {}): Promise<HubServer> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const send = (response: ServerResponse, file: ServedFile, headers: Record<string, string>) => {
    const { bytes, misbehave } = file;
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.byteLength), ...headers });
    if (misbehave === 'stall') {
      response.flushHeaders();
      return;
    }
    if (misbehave === 'truncate') {
      response.write(bytes.subarray(0, bytes.byteLength >> 1), () => response.socket?.destroy());
      return;
    }
    response.end(bytes);
  };
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    requests.push(path);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/[^/]+\/(.+)$/.exec(path);
    const cdn = /^\/cdn\/([^/]+\/[^/]+)\/(.+)$/.exec(path);
    const plain = /^\/files\/(.+)$/.exec(path);
    const [repo, name] = resolve !== null ? [resolve[1], resolve[2]] : cdn !== null ? [cdn[1], cdn[2]] : [undefined, undefined];
    const file = plain !== null ? files[plain[1]] : repo !== undefined && name !== undefined ? hub[repo]?.[name] : undefined;
    if (file === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain', 'x-error-code': 'EntryNotFound' }).end('Entry not found');
      return;
    }
    const declared = file.misbehave === 'wrong-sha' ? sha256(new TextEncoder().encode('something else')) : sha256(file.bytes);
    if (plain !== null) return send(response, file, {});
    if (resolve !== null && file.lfs !== false) {
      response
        .writeHead(302, { location: `/cdn/${repo}/${name}`, 'x-linked-etag': `"${declared}"`, 'x-linked-size': String(file.bytes.byteLength), 'content-length': '0' })
        .end();
      return;
    }
    const etag = resolve !== null ? createHash('sha1').update(file.bytes).digest('hex') : declared;
    send(response, file, { etag: `"${etag}"` });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
