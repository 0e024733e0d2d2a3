// Runs one function bundle as Lambda does — imports it (the function's init), then invokes its handler once —
// on whatever Node.js runs this script. Usage: node invoke-bundle.mjs <bundle folder> < event.json. Prints one
// JSON line: the Node.js version, the init time and the handler's result (or its error).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node invoke-bundle.mjs <bundle folder> < event.json');
  process.exit(2);
}
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const started = performance.now();
const { handler } = await import(pathToFileURL(join(dir, 'index.mjs')).href);
const initMs = performance.now() - started;
const deadline = Date.now() + 60_000;
const context = {
  functionName: 'smoke',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:smoke',
  memoryLimitInMB: '1024',
  awsRequestId: 'smoke-request',
  logGroupName: '/aws/lambda/smoke',
  logStreamName: 'smoke',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
};
try {
  const result = await handler(event, context);
  console.log(JSON.stringify({ node: process.version, initMs, result }));
} catch (error) {
  console.log(JSON.stringify({ node: process.version, initMs, error: String(error) }));
}
