import type * as tar from 'tar-stream';

/**
 * tar-stream's extractor as a Node writable, for stream.pipeline: it is a
 * streamx Writable, which pipes like a Node one but whose types are its own.
 */
export function tarExtractSink(extract: tar.Extract): NodeJS.WritableStream {
  return extract as unknown as NodeJS.WritableStream;
}
