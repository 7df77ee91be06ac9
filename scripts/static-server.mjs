// A minimal static file server on 127.0.0.1 (a random free port), for the browser tests and the
// demo: serves a folder with the MIME types browsers insist on for modules and wasm.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.ts': 'text/plain; charset=utf-8',
};

/** `immutable`: a path prefix whose files are content-hashed (a Vite build's /assets/) and served
 *  the way production serves them, cached for a year; everything else is no-store. */
export async function serveFolder(root, { port = 0, index = 'index.html', immutable } = {}) {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = normalize(join(base, path));
    if (!file.startsWith(base)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, index);
      const body = await readFile(file);
      const caching = immutable !== undefined && path.startsWith(immutable) ? 'public, max-age=31536000, immutable' : 'no-store';
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': caching });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((ok) => server.listen(port, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () =>
      new Promise((ok) => {
        server.close(ok);
        // Keep-alive connections of a page still open would hold the close back.
        server.closeAllConnections();
      }),
  };
}
