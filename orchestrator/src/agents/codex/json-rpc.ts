/**
 * JSON-RPC over newline-delimited JSON, as `codex app-server` speaks it (no "jsonrpc" member):
 * our requests and their responses, the server's notifications, and the server's own requests
 * (approvals), which a handler answers.
 */
type Id = number | string;

export interface JsonRpcHandlers {
  onNotification(method: string, params: Record<string, unknown>): void;
  /** Resolves to the result; a throw becomes a JSON-RPC error response. */
  onRequest(method: string, params: Record<string, unknown>): Promise<unknown>;
  /** A line that is not JSON-RPC (a stray log line on stdout). */
  onGarbage?(line: string): void;
}

export class JsonRpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number | undefined,
    message: string,
  ) {
    super(`${method}: ${message}${code === undefined ? '' : ` (code ${code})`}`);
  }
}

export class JsonRpcConnection {
  private nextId = 1;
  private readonly pending = new Map<
    Id,
    { method: string; resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  private closed: Error | undefined;

  constructor(
    private readonly send: (line: string) => void,
    private readonly handlers: JsonRpcHandlers,
  ) {}

  request(method: string, params: unknown): Promise<unknown> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { method, resolve, reject });
      this.send(JSON.stringify({ id, method, params }));
    });
  }

  notify(method: string, params?: unknown): void {
    if (!this.closed) this.send(JSON.stringify(params === undefined ? { method } : { method, params }));
  }

  /** Fails every request still waiting (the server went away). */
  close(reason: Error): void {
    this.closed ??= reason;
    for (const p of this.pending.values()) p.reject(reason);
    this.pending.clear();
  }

  handleLine(line: string): void {
    if (!line.trim()) return;
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.handlers.onGarbage?.(line);
      return;
    }
    if (msg === null || typeof msg !== 'object') return this.handlers.onGarbage?.(line);
    const id = msg.id as Id | undefined;
    const method = typeof msg.method === 'string' ? msg.method : undefined;
    const params = (msg.params ?? {}) as Record<string, unknown>;
    if (method !== undefined && id !== undefined && id !== null) {
      void this.answer(id, method, params);
    } else if (method !== undefined) {
      this.handlers.onNotification(method, params);
    } else if (id !== undefined && id !== null) {
      const waiting = this.pending.get(id);
      if (!waiting) return;
      this.pending.delete(id);
      const error = msg.error as { code?: number; message?: string } | undefined;
      if (error) waiting.reject(new JsonRpcError(waiting.method, error.code, error.message ?? 'error'));
      else waiting.resolve(msg.result);
    } else {
      this.handlers.onGarbage?.(line);
    }
  }

  private async answer(id: Id, method: string, params: Record<string, unknown>): Promise<void> {
    try {
      const result = await this.handlers.onRequest(method, params);
      if (!this.closed) this.send(JSON.stringify({ id, result }));
    } catch (e) {
      const code = e instanceof JsonRpcError && e.code !== undefined ? e.code : -32603;
      if (!this.closed) this.send(JSON.stringify({ id, error: { code, message: (e as Error).message } }));
    }
  }
}
