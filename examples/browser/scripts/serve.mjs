// A small static server for dist/ (node:http only).
// Usage: node scripts/serve.mjs [--port 8080] [--host 127.0.0.1] [--no-isolation]
// By default the page is cross-origin isolated (COOP/COEP headers): browsers then allow SharedArrayBuffer, so
// tfjs runs its multi-threaded wasm build; without isolation the page falls back to the single-threaded one.
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const defaultRoot = join(here, '..', 'dist');

/** @type {Record<string, string>} */
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  // tfjs compiles the backend with WebAssembly.instantiateStreaming, which requires this type.
  '.wasm': 'application/wasm',
  '.wav': 'audio/wav',
  '.csv': 'text/csv; charset=utf-8',
};

/**
 * Serves `root` on `host:port` (port 0: any free port), cross-origin isolated unless `isolate` is false.
 * Resolves once listening.
 * @param {{ root?: string, port?: number, host?: string, isolate?: boolean }} [options]
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function startServer({
  root = defaultRoot,
  port = 8080,
  host = '127.0.0.1',
  isolate = true,
} = {}) {
  const rootStat = await stat(root).catch(() => null);
  if (!rootStat?.isDirectory()) throw new Error(`${root}: no such folder (build the page first: pnpm build)`);
  /** @type {Record<string, string>} */
  const isolation = isolate
    ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }
    : {};
  const server = createServer(async (request, response) => {
    try {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
      const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
      // Never serve anything outside root (e.g. /../package.json).
      if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) {
        response.writeHead(403).end('forbidden');
        return;
      }
      const body = await readFile(file).catch(() => null);
      if (body === null) {
        response.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${path}`);
        return;
      }
      response.writeHead(200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Length': body.length,
        'Cache-Control': 'no-cache',
        ...isolation,
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch (error) {
      response.writeHead(500).end(String(error));
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${actualPort}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argument = (/** @type {string} */ name, /** @type {string} */ fallback) => {
    const at = process.argv.indexOf(name);
    return at >= 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
  };
  const port = Number(argument('--port', process.env.PORT ?? '8080'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port: expected 0..65535, got ${argument('--port', '')}`);
    process.exit(2);
  }
  const isolate = !process.argv.includes('--no-isolation');
  startServer({ port, host: argument('--host', '127.0.0.1'), isolate })
    .then(({ url }) =>
      console.log(
        `serving ${defaultRoot} at ${url}${isolate ? '' : ' without cross-origin isolation'} (Ctrl-C to stop)`,
      ),
    )
    .catch((error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
