import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface StoredMessage {
  readonly id: string;
  readonly body: string;
  /** Hidden until this time (ms), after a receive. */
  visibleAt: number;
  handle?: string;
}

/** What the tests look at: the queue's messages and the calls made. */
export interface LoopbackSqs {
  readonly queueUrl: string;
  readonly calls: string[];
  send(body: string): void;
  /** Bodies still in the queue, visible now or not. */
  bodies(): string[];
  /** Bodies a receive would return now. */
  visibleBodies(): string[];
  close(): Promise<void>;
}

const readBody = (request: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });

/**
 * One SQS queue on a loopback port, speaking the AWS JSON 1.0 protocol the SDK uses: ReceiveMessage (with the
 * visibility timeout and the body's MD5 the client checks), DeleteMessage and ChangeMessageVisibility.
 */
export async function startLoopbackSqs(): Promise<LoopbackSqs> {
  const messages: StoredMessage[] = [];
  const calls: string[] = [];
  const server: Server = createServer(async (request, response) => {
    const operation = String(request.headers['x-amz-target'] ?? '').replace('AmazonSQS.', '');
    const input = JSON.parse((await readBody(request)) || '{}');
    calls.push(operation);
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify(body));
    };
    const byHandle = () => messages.find((message) => message.handle === input.ReceiptHandle);
    switch (operation) {
      case 'ReceiveMessage': {
        const now = Date.now();
        const visible = messages
          .filter((message) => message.visibleAt <= now)
          .slice(0, input.MaxNumberOfMessages ?? 1);
        for (const message of visible) {
          message.visibleAt = now + (input.VisibilityTimeout ?? 30) * 1000;
          message.handle = randomUUID();
        }
        return reply(200, {
          Messages: visible.map((message) => ({
            MessageId: message.id,
            ReceiptHandle: message.handle,
            Body: message.body,
            MD5OfBody: createHash('md5').update(message.body).digest('hex'),
          })),
        });
      }
      case 'DeleteMessage': {
        const message = byHandle();
        if (message) messages.splice(messages.indexOf(message), 1);
        return reply(200, {});
      }
      case 'ChangeMessageVisibility': {
        const message = byHandle();
        if (message) message.visibleAt = Date.now() + (input.VisibilityTimeout ?? 0) * 1000;
        return reply(200, {});
      }
      default:
        return reply(400, { __type: 'com.amazonaws.sqs#UnsupportedOperation', message: operation });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    queueUrl: `http://127.0.0.1:${port}/000000000000/receipt-gate-on-failure`,
    calls,
    send: (body) => {
      messages.push({ id: randomUUID(), body, visibleAt: 0 });
    },
    bodies: () => messages.map((message) => message.body),
    visibleBodies: () =>
      messages.filter((message) => message.visibleAt <= Date.now()).map((message) => message.body),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
