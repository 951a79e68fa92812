// The demo shop's back end: serves the shop page and creates PaymentIntents server-side with the
// secret key, as a real shop's server would. No dependencies beyond Node.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';

const port = Number(process.env.SHOP_PORT || 8788);
const gateway = process.env.GATEWAY_URL || 'http://127.0.0.1:8787';
const secretKey = process.env.TESSERA_SECRET_KEY;
const publishableKey = process.env.TESSERA_PUBLISHABLE_KEY;
if (!secretKey || !publishableKey) {
  console.error('shop: TESSERA_SECRET_KEY and TESSERA_PUBLISHABLE_KEY must be set');
  process.exit(2);
}
const page = (await readFile(new URL('./index.html', import.meta.url), 'utf8'))
  .replaceAll('__GATEWAY__', gateway)
  .replaceAll('__PUBLISHABLE_KEY__', publishableKey)
  .replaceAll('__WEBHOOKS__', process.env.WEBHOOK_RECEIVER_URL || '');

async function readJson(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) throw new Error('body too large');
  }
  return body ? JSON.parse(body) : {};
}

const server = createServer(async (req, res) => {
  try {
    if (req.method === 'GET' && (req.url === '/' || req.url.startsWith('/?'))) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end(page);
    }
    if (req.method === 'POST' && req.url === '/api/create-intent') {
      const { amount, currency } = await readJson(req);
      const form = new URLSearchParams({ amount: String(amount), currency: String(currency), 'metadata[source]': 'demo-shop' });
      const upstream = await fetch(`${gateway}/v1/payment_intents`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${secretKey}`, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form,
      });
      const intent = await upstream.json();
      res.writeHead(upstream.status, { 'Content-Type': 'application/json' });
      // Only what the browser needs: never the secret key.
      return res.end(JSON.stringify(upstream.ok ? { id: intent.id, client_secret: intent.client_secret } : intent));
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found');
  } catch (e) {
    res.writeHead(500, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: { message: String(e.message || e) } }));
  }
});
server.on('error', (e) => {
  console.error(e.code === 'EADDRINUSE' ? `shop: port ${port} is already in use (set SHOP_PORT)` : `shop: ${e.message}`);
  process.exit(1);
});
server.listen(port, '127.0.0.1', () => console.log(`shop: http://127.0.0.1:${port}`));
