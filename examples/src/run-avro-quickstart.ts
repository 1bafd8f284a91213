/** Entry point of `npm run demo`: runs the Avro quick start and prints its output. */
import { main } from './avro-quickstart.js';

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
