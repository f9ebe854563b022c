import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/**
 * The MCP SDK's transport over a child this adapter started itself (the SDK's own stdio
 * transport would start it outside a process group of its own, beyond our timeout and kill).
 * Newline-delimited JSON both ways.
 */
export class LineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;
  private closed = false;

  constructor(private readonly write: (line: string) => void) {}

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) throw new Error('the codex mcp-server has gone');
    this.write(JSON.stringify(message));
  }

  /** The adapter stops the child; here the SDK only learns that the connection is over. */
  async close(): Promise<void> {
    this.ended();
  }

  ended(): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }

  handleLine(line: string): void {
    if (!line.trim()) return;
    let message: JSONRPCMessage;
    try {
      message = JSON.parse(line) as JSONRPCMessage;
    } catch {
      this.onerror?.(new Error(`not JSON-RPC: ${line.slice(0, 200)}`));
      return;
    }
    this.onmessage?.(message);
  }
}
