/** Entry point of `npm run demo` (scripts/demo.sh starts the stack first). */
import { runDemo } from './demo.js';

function bar(label: string, done: number, total: number): void {
  if (!process.stdout.isTTY) {
    if (done === total) console.log(`${label} ${done}/${total}`);
    return;
  }
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stdout.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
  if (done >= total) process.stdout.write('\n');
}

runDemo({
  brokers: (process.env.CSFLE_KAFKA_BROKERS ?? '127.0.0.1:19092').split(','),
  registryUrl: process.env.CSFLE_REGISTRY_URL ?? 'http://127.0.0.1:18081',
  count: Number(process.env.DEMO_RECORDS ?? 5000),
  progress: bar,
}).then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
