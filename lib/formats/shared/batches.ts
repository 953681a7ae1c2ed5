/**
 * Events handed out one at a time from batches produced by an async generator.
 *
 * Why: a parser that is itself an async generator pays a generator resumption, a promise and
 * microtask hops for every event it yields; with one event per CSV row or BAI2 record that was a
 * large share of parsing time (an async generator delivering 1.6 M ready-made events costs about as
 * much as papaparse tokenising the whole 100 MB file). Here the parser's generator yields an array of
 * events per chunk it reads, and `next()` answers from that array with an already-resolved promise.
 *
 * Behaviour is that of an async generator over the same events: nothing runs before the first
 * `next()`, events come in order, an error from the source arrives after every event batched before
 * it, `return()` stops the source (its `finally` blocks run), and calls made while a batch is being
 * read wait their turn.
 */
export function flattenBatches<T>(source: AsyncGenerator<T[], void, undefined>): AsyncGenerator<T, void, undefined> {
  return new FlattenedBatches(source);
}

const DONE: IteratorReturnResult<void> = Object.freeze({ done: true, value: undefined });

class FlattenedBatches<T> implements AsyncGenerator<T, void, undefined> {
  private batch: T[] = [];
  private index = 0;
  private finished = false;
  /** The read in progress, so calls that overlap it are answered after it, in order. */
  private reading: Promise<IteratorResult<T, void>> | null = null;

  constructor(private readonly source: AsyncGenerator<T[], void, undefined>) {}

  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    return this;
  }

  next(): Promise<IteratorResult<T, void>> {
    if (this.reading) return this.reading.then(() => this.next(), () => this.next());
    if (this.index < this.batch.length) return Promise.resolve({ done: false, value: this.batch[this.index++]! });
    if (this.finished) return Promise.resolve(DONE);
    const reading = this.read();
    this.reading = reading;
    const clear = (): void => {
      if (this.reading === reading) this.reading = null;
    };
    reading.then(clear, clear);
    return reading;
  }

  async return(): Promise<IteratorResult<T, void>> {
    this.stop();
    await this.source.return(undefined);
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<T, void>> {
    this.stop();
    await this.source.return(undefined);
    throw error;
  }

  private stop(): void {
    this.finished = true;
    this.batch = [];
    this.index = 0;
  }

  private async read(): Promise<IteratorResult<T, void>> {
    for (;;) {
      let next: IteratorResult<T[], void>;
      try {
        next = await this.source.next();
      } catch (error) {
        this.stop();
        throw error;
      }
      if (next.done) {
        this.stop();
        return DONE;
      }
      if (next.value.length > 0) {
        this.batch = next.value;
        this.index = 1;
        return { done: false, value: next.value[0]! };
      }
    }
  }
}
