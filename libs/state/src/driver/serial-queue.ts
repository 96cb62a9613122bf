/** Runs tasks one after another, in the order they were queued, whatever each one's outcome. */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Queues `task`; resolves or rejects as it does, once every earlier task has settled. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    // A failed task must not stall the ones queued after it.
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
