/** What the lifecycle needs of attach: clients that attached before the start (`docker run`). */
export interface AttachLink {
  /** Connects waiting clients; called between create and start so no output is lost. */
  connectWaiting(id: string): Promise<void>;
  /** The container is gone: waiting clients are let go. */
  release(id: string): void;
}
