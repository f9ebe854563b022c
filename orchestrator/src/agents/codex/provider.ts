import type { ResolvedCodexSettings } from './settings.js';

/** The model provider entry this adapter defines for Codex, whatever the user's own config says. */
export const PROVIDER_ID = 'cxo';

function providerTable(s: ResolvedCodexSettings) {
  return {
    name: PROVIDER_ID,
    base_url: s.base_url,
    wire_api: 'responses',
    env_key: s.api_key_env,
    // websockets would go to a different endpoint than base_url names
    supports_websockets: false,
    request_max_retries: s.max_retries,
    stream_max_retries: s.max_retries,
  };
}

/** `-c` overrides that select the provider: no config file is written or read. */
export function providerFlags(s: ResolvedCodexSettings): string[] {
  const table = Object.entries(providerTable(s))
    .map(([key, value]) => `${key}=${tomlValue(value)}`)
    .join(',');
  return [
    '-c',
    `model_provider=${tomlValue(PROVIDER_ID)}`,
    '-c',
    `model_providers.${PROVIDER_ID}={${table}}`,
  ];
}

/** `-c` override of the network of Codex's workspace-write sandbox, when the run says what it is. */
export function networkFlags(networkAccess: boolean | undefined): string[] {
  return networkAccess === undefined ? [] : ['-c', `sandbox_workspace_write.network_access=${networkAccess}`];
}

/**
 * The same as the `config` argument of the mcp-server `codex` tool: Codex 0.153's MCP server builds
 * each session's configuration from that argument and ignores the server's `-c` overrides.
 */
export function providerConfig(s: ResolvedCodexSettings, networkAccess?: boolean): Record<string, unknown> {
  return {
    model_provider: PROVIDER_ID,
    model_providers: { [PROVIDER_ID]: providerTable(s) },
    ...(networkAccess === undefined ? {} : { sandbox_workspace_write: { network_access: networkAccess } }),
  };
}

/** A TOML value: JSON string escapes are valid TOML basic-string escapes. */
function tomlValue(value: string | number | boolean): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
