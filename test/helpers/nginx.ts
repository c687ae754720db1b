// Debian's nginx as a static distribution point on loopback, for tests: a private prefix,
// config and access log per test, stopped at teardown.
import type { ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDir } from './tmp.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1', () => { c.end(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(25);
  }
  throw new Error(`nothing listens on port ${port}`);
}

/** Debian's nginx serving `root` on loopback; returns its URL and access log path. */
export async function startNginx(t: ExecutionContext, root: string): Promise<{ url: string; accessLog: string }> {
  const prefix = await tempDir(t, 'tsm-nginx-');
  const port = await freePort();
  const accessLog = join(prefix, 'access.log');
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) await mkdir(join(prefix, d));
  await writeFile(join(prefix, 'nginx.conf'), `daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log;
events { worker_connections 64; }
http {
  types { application/json json; }
  default_type application/octet-stream;
  log_format dp '$request_method $uri $status "$http_range" $body_bytes_sent';
  access_log ${accessLog} dp;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location / { }
  }
}
`);
  const child = spawn('nginx', ['-e', join(prefix, 'error.log'), '-p', prefix, '-c', join(prefix, 'nginx.conf')], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  child.on('error', (e) => t.fail(`nginx could not be started (${e.message}); CI installs nginx-light in .ci/run`));
  t.teardown(async () => { child.kill('SIGQUIT'); await Promise.race([exited, sleep(3000)]); });
  await waitForPort(port);
  return { url: `http://127.0.0.1:${port}/`, accessLog };
}
