/**
 * Lets the event loop run what is waiting (a request to answer, a response arriving) before the caller goes on.
 * A refresh is a chain of synchronous stages (parse, classify, sketch, a SQLite transaction) joined by promises
 * that are already settled: without a turn of the loop between them, thirty-two refreshes whose responses came
 * in together run back to back while every request to the daemon waits.
 */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
